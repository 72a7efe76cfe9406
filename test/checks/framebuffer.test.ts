import check from '../../checks/framebuffer.js'
import {testCheck} from '../helpers/check-tester.js'
import {hasShared} from '../helpers/paths.js'
import {apu5700u, corpus, listings, lspciNnk, seed000Cmdline, seed000Groups, seed000Dmesg} from './isolation-data.js'
import {domains} from './libvirt-data.js'

/** The message vfio-pci printed for a Vega 8 APU at 05:00.0 (cosminmocan/vfio-single-amdgpu-passthrough#3). */
const cantReserve = '[   44.702115] vfio-pci 0000:05:00.0: BAR 0: can\'t reserve [mem 0xd0000000-0xdfffffff 64bit pref]\n'
/** alshdavid's Manjaro 5.10 boot: efifb on the Navi 10 (0b:00.0), which is the boot VGA device. */
const navi510 = corpus('dmesg', 'alshdavid-labs__vfio-log__0-manjaro-5-10-lxde_dmesg.txt')
const naviOnVfio = lspciNnk(listings.alshdavid, {'0b:00.0': 'vfio-pci', '0b:00.1': 'vfio-pci'})

testCheck(check, {
  valid: [
    {name: 'Proxmox 5700U (corpus, kernel 6.5): vfio-pci took the boot GPU and removed its console itself', files: {'lspci-nn.txt': apu5700u.lspci, 'dmesg.txt': apu5700u.dmesg, 'uname.txt': '6.5.13-1-pve\n'}, passes: [/^no boot framebuffer holds memory of the guest GPU$/]},
    {name: 'alshdavid (corpus, 5.17): amdgpu drives the Navi 10 at boot and removed efifb; libvirt detaches it later', files: {'iommu-groups.txt': listings.alshdavid, 'dmesg.txt': corpus('dmesg', 'alshdavid-labs__vfio-log__1-manjaro-5-17-lxde_dmesg.txt'), 'gpu-test.xml': domains.alshdavidNavi, 'uname.txt': '5.17\n'}},
    {name: 'alshdavid 5.10 boot with the Navi 10 on vfio-pci, but kernel 6.1 would remove efifb', files: {'iommu-groups.txt': listings.alshdavid, 'dmesg.txt': navi510, 'lspci-nnk.txt': naviOnVfio, 'cmdline.txt': 'vfio-pci.ids=1002:731f,1002:ab38\n', 'uname.txt': '6.1.0\n'}},
    {name: "seed 000's dmesg: no framebuffer or reserve lines", files: {'dmesg.txt': seed000Dmesg, 'cmdline.txt': seed000Cmdline, 'iommu-groups.txt': seed000Groups}},
  ],
  invalid: [
    {
      name: "vfio-pci can't reserve BAR 0 of the 5700U's APU on 6.1: initcall_blacklist=sysfb_init",
      files: {'lspci-nn.txt': apu5700u.lspci, 'dmesg.txt': cantReserve, 'modprobe-vfio.conf': 'options vfio-pci ids=1002:164c,1002:1637\n', 'uname.txt': '6.1.0-13-amd64\n'},
      findings: [{id: 'framebuffer-conflict', severity: 'error', subject: '0000:05:00.0', message: /cannot reserve BAR 0 of 0000:05:00\.0/, evidence: /can't reserve \[mem 0xd0000000/, fix: /"param":"initcall_blacklist=sysfb_init"/}],
    },
    {
      name: "the same on a 5.4 kernel: video=efifb:off",
      files: {'lspci-nn.txt': apu5700u.lspci, 'dmesg.txt': cantReserve, 'modprobe-vfio.conf': 'options vfio-pci ids=1002:164c,1002:1637\n', 'uname.txt': '5.4.0-150-generic\n'},
      findings: [{id: 'framebuffer-conflict', severity: 'error', subject: '0000:05:00.0', fix: /"param":"video=efifb:off"/}],
    },
    {
      name: 'alshdavid (corpus, 5.10): efifb on BAR 0 of the boot GPU, which vfio-pci now takes at boot',
      files: {'iommu-groups.txt': listings.alshdavid, 'dmesg.txt': navi510, 'lspci-nnk.txt': naviOnVfio, 'cmdline.txt': 'vfio-pci.ids=1002:731f,1002:ab38\n', 'uname.txt': '5.10.0\n'},
      findings: [{id: 'framebuffer-conflict', severity: 'warning', subject: '0000:0b:00.0', message: /efifb.*sits on the guest GPU 0000:0b:00\.0.*kernel 5\.10\.0/, evidence: /BAR 0: assigned to efifb/, fix: /"param":"video=efifb:off"/}],
    },
  ],
  unknown: [
    {name: 'no kernel log', files: {'iommu-groups.txt': seed000Groups, 'cmdline.txt': seed000Cmdline}, reason: /kernel log|kernelLog|dmesg/i},
    {name: 'no guest GPU and no framebuffer lines', files: {'dmesg.txt': seed000Dmesg}, reason: /no guest GPU/},
  ],
}, {skip: !hasShared})
