import check from '../../checks/group-viable.js'
import {testCheck} from '../helpers/check-tester.js'
import {hasShared} from '../helpers/paths.js'
import {listings, lspciNnk, seed000Cmdline, seed000Groups} from './isolation-data.js'

/** qemu's message as posted in 64kramsystem/vga-passthrough#15 (group 1: root port, GTX 760, its HDMI audio). */
const qemuGroup1 =
  'qemu-system-x86_64: -device vfio-pci,host=01:00.0,multifunction=on: vfio error: 0000:01:00.0: group 1 is not viable\nPlease ensure all devices within the iommu_group are bound to their vfio bus driver.\n'
/** The same through libvirt, as kubevirt/kubevirt#6718 shows it. */
const libvirtGroup1 =
  "internal error: qemu unexpectedly closed the monitor: 2021-11-03T08:06:48.563014Z qemu-kvm: -device vfio-pci,host=0000:01:00.0,id=ua-gpu1,bus=pci.5,addr=0x0: vfio 0000:01:00.0: group 1 is not viable\nPlease ensure all devices within the iommu_group are bound to their vfio bus driver.\n"
const gtx760Group1 = [
  'IOMMU group 1',
  '\t00:01.0 PCI bridge [0604]: Intel Corporation Xeon E3-1200 v3/4th Gen Core Processor PCI Express x16 Controller [8086:0c01] (rev 06)',
  '\t01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GK104 [GeForce GTX 760] [10de:1187] (rev a1)',
  '\t01:00.1 Audio device [0403]: NVIDIA Corporation GK104 HDMI Audio Controller [10de:0e0a] (rev a1)',
].join('\n')

testCheck(check, {
  valid: [{name: 'a qemu log without the message', files: {'qemu-win10.log': '2024-05-01 10:00:00.000+0000: starting up libvirt version: 10.0.0\n', 'iommu-groups.txt': seed000Groups}, passes: [/^no "group is not viable" message in the logs$/]}],
  invalid: [
    {
      name: "64kramsystem#15: group 1 refused; the GTX 760's audio function is on snd_hda_intel",
      files: {'qemu-vga.log': qemuGroup1, 'iommu-groups.txt': gtx760Group1, 'lspci-nnk.txt': lspciNnk(gtx760Group1, {'00:01.0': 'pcieport', '01:00.0': 'vfio-pci', '01:00.1': 'snd_hda_intel'})},
      findings: [{id: 'group-not-viable', severity: 'error', subject: 'group 1', message: /0000:01:00\.1 \(Audio device\) is bound to snd_hda_intel, a function of the passed card \(see companion-function-not-vfio\)/, evidence: /group 1 is not viable/, fix: /"culprits":"0000:01:00\.1","ids":"10de:1187,10de:0e0a"/}],
    },
    {
      name: 'seed 000 host: the RX 580 itself still on amdgpu',
      files: {'libvirt-error.txt': libvirtGroup1, 'iommu-groups.txt': seed000Groups, 'cmdline.txt': seed000Cmdline, 'lspci-nnk.txt': lspciNnk(seed000Groups, {'00:01.0': 'pcieport', '01:00.0': 'amdgpu', '01:00.1': 'vfio-pci'})},
      findings: [{id: 'group-not-viable', severity: 'error', subject: 'group 1', message: /0000:01:00\.0 \(VGA compatible controller\) is bound to amdgpu, the device passed to the VM itself \(see gpu-driver-not-vfio\)/}],
    },
    {
      name: 'kubevirt#6718: the message alone, no group listing to name the device',
      files: {'libvirt-error.txt': libvirtGroup1},
      findings: [{id: 'group-not-viable', severity: 'error', subject: 'group 1', message: /no IOMMU group listing/}],
    },
    {
      name: 'J4nsen (corpus): group 24 refused while ast drives the ASPEED VGA behind its bridge',
      files: {'qemu-vm.log': qemuGroup1.replace(/01:00\.0/g, '0a:00.0').replace('group 1 ', 'group 24 '), 'iommu-groups.txt': listings.j4nsen, 'lspci-nnk.txt': lspciNnk(listings.j4nsen, {'09:00.0': 'pcieport', '0a:00.0': 'ast'})},
      findings: [{id: 'group-not-viable', severity: 'error', subject: 'group 24', message: /0000:0a:00\.0 \(VGA compatible controller\) is bound to ast, the device passed to the VM itself/}],
    },
  ],
  unknown: [{name: 'no free-form logs', files: {'iommu-groups.txt': seed000Groups}}],
}, {skip: !hasShared})

/** A GTX 1050 Ti in a chipset slot: its group 14 holds the PCH root ports and an ASMedia USB controller too. */
const chipsetGroup14 = [
  'IOMMU group 14',
  '\t00:1c.0 PCI bridge [0604]: Intel Corporation 200 Series PCH PCI Express Root Port #5 [8086:a294] (rev f0)',
  '\t00:1c.4 PCI bridge [0604]: Intel Corporation 200 Series PCH PCI Express Root Port #5 [8086:a294] (rev f0)',
  '\t03:00.0 USB controller [0c03]: ASMedia Technology Inc. ASM2142 USB 3.1 Host Controller [1b21:2142]',
  '\t04:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP107 [GeForce GTX 1050 Ti] [10de:1c82] (rev a1)',
  '\t04:00.1 Audio device [0403]: NVIDIA Corporation GP107GL High Definition Audio Controller [10de:0fb9] (rev a1)',
].join('\n')
const notViable = (address: string, group: number, time = '10:00:00') =>
  `2024-03-01T${time}.123456Z qemu-system-x86_64: -device vfio-pci,host=${address},id=hostdev0,bus=pci.4,addr=0x0: vfio ${address}: group ${group} is not viable\nPlease ensure all devices within the iommu_group are bound to their vfio bus driver.\n`
