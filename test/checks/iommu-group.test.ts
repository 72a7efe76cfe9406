import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import check from '../../checks/iommu-group.js'
import {testCheck} from '../helpers/check-tester.js'
import {hasShared, repoRoot} from '../helpers/paths.js'
import {corpus, listings, lspciNnk, seed000Cmdline, seed000Groups} from './isolation-data.js'
import {domains} from './libvirt-data.js'

/**
 * A GPU in a chipset slot of an X570 board: alshdavid's real group 17 (a chipset GPP bridge, the
 * reserved SPP function and two Matisse USB controllers) with J4nsen's GTX 1070 lines moved behind it.
 */
const chipsetSlot = [
  ...listings.alshdavid.split('\n').slice(listings.alshdavid.split('\n').indexOf('IOMMU Group 17:'), listings.alshdavid.split('\n').indexOf('IOMMU Group 18:')),
  ...listings.j4nsen.split('\n').filter((l) => / 04:00\.[01] /.test(l)).map((l) => `\t${l.replace(/^IOMMU Group 20 04:/, '0a:').trim()}`),
].join('\n')
const legion = corpus('lspci', 'sergeyklay__lenovo-legion-y520-15ikbn__var_logs_lspci')

testCheck(check, {
  valid: [
    {name: "seed 000: group 1 holds the 00:01.0 root port with the RX 580, which is fine", files: {'cmdline.txt': seed000Cmdline, 'iommu-groups.txt': seed000Groups}, passes: [/^IOMMU group 1 holds 0000:01:00\.0's card \(bridges are fine\)$/]},
    {name: 'ASUS X670E-I (corpus): the RTX 3080 alone in group 12', files: {'iommu-groups.txt': listings.mathewlear}, gpu: '01:00.0', passes: [/^IOMMU group 12 holds 0000:01:00\.0's card$/]},
    {name: "J4nsen (corpus): the domain's GTX 1070 alone in group 20", files: {'iommu-groups.txt': listings.j4nsen, 'vm-cpu0-0.xml': domains.j4nsenGtx1070}},
    {name: "J4nsen (corpus): the ASPEED VGA behind its own bridge", files: {'iommu-groups.txt': listings.j4nsen}, gpu: '0a:00.0'},
    {name: 'J4nsen (corpus), no GPU marked: each of its four GPUs is alone in its group', files: {'iommu-groups.txt': listings.j4nsen}, passes: [/^IOMMU group 20 holds only 0000:04:00\.0's card \(a candidate for the guest\)$/, /^IOMMU group 41 holds only 0000:82:00\.0's card/]},
    {name: 'Legion Y520 (corpus lspci -v): the GTX 1050 Ti Mobile with the x16 root port in group 2', files: {'lspci.txt': legion}, gpu: '01:00.0'},
    {name: "alshdavid (corpus): the Navi 10 alone in group 25, its audio in group 26", files: {'iommu-groups.txt': listings.alshdavid, 'gpu-test.xml': domains.alshdavidNavi}},
    {
      name: 'chipset slot, but the USB controllers and the SPP function go to vfio-pci too',
      files: {'iommu-groups.txt': chipsetSlot, 'lspci-nnk.txt': lspciNnk(chipsetSlot, {'02:08.0': 'pcieport', '06:00.0': 'vfio-pci', '06:00.1': 'vfio-pci', '06:00.3': 'vfio-pci', '0a:00.0': 'vfio-pci', '0a:00.1': 'vfio-pci'})},
      passes: [/^IOMMU group 17 holds 0000:0a:00\.0's card and 3 device\(s\) that go along \(bridges are fine\)$/],
      gpu: '0a:00.0',
    },
  ],
  invalid: [
    {
      // https://github.com/ryanprescott/realtek-verb-tools/issues/8 (test/devset/cases/127-*)
      name: 'no GPU marked: the Cezanne APU shares group 5 with its PSP and USB controller, said as information',
      files: {'iommu-groups.txt': readFileSync(join(repoRoot, 'test/devset/cases/127-cezanne-laptop-group5-shared/iommu-group-5.txt'), 'utf8')},
      findings: [{id: 'iommu-group-shared', severity: 'info', subject: '0000:04:00.0', message: /^No GPU is marked for the guest\. If it is 0000:04:00\.0 .*group 5 also holds 0000:04:00\.2 .*Platform Security Processor; 0000:04:00\.3 .*USB/}],
    },
    {
      name: 'chipset slot: the GPU shares group 17 with two USB controllers xhci_hcd holds',
      files: {'iommu-groups.txt': chipsetSlot, 'lspci-nnk.txt': lspciNnk(chipsetSlot, {'02:08.0': 'pcieport', '06:00.1': 'xhci_hcd', '06:00.3': 'xhci_hcd', '0a:00.0': 'vfio-pci', '0a:00.1': 'vfio-pci'})},
      gpu: '0a:00.0',
      findings: [{id: 'iommu-group-shared', severity: 'error', subject: '0000:0a:00.0', message: /^IOMMU group 17 of GPU 0000:0a:00\.0 also holds 0000:06:00\.0 .*0000:06:00\.1 \[1022:149c\] .*\(driver xhci_hcd\); 0000:06:00\.3 .*: the host keeps them, so the group is not viable and the VM will not start with the GPU\.$/, evidence: /^IOMMU group 17:\n  0000:02:08\.0 [^\n]*: bridge, fine\n/, fix: /"others":"0000:06:00\.0 0000:06:00\.1 0000:06:00\.3".*pcie_acs_override=downstream,multifunction/}],
    },
    {
      name: 'chipset slot, listing without drivers: the other devices must go along',
      files: {'iommu-groups.txt': chipsetSlot},
      gpu: '0a:00.0',
      findings: [{id: 'iommu-group-shared', severity: 'warning', subject: '0000:0a:00.0', message: /^IOMMU group 17 of GPU 0000:0a:00\.0 also holds 0000:06:00\.0 .*0000:06:00\.1 .*0000:06:00\.3 .*\(driver unknown\): they have to go to vfio-pci with the GPU \(the evidence does not show drivers, so whether the host uses them is unknown\)\.$/, fix: /"group":"17","address":"0000:0a:00\.0"/}],
    },
  ],
  unknown: [
    {name: 'no group listing', files: {'cmdline.txt': seed000Cmdline, 'lspci-nnk.txt': lspciNnk(seed000Groups, {'01:00.0': 'vfio-pci'})}, reason: /IOMMU group/},
    {name: 'no guest GPU, and only the host display on the bus', files: {'iommu-groups.txt': 'IOMMU Group 2:\n\t00:02.0 VGA compatible controller [0300]: Intel Corporation HD Graphics 630 [8086:5912] (rev 04)\n'}, reason: /no GPU is marked/},
  ],
}, {skip: !hasShared})
