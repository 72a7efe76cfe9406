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

/** A Z490 desktop's lspci -nnk (host bridge, root port, chipset devices), its RTX 2070 SUPER on vfio-pci; more cards per case. */
const z490 = (...cards: string[]) => [
  '00:00.0 Host bridge [0600]: Intel Corporation Comet Lake-S 6c Host Bridge/DRAM Controller [8086:9b33] (rev 05)',
  ...cards.filter((c) => c.startsWith('00:02.')),
  '00:01.0 PCI bridge [0604]: Intel Corporation 6th-10th Gen Core Processor PCIe Controller (x16) [8086:1901] (rev 05)',
  '\tKernel driver in use: pcieport',
  '00:14.0 USB controller [0c03]: Intel Corporation Comet Lake PCH-V USB Controller [8086:a3af]',
  '\tKernel driver in use: xhci_hcd',
  '00:17.0 SATA controller [0106]: Intel Corporation 400 Series Chipset Family SATA AHCI Controller [8086:a382]',
  '\tKernel driver in use: ahci',
  '00:1f.3 Audio device [0403]: Intel Corporation Comet Lake PCH-V cAVS [8086:a3f0]',
  '\tKernel driver in use: snd_hda_intel',
  '01:00.0 VGA compatible controller [0300]: NVIDIA Corporation TU104 [GeForce RTX 2070 SUPER] [10de:1e84] (rev a1)',
  '\tKernel driver in use: vfio-pci',
  '01:00.1 Audio device [0403]: NVIDIA Corporation TU104 HD Audio Controller [10de:10f8] (rev a1)',
  '\tKernel driver in use: vfio-pci',
  ...cards.filter((c) => !c.startsWith('00:02.')),
].join('\n') + '\n'
const uhd630 = '00:02.0 VGA compatible controller [0300]: Intel Corporation CometLake-S GT2 [UHD Graphics 630] [8086:9bc5] (rev 05)\n\tKernel driver in use: i915'
const gt1030 = (driver: string) => `02:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP108 [GeForce GT 1030] [10de:1d01] (rev a1)\n\tKernel driver in use: ${driver}`
const rx580 = '03:00.0 VGA compatible controller [0300]: Advanced Micro Devices, Inc. [AMD/ATI] Ellesmere [Radeon RX 470/480/570/570X/580/580X/590] [1002:67df] (rev e7)\n\tKernel driver in use: vfio-pci'
/** A Core 2 era Q45 board: its iGPU has a second display function at 00:02.1. */
const q45Igpu = '00:02.0 VGA compatible controller [0300]: Intel Corporation 4 Series Chipset Integrated Graphics Controller [8086:2e12] (rev 03)\n\tKernel driver in use: i915\n00:02.1 Display controller [0380]: Intel Corporation 4 Series Chipset Integrated Graphics Controller [8086:2e13] (rev 03)'
const i9F = 'processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Core(TM) i9-10900KF CPU @ 3.70GHz\nflags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr vmx\n'
const bootVgaOn = (address: string) => `[    0.318121] pci ${address}: vgaarb: setting as boot VGA device\n`

