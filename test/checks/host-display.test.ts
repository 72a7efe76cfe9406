import check from '../../checks/host-display.js'
import {testCheck} from '../helpers/check-tester.js'
import {hasShared} from '../helpers/paths.js'
import {
  apu5700u,
  kabyLakeGtx1060,
  listings,
  lspci,
  lspciNnk,
  seed000Cmdline,
  seed000Cpuinfo,
  seed000Dmesg,
  seed000Groups,
  seed000Nix,
  seed002Ids,
  seed002Lspci,
  seed004Devs,
  seed004Nix,
  sysfsFor,
} from './isolation-data.js'
import {domains} from './libvirt-data.js'

/** Seed 000 after the firmware change: the i7-7700T's HD 630 back on the bus, the boot VGA device, on i915. */
const igpuLine = '00:02.0 VGA compatible controller [0300]: Intel Corporation HD Graphics 630 [8086:5912] (rev 04)'
const seed000Working = {
  'cmdline.txt': seed000Cmdline,
  'cpuinfo.txt': seed000Cpuinfo,
  'lspci-nnk.txt': lspciNnk(seed000Groups, {'00:02.0': 'i915', '01:00.0': 'vfio-pci', '01:00.1': 'vfio-pci'}, [igpuLine]),
  'dmesg.txt': `${seed000Dmesg}[    0.318121] pci 0000:00:02.0: vgaarb: setting as boot VGA device\n`,
}
const bootOnGuest = {...seed000Working, 'dmesg.txt': `${seed000Dmesg}[    0.318121] pci 0000:01:00.0: vgaarb: setting as boot VGA device\n`}
const withCpu = (model: string) => seed000Cpuinfo.replace(/model name\t: .*/, `model name\t: ${model}`)
const seed004Sysfs = (igpu: string) =>
  sysfsFor(kabyLakeGtx1060, {'00:02.0': `${igpu} boot_vga=1`, '01:00.0': 'driver=vfio-pci driver_override=vfio-pci', '01:00.1': 'driver=vfio-pci driver_override=vfio-pci', '06:00.0': 'driver=vfio-pci driver_override=vfio-pci'})

testCheck(check, {
  valid: [
    {name: 'seed 000 after the fix: the iGPU is the boot VGA device on i915, the RX 580 on vfio-pci', files: seed000Working, passes: [/^the host keeps 0000:00:02\.0 for its display$/]},
    {name: 'ASUS X670E-I (corpus): the RTX 3080 goes to vfio-pci, the Raphael iGPU stays', files: {'iommu-groups.txt': listings.mathewlear, 'cmdline.txt': 'vfio-pci.ids=10de:2206,10de:1aef\n'}, passes: [/^the host keeps 0000:6a:00\.0 for its display$/]},
    {name: 'alshdavid (corpus): single-GPU passthrough, libvirt takes the Navi 10 only when the VM starts', files: {'iommu-groups.txt': listings.alshdavid, 'gpu-test.xml': domains.alshdavidNavi}, passes: [/^no display GPU is handed to vfio-pci at boot$/]},
    {name: 'IdeaPad 320 (corpus): --gpu on the 940MX 3D controller; the HD 615 stays with the host', files: {'lspci.txt': lspci.ideapad320}, gpu: '01:00.0'},
    {
      name: 'exherbo ThinkPad (corpus): the GeForce 610M handed to vfio-pci by driver_override, the iGPU on i915',
      files: {'lspci-k.txt': lspci.exherbo, 'configuration.nix': "{\n  boot.initrd.preDeviceCommands = ''\n    echo vfio-pci > /sys/bus/pci/devices/0000:01:00.0/driver_override\n  '';\n}\n"},
    },
    {name: 'seed 004 with 00:02.0 out of DEVS: the host keeps its iGPU', files: {'configuration.nix': seed004Nix(seed004Devs.replace('0000:00:02.0 ', '')), 'pci-sysfs.txt': seed004Sysfs('driver=i915'), 'lspci.txt': kabyLakeGtx1060}},
  ],
  invalid: [
    {
      name: "seed 000's boot freeze: the RX 580 is the only GPU (no 00:02.0: the i7-7700T's iGPU is off in the firmware) and vfio-pci.ids takes it",
      files: {'cmdline.txt': seed000Cmdline, 'iommu-groups.txt': seed000Groups, 'dmesg.txt': seed000Dmesg, 'cpuinfo.txt': seed000Cpuinfo, 'virtualisation.nix': seed000Nix},
      findings: [{id: 'host-display-lost', severity: 'error', subject: '0000:01:00.0', message: /only GPU on the PCI bus.*i7-7700T.*disabled in the firmware/, evidence: /none at 00:02\.0/, fix: /Primary Display.*IGFX.*iGPU Multi-Monitor/}],
    },
    {
      name: 'Proxmox 5700U (corpus): vfio-pci takes the APU, the only GPU: fine only for a headless host',
      files: {'lspci-nn.txt': apu5700u.lspci, 'dmesg.txt': apu5700u.dmesg},
      findings: [{id: 'host-display-lost', severity: 'warning', subject: '0000:05:00.0', message: /fine for a headless host/, evidence: /vfio_pci: add \[1002:164c/}],
    },
    {
      name: 'an i7-5820K (no integrated graphics) with its only GPU on vfio-pci',
      files: {'cmdline.txt': seed000Cmdline, 'iommu-groups.txt': seed000Groups, 'cpuinfo.txt': withCpu('Intel(R) Core(TM) i7-5820K CPU @ 3.30GHz')},
      findings: [{id: 'host-display-lost', severity: 'warning', subject: '0000:01:00.0', message: /i7-5820K CPU @ 3\.30GHz has no integrated graphics/}],
    },
    {
      name: 'the firmware boots on the RX 580 while the host draws on the iGPU',
      files: bootOnGuest,
      findings: [{id: 'host-display-lost', severity: 'warning', subject: '0000:01:00.0', message: /firmware boots on 0000:01:00\.0.*00:02\.0 .*\(driver i915\)/, evidence: /vgaarb: setting as boot VGA device/}],
    },
  ],
  unknown: [
    {name: "seed 002's partial lspci: cannot tell whether the host has another GPU", files: {'cmdline.txt': `${seed002Ids}\n`, 'lspci.txt': seed002Lspci}, reason: /partial/},
    {name: 'no display device in the evidence', files: {'lspci.txt': '00:14.0 USB controller [0c03]: Intel Corporation 200 Series/Z370 Chipset Family USB 3.0 xHCI Controller [8086:a2af]\n'}, reason: /no display device/},
    {name: "seed 004: DEVS hands the iGPU to vfio-pci as well (vfio-ids-wrong's finding)", files: {'configuration.nix': seed004Nix(), 'pci-sysfs.txt': seed004Sysfs('driver=vfio-pci driver_override=vfio-pci'), 'lspci.txt': kabyLakeGtx1060}, reason: /vfio-ids-wrong/},
  ],
}, {skip: !hasShared})
