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

/** A desktop with the host on the Intel iGPU and a GTX 1070 on vfio-pci for the guest (lspci -nnk). */
const igpuHost = [
  '00:00.0 Host bridge [0600]: Intel Corporation 8th Gen Core Processor Host Bridge/DRAM Registers [8086:3e30] (rev 07)',
  '00:01.0 PCI bridge [0604]: Intel Corporation 6th-10th Gen Core Processor PCIe Controller (x16) [8086:1901] (rev 07)',
  '00:02.0 VGA compatible controller [0300]: Intel Corporation CoffeeLake-S GT2 [UHD Graphics 630] [8086:3e92]',
  '\tKernel driver in use: i915',
]
const gtx1070OnVfio = [
  '01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1070] [10de:1b81] (rev a1)',
  '\tKernel driver in use: vfio-pci',
  '01:00.1 Audio device [0403]: NVIDIA Corporation GP104 High Definition Audio Controller [10de:10f0] (rev a1)',
  '\tKernel driver in use: vfio-pci',
]
const withIgpu = `${[...igpuHost, ...gtx1070OnVfio].join('\n')}\n`
const dgpuOnly = `${[...igpuHost.slice(0, 2), ...gtx1070OnVfio].join('\n')}\n`
const efifbAt = '[    0.921035] efifb: framebuffer at 0xe0000000, using 3072k, total 3072k'
const bootVgaOn = (address: string) => `[    0.402112] pci ${address}: vgaarb: setting as boot VGA device`
const barOne = (time: string) => `[  ${time}] vfio-pci 0000:01:00.0: BAR 1: can't reserve [mem 0xe0000000-0xefffffff 64bit pref]`
/** A host device's own "can't reserve": not the guest's, not vfio-pci's. */
const xhciCantReserve = "[    3.104455] xhci_hcd 0000:00:14.0: BAR 0: can't reserve [mem 0xa1200000-0xa120ffff 64bit]"

// Tables on inline evidence: they run without ../shared.
testCheck(check, {
  valid: [
    {name: 'kernel 5.10, efifb on the boot VGA device, which is the host\'s iGPU', files: {'lspci-nnk.txt': withIgpu, 'dmesg.txt': `${bootVgaOn('0000:00:02.0')}\n${efifbAt}\n`, 'uname.txt': '5.10.0-28-amd64\n'}, passes: [/^no boot framebuffer holds memory of the guest GPU$/]},
    {name: 'kernel 5.10, efifb and no word of the boot VGA device: where it sits is not known, so no warning', files: {'lspci-nnk.txt': dgpuOnly, 'dmesg.txt': `${efifbAt}\n`, 'uname.txt': '5.10.0-28-amd64\n'}},
    {name: 'a guest GPU on vfio-pci and no framebuffer line; a host USB controller\'s "can\'t reserve" is not the guest\'s', files: {'lspci-nnk.txt': withIgpu, 'dmesg.txt': `${xhciCantReserve}\n`, 'uname.txt': '6.6.8-arch1-1\n'}, passes: [/^no boot framebuffer holds memory of the guest GPU$/]},
  ],
  invalid: [
    {
      name: 'kernel 5.10: efifb (no address of its own) on the boot VGA device, the guest GPU on vfio-pci',
      files: {'lspci-nnk.txt': withIgpu, 'dmesg.txt': `${bootVgaOn('0000:01:00.0')}\n${efifbAt}\n`, 'uname.txt': '5.10.0-28-amd64\n'},
      findings: [{
        id: 'framebuffer-conflict', severity: 'warning', subject: '0000:01:00.0',
        message: /^The boot framebuffer \(efifb\) sits on the guest GPU 0000:01:00\.0, and kernel 5\.10\.0-28-amd64 leaves it there when vfio-pci binds the card \(6\.0 and later remove it\): expect "BAR \.\.\. can't reserve" when the VM starts\.$/,
        evidence: /^kernel log line 2: efifb: framebuffer at 0xe0000000, using 3072k, total 3072k\nkernel log line 1: pci 0000:01:00\.0: vgaarb: setting as boot VGA device$/,
        fix: /^\{"param":"video=efifb:off","kernel":"5\.10\.0-28-amd64","address":"0000:01:00\.0"\}$/,
      }],
    },
    {
      name: 'kernel 5.15 with sysfb: simple-framebuffer and simpledrm hold BAR 1, refused at two VM starts (said once)',
      files: {
        'lspci-nnk.txt': withIgpu,
        'dmesg.txt': `[    0.498831] simple-framebuffer simple-framebuffer.0: framebuffer at 0xe0000000, 0x300000 bytes\n[    0.498900] [drm] Initialized simpledrm 1.0.0 20200625 for simple-framebuffer.0 on minor 0\n${barOne('312.440101')}\n${barOne('348.120334')}\n${xhciCantReserve}\n`,
        'uname.txt': '5.15.0-91-generic\n',
      },
      findings: [{
        id: 'framebuffer-conflict', severity: 'error', subject: '0000:01:00.0',
        message: /^vfio-pci cannot reserve BAR 1 of 0000:01:00\.0: a boot framebuffer \(simple-framebuffer, simpledrm\) still holds that memory, so the guest's driver fails or the screen stays black\.$/,
        evidence: /^kernel log line 3: vfio-pci 0000:01:00\.0: BAR 1: can't reserve [^\n]*\nkernel log line 4: vfio-pci [^\n]*\nkernel log line 1: simple-framebuffer [^\n]*\nkernel log line 2: \[drm\] Initialized simpledrm [^\n]*$/,
        fix: /^\{"param":"initcall_blacklist=sysfb_init","kernel":"5\.15\.0-91-generic","address":"0000:01:00\.0"\}$/,
      }],
    },
    {
      name: 'only the kernel log: the refusal names the device; no framebuffer line, no kernel release',
      files: {'dmesg.txt': cantReserve},
      findings: [{
        id: 'framebuffer-conflict', severity: 'error', subject: '0000:05:00.0',
        message: /^vfio-pci cannot reserve BAR 0 of 0000:05:00\.0: a boot framebuffer \(efifb, simplefb or simpledrm\) still holds/,
        fix: /^\{"param":"initcall_blacklist=sysfb_init","kernel":"unknown","address":"0000:05:00\.0"\}$/,
      }],
    },
  ],
})