// Tables on inline evidence: they run without ../shared.
testCheck(check, {
  valid: [
    {name: 'an iGPU with a second display function (00:02.1) and a GT 1030 for the host: one line per card', files: {'lspci-nnk.txt': z490(q45Igpu, gt1030('nouveau'))}, gpu: '01:00.0', passes: [/^the host keeps 0000:00:02\.0, 0000:02:00\.0 for its display$/]},
  ],
  invalid: [
    {
      name: 'the only GPU on vfio-pci (bound by a script: nothing names it at boot), an i9-10900KF without graphics',
      files: {'lspci-nnk.txt': z490(), 'cpuinfo.txt': i9F},
      gpu: '01:00.0',
      findings: [{
        id: 'host-display-lost', severity: 'warning', subject: '0000:01:00.0',
        message: /^0000:01:00\.0 is the only GPU on this host and vfio-pci takes it at boot: the host has no display from then on \(boot seems to freeze\)\. That is fine for a headless host; otherwise the host needs a GPU of its own \(the Intel\(R\) Core\(TM\) i9-10900KF CPU @ 3\.70GHz has no integrated graphics\), or the card/,
        evidence: /^0000:01:00\.0 \[10de:1e84\] NVIDIA Corporation TU104 \[GeForce RTX 2070 SUPER\]: driver vfio-pci\nCPU: Intel\(R\) Core\(TM\) i9-10900KF CPU @ 3\.70GHz$/,
        fix: /^\{"address":"0000:01:00\.0","ids":"10de:1e84,10de:10f8","setting":"\\"Primary Display\\" \/ /,
      }],
    },
    {
      name: 'the only GPU on vfio-pci, and an i9-10900K (with graphics): its iGPU is off in the firmware',
      files: {'lspci-nnk.txt': z490(), 'cpuinfo.txt': i9F.replace('i9-10900KF', 'i9-10900K')},
      gpu: '01:00.0',
      findings: [{
        id: 'host-display-lost', severity: 'error', subject: '0000:01:00.0',
        message: /^0000:01:00\.0 is the only GPU on the PCI bus and vfio-pci takes it at boot, so the host has no display left: boot seems to freeze on the last frame\. The Intel\(R\) Core\(TM\) i9-10900K CPU @ 3\.70GHz has integrated graphics, yet no integrated GPU is on the bus: it is disabled in the firmware \(BIOS\/UEFI\)\. Set "Primary Display" /,
        evidence: /^0000:01:00\.0 \[10de:1e84\] NVIDIA Corporation TU104 \[GeForce RTX 2070 SUPER\]: driver vfio-pci\nCPU: Intel\(R\) Core\(TM\) i9-10900K CPU @ 3\.70GHz\n7 PCI devices in the evidence, 1 of them display devices, none at 00:02\.0 \(where Intel integrated graphics sit\)$/,
      }],
    },
    {
      name: 'two GPUs, both on vfio-pci, and an i9-10900KF: the host has none left, said of both',
      files: {'lspci-nnk.txt': z490(rx580), 'cpuinfo.txt': i9F},
      findings: [{id: 'host-display-lost', severity: 'warning', subject: '0000:01:00.0', message: /^0000:01:00\.0 and 0000:03:00\.0 are the only GPUs on this host and vfio-pci takes them at boot: /}],
    },
    {
      name: 'the only GPU, no CPU information: no word of integrated graphics, no CPU line',
      files: {'lspci-nnk.txt': z490()},
      gpu: '01:00.0',
      findings: [{id: 'host-display-lost', severity: 'warning', subject: '0000:01:00.0', message: /a GPU of its own, or the card has to be released/, evidence: /^0000:01:00\.0 \[10de:1e84\] [^\n]*: driver vfio-pci$/}],
    },
    {
      name: 'the firmware boots on the guest\'s card, the host draws on a second card: make that slot primary',
      files: {'lspci-nnk.txt': z490(gt1030('nouveau')), 'dmesg.txt': bootVgaOn('0000:01:00.0'), 'cmdline.txt': 'vfio-pci.ids=10de:1e84,10de:10f8\n'},
      findings: [{
        id: 'host-display-lost', severity: 'warning', subject: '0000:01:00.0',
        message: /; the host's own display is 0000:02:00\.0 \[10de:1d01\] NVIDIA Corporation GP108 \[GeForce GT 1030\] \(driver nouveau\)\. Make 0000:02:00\.0 the primary display in the firmware\.$/,
        evidence: /^kernel log line 1: pci 0000:01:00\.0: vgaarb: setting as boot VGA device\n0000:01:00\.0 [^\n]*: driver vfio-pci\nkernel command line: vfio-pci\.ids=10de:1e84,10de:10f8\n0000:02:00\.0 \[10de:1d01\] NVIDIA Corporation GP108 \[GeForce GT 1030\]: driver nouveau$/,
        fix: /"setting":"\\"Primary Display\\" \/ \\"Initiate Graphic Adapter\\" = the slot of 0000:02:00\.0"\}$/,
      }],
    },
    {
      name: 'the firmware boots on the guest\'s card, the host draws on the UHD 630: make the integrated GPU primary',
      files: {'lspci-nnk.txt': z490(uhd630), 'dmesg.txt': bootVgaOn('0000:01:00.0'), 'cmdline.txt': 'vfio-pci.ids=10de:1e84,10de:10f8\n'},
      findings: [{id: 'host-display-lost', severity: 'warning', subject: '0000:01:00.0', message: / \(driver i915\)\. Make the integrated GPU the primary display in the firmware\.$/, fix: /"setting":"\\"Primary Display\\" \/ \\"Init Display First\\" \/ \\"Initiate Graphic Adapter\\" = IGFX/}],
    },
  ],
  unknown: [
    {name: 'systemd-detect-virt says kvm: the GPUs are the hypervisor\'s', files: {'lspci-nnk.txt': z490(), 'systemd-detect-virt.txt': 'kvm\n'}, reason: /^this host is virtual: see host-is-virtual$/},
    {name: 'the GT 1030 handed to vfio-pci too', files: {'lspci-nnk.txt': z490(gt1030('vfio-pci'))}, gpu: '01:00.0', reason: /^0000:02:00\.0 is handed to vfio-pci as well: vfio-ids-wrong says whether that is the host's display$/},
    {name: 'two other cards handed to vfio-pci too (for other guests)', files: {'lspci-nnk.txt': z490(gt1030('vfio-pci'), rx580)}, gpu: '01:00.0', reason: /^0000:02:00\.0, 0000:03:00\.0 are handed to vfio-pci as well/},
  ],
})
