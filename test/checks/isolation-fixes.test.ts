/**
 * The fixes the device-isolation pages print, filled with the values real findings carry: every
 * placeholder gets a value and every suggested NixOS snippet parses with `nix-instantiate --parse`.
 */
import {testKnowledgePages, type Representative} from '../helpers/knowledge-tester.js'
import {hasShared} from '../helpers/paths.js'
import {apu5700u, gtx1070Audio, kabyLakeGtx1060, lspci, lspciNnk, seed000Cmdline, seed000Cpuinfo, seed000Groups, seed000Nix, seed003Gtx1070, seed004Nix, sysfsFor} from './isolation-data.js'

const gtx1070 = `${seed003Gtx1070}\nIOMMU Group 1 01:00.1 ${gtx1070Audio}\n`
const REPRESENTATIVE: Record<string, Representative> = {
  'gpu-driver-not-vfio': {check: 'gpu-driver', files: {'lspci.txt': lspci.e6430}, gpu: '01:00.0'},
  'companion-function-not-vfio': {check: 'companion-functions', files: {'modprobe-vfio.conf': 'options vfio-pci ids=10de:1b81\n', 'iommu-groups.txt': gtx1070}},
  'vfio-load-order': {check: 'vfio-load-order', files: {'virtualisation.nix': seed000Nix.replace('"vfio_pci"', '"amdgpu" "vfio_pci"'), 'cmdline.txt': seed000Cmdline, 'lspci-nnk.txt': lspciNnk(seed000Groups, {'01:00.0': 'amdgpu', '01:00.1': 'snd_hda_intel'})}},
  'vfio-ids-wrong': {check: 'vfio-ids', files: {'configuration.nix': seed004Nix(), 'lspci.txt': kabyLakeGtx1060, 'pci-sysfs.txt': sysfsFor(kabyLakeGtx1060, {'00:02.0': 'driver=vfio-pci boot_vga=1', '01:00.0': 'driver=vfio-pci', '01:00.1': 'driver=vfio-pci', '06:00.0': 'driver=vfio-pci'})}},
  'iommu-group-shared': {check: 'iommu-group', files: {'iommu-groups.txt': `IOMMU Group 7:\n\t${seed000Groups.split('\n').filter((l) => /^\s*(01:00\.[01]|00:14\.0) /.test(l)).map((l) => l.trim()).join('\n\t')}\n`}, gpu: '01:00.0'},
  'host-display-lost': {check: 'host-display', files: {'cmdline.txt': seed000Cmdline, 'iommu-groups.txt': seed000Groups, 'cpuinfo.txt': seed000Cpuinfo}},
  'framebuffer-conflict': {check: 'framebuffer', files: {'lspci-nn.txt': apu5700u.lspci, 'dmesg.txt': "vfio-pci 0000:05:00.0: BAR 0: can't reserve [mem 0xd0000000-0xdfffffff 64bit pref]\n", 'modprobe-vfio.conf': 'options vfio-pci ids=1002:164c,1002:1637\n', 'uname.txt': '6.1.0\n'}},
  'group-not-viable': {check: 'group-viable', files: {'qemu-vm.log': 'vfio 0000:01:00.0: group 1 is not viable\n', 'iommu-groups.txt': gtx1070, 'lspci-nnk.txt': lspciNnk(gtx1070, {'01:00.0': 'vfio-pci', '01:00.1': 'snd_hda_intel'})}},
}

testKnowledgePages('device-isolation knowledge pages', REPRESENTATIVE, {skip: !hasShared})