/** An NVMe drive passed alone, its group being its root port and itself. */
const nvmeGroup15 = [
  'IOMMU group 15',
  '\t00:1d.0 PCI bridge [0604]: Intel Corporation 200 Series PCH PCI Express Root Port #9 [8086:a298] (rev f0)',
  '\t05:00.0 Non-Volatile memory controller [0108]: Samsung Electronics Co Ltd NVMe SSD Controller SM981/PM981/PM983 [144d:a808]',
].join('\n')
const chipsetDrivers = {'00:1c.0': 'pcieport', '00:1c.4': 'pcieport', '03:00.0': 'xhci_hcd', '04:00.0': 'vfio-pci', '04:00.1': 'snd_hda_intel'}

// Tables on inline evidence: they run without ../shared.
testCheck(check, {
  valid: [],
  invalid: [
    {
      name: 'group 14 shared with a USB controller on xhci_hcd, and the card\'s audio on snd_hda_intel: both named, each with its finding',
      files: {'qemu-win10.log': notViable('0000:04:00.0', 14), 'iommu-groups.txt': chipsetGroup14, 'lspci-nnk.txt': lspciNnk(chipsetGroup14, chipsetDrivers)},
      findings: [{
        id: 'group-not-viable', severity: 'error', subject: 'group 14',
        message: /^qemu refuses IOMMU group 14 because 0000:03:00\.0 \(USB controller\) is bound to xhci_hcd, another device sharing the group \(see iommu-group-shared\); 0000:04:00\.1 \(Audio device\) is bound to snd_hda_intel, a function of the passed card \(see companion-function-not-vfio\)\.$/,
        evidence: /^qemu-win10\.log line 1: [^\n]*vfio 0000:04:00\.0: group 14 is not viable\nIOMMU group 14:\n {2}0000:00:1c\.0 \[8086:a294\] [^\n]*: driver pcieport\n(?: {2}[^\n]*\n){3} {2}0000:04:00\.1 \[10de:0fb9\] NVIDIA Corporation GP107GL High Definition Audio Controller: driver snd_hda_intel$/,
        fix: /^\{"group":"14","culprits":"0000:03:00\.0 0000:04:00\.1","ids":"10de:1c82,10de:0fb9"\}$/,
      }],
    },
    {
      name: 'an NVMe drive passed by address (no GPU) and still on nvme: the device itself',
      files: {'qemu-win10.log': notViable('0000:05:00.0', 15), 'iommu-groups.txt': nvmeGroup15, 'lspci-nnk.txt': lspciNnk(nvmeGroup15, {'00:1d.0': 'pcieport', '05:00.0': 'nvme'})},
      findings: [{id: 'group-not-viable', severity: 'error', subject: 'group 15', message: /^qemu refuses IOMMU group 15 because 0000:05:00\.0 \(Non-Volatile memory controller\) is bound to nvme, the device passed to the VM itself \(see vfio-load-order\)\.$/, fix: /"culprits":"0000:05:00\.0","ids":""/}],
    },
    {
      name: 'the group listing without drivers: which device holds it is not known',
      files: {'qemu-win10.log': notViable('0000:04:00.0', 14), 'iommu-groups.txt': chipsetGroup14},
      findings: [{id: 'group-not-viable', severity: 'error', subject: 'group 14', message: /^qemu refuses IOMMU group 14, but the evidence shows no host driver on its devices now \(it does not show drivers: add `lspci -nnk`\)\.$/, fix: /"culprits":""/}],
    },
    {
      name: 'lspci -nnk taken after the failed start shows every device viable: bound then, not now',
      files: {'qemu-win10.log': notViable('0000:04:00.0', 14), 'iommu-groups.txt': chipsetGroup14, 'lspci-nnk.txt': lspciNnk(chipsetGroup14, {...chipsetDrivers, '03:00.0': 'vfio-pci', '04:00.1': 'vfio-pci'})},
      findings: [{id: 'group-not-viable', severity: 'error', subject: 'group 14', message: /^qemu refuses IOMMU group 14, but the evidence shows no host driver on its devices now \(they may have been bound when the VM started\)\.$/}],
    },
    {
      name: 'lspci -nnk without the group listing: the drivers are known, the group\'s members are not',
      files: {'qemu-win10.log': notViable('0000:04:00.0', 14), 'lspci-nnk.txt': lspciNnk(chipsetGroup14, chipsetDrivers)},
      findings: [{id: 'group-not-viable', severity: 'error', subject: 'group 14', message: /^qemu refuses IOMMU group 14: a device in it is bound to a host driver\. The evidence has no IOMMU group listing/}],
    },
    {
      name: 'four refused starts in one libvirt log, no listing: three lines of evidence, the fix without culprits',
      files: {'qemu-win10.log': ['10:00:00', '10:01:00', '10:02:00', '10:03:00'].map((t) => notViable('0000:04:00.0', 14, t)).join('')},
      findings: [{
        id: 'group-not-viable', severity: 'error', subject: 'group 14',
        message: /^qemu refuses IOMMU group 14: a device in it is bound to a host driver\. The evidence has no IOMMU group listing with drivers to name it: add the group script's output with `lspci -nnk`\.$/,
        evidence: /^qemu-win10\.log line 1: 2024-03-01T10:00:00[^\n]*\nqemu-win10\.log line 3: 2024-03-01T10:01:00[^\n]*\nqemu-win10\.log line 5: 2024-03-01T10:02:00[^\n]*$/,
        fix: /^\{"group":"14","culprits":"","ids":""\}$/,
      }],
    },
  ],
})
