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
