import {expect, it} from 'vitest'
import check from '../../checks/hostdev-devices.js'
import {runCase, testCheck} from '../helpers/check-tester.js'
import {hasShared} from '../helpers/paths.js'
import {domainXml} from '../helpers/seed-xml.js'
import {domains, edit, listings, seed000Groups, xkevinLspci} from './libvirt-data.js'

const hostdev = (bus: string, slot: string, fn: string) =>
  `<hostdev mode='subsystem' type='pci' managed='yes'>\n      <source>\n        <address domain='0x0000' bus='${bus}' slot='${slot}' function='${fn}'/>\n      </source>\n    </hostdev>\n    <memballoon`
/** J4nsen vm-cpu0-0 without its GTX 1070's audio function 04:00.1. */
const noAudio = edit(domains.j4nsenGtx1070, /<hostdev mode='subsystem' type='pci' managed='yes'>\s*<source>\s*<address domain='0x0000' bus='0x04' slot='0x00' function='0x1'\/>[\s\S]*?<\/hostdev>\n\s*/, '')
/** xkevinx45's domain with its hostdevs replaced. */
const xkevinWith = (...devs: string[]) => edit(domains.xkevinWin10, /<hostdev[\s\S]*<\/hostdev>\n\s*<memballoon/, devs.join('\n    ').replace(/\n    <memballoon(?!$)/g, '\n    ').replace(/$/, ''))
/** A domain passing only what `devs` name, on J4nsen's machine. */
const onlyThese = (...devs: Array<[string, string, string]>) => edit(domains.j4nsenUsbOnly, /<hostdev[\s\S]*<\/hostdev>\n\s*<memballoon/, devs.map(([b, s, f]) => hostdev(b, s, f).replace(/\n    <memballoon$/, '')).join('\n    ') + '\n    <memballoon')
// lspci -nnk for J4nsen's GTX 1070 with the audio function still on the host driver.
const J4NSEN_KERNEL_DRIVERS = `04:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1070] [10de:1b81] (rev a1)
\tKernel driver in use: vfio-pci
04:00.1 Audio device [0403]: NVIDIA Corporation GP104 High Definition Audio Controller [10de:10f0] (rev a1)
\tKernel driver in use: snd_hda_intel
`

testCheck(check, {
  valid: [
    {name: 'GPU, audio and USB controller, groups whole (J4nsen vm-cpu0-0)', files: {'vm.xml': domains.j4nsenGtx1070, 'iommu.txt': listings.j4nsen}, passes: [/^domain vm-cpu0-0 \(vm\.xml\): 3 host device\(s\) checked$/]},
    {name: 'Navi 10 and its audio in separate groups (alshdavid)', files: {'gpu-test.xml': domains.alshdavidNavi, 'iommu.txt': listings.alshdavid}},
    {name: 'GTX 1060 and audio (xkevinx45, plain lspci)', files: {'win10.xml': domains.xkevinWin10, 'lspci.txt': xkevinLspci}},
    {name: "seed 000's group 1 passed without its PCIe bridge", files: {'win.xml': xkevinWith(hostdev('0x01', '0x00', '0x0'), hostdev('0x01', '0x00', '0x1')), 'iommu.txt': seed000Groups}},
    {name: 'a one-line listing (grep GTX) proves no address absent', files: {'win.xml': xkevinWith(hostdev('0x0f', '0x00', '0x0')), 'iommu.txt': 'IOMMU Group 1 01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1070] [10de:1b81] (rev a1)\n'}},
  ],
  invalid: [
    {
      name: 'the GPU without its HDMI audio (J4nsen vm-cpu0-0 edited)',
      files: {'vm.xml': noAudio, 'iommu.txt': listings.j4nsen},
      findings: [{
        id: 'hostdev-incomplete',
        severity: 'warning',
        subject: 'vm-cpu0-0 0000:04:00.1',
        message: /^domain vm-cpu0-0 \(vm\.xml\) passes 0000:04:00\.0 \[10de:1b81\] NVIDIA Corporation GP104 \[GeForce GTX 1070\] but not 0000:04:00\.1 \[10de:10f0\] NVIDIA Corporation GP104 High Definition Audio Controller, another function of the same card \(Audio device\)\.$/,
        evidence: /^<hostdev> source 0000:04:00\.0\n0000:04:00\.1 \[10de:10f0\] NVIDIA Corporation GP104 High Definition Audio Controller \(IOMMU group 20\)$/,
        fix: /"domain":"vm-cpu0-0","address":"0000:04:00\.1","device":"0000:04:00\.1 \[10de:10f0\] [^"]*","deviceAddress":"0000:04:00\.1","pciDomain":"0x0000","bus":"0x04","slot":"0x00","function":"0x1"/,
      }],
    },
    {
      name: 'the missing audio function is still on snd_hda_intel: not viable either',
      files: {'vm.xml': noAudio, 'iommu.txt': listings.j4nsen, 'lspci-nnk.txt': J4NSEN_KERNEL_DRIVERS},
      findings: [{id: 'hostdev-incomplete', severity: 'warning', subject: 'vm-cpu0-0 0000:04:00.1', message: /bound to snd_hda_intel, so qemu will also refuse the group as not viable/, evidence: /\(IOMMU group 20\), driver snd_hda_intel$/}],
    },
    {
      name: "seed 000's RX 580 without its audio (the bridge is not asked for)",
      files: {'win.xml': xkevinWith(hostdev('0x01', '0x00', '0x0')), 'iommu.txt': seed000Groups},
      findings: [{id: 'hostdev-incomplete', severity: 'warning', subject: 'win10 0000:01:00.1', message: /Ellesmere HDMI Audio/}],
    },
    {
      name: 'one USB controller of a shared group (alshdavid group 17)',
      files: {'vm.xml': onlyThese(['0x06', '0x00', '0x1']), 'iommu.txt': listings.alshdavid},
      findings: [
        {id: 'hostdev-incomplete', severity: 'warning', subject: 'vm-cpu1-1 0000:06:00.0', message: /IOMMU group 17/},
        {id: 'hostdev-incomplete', severity: 'warning', subject: 'vm-cpu1-1 0000:06:00.3'},
      ],
    },
    {
      name: 'a hostdev at 0f:00.0 on a host whose GTX 1060 is at 01:00.0',
      files: {'win.xml': xkevinWith(hostdev('0x0f', '0x00', '0x0'), hostdev('0x01', '0x00', '0x1')), 'lspci.txt': xkevinLspci},
      findings: [{id: 'hostdev-address-missing', severity: 'error', subject: 'win10 0000:0f:00.0', message: /did you mean 0000:01:00\.0/, fix: /"bus":"0x01"/}],
    },
    {
      name: 'only a hostdev at 0f:00.1 on the GTX 1060 host: the only discrete card has that function',
      files: {'win.xml': xkevinWith(hostdev('0x0f', '0x00', '0x1')), 'lspci.txt': xkevinLspci},
      findings: [{
        id: 'hostdev-address-missing',
        severity: 'error',
        subject: 'win10 0000:0f:00.1',
        message: /^domain win10 \(win\.xml\) passes 0000:0f:00\.1, which does not exist on this host; did you mean 0000:01:00\.1 NVIDIA Corporation GP106 High Definition Audio Controller\?$/,
        evidence: /^<hostdev> <source><address domain='0x0000' bus='0x0f' slot='0x00' function='0x1'\/>\nthe host's PCI device list \(18 devices\): no device at 0000:0f:00\.1$/,
        fix: /"deviceAddress":"0000:01:00\.1","pciDomain":"0x0000","bus":"0x01","slot":"0x00","function":"0x1"/,
      }],
    },
    {
      name: 'sysfs is the whole host: a hostdev at 0f:00.0 does not exist',
      files: {'win.xml': xkevinWith(hostdev('0x0f', '0x00', '0x0')), 'pci-sysfs.txt': '0000:00:00.0 vendor=8086 device=591f class=060000 iommu_group=0\n0000:01:00.0 vendor=10de device=1b81 class=030000 driver=vfio-pci iommu_group=1\n0000:01:00.1 vendor=10de device=10f0 class=040300 driver=vfio-pci iommu_group=1\n'},
      findings: [{id: 'hostdev-address-missing', severity: 'error', subject: 'win10 0000:0f:00.0', message: /; did you mean 0000:01:00\.0 \[10de:1b81\]\?$/, evidence: /\nthe PCI devices in sysfs: no device at 0000:0f:00\.0$/}],
    },
    {
      name: 'a hostdev at 0f:00.0 on a whole listing with two discrete cards: no guess',
      files: {'win.xml': xkevinWith(hostdev('0x0f', '0x00', '0x0')), 'iommu.txt': listings.j4nsen},
      findings: [{id: 'hostdev-address-missing', severity: 'error', subject: 'win10 0000:0f:00.0', message: /^domain win10 \(win\.xml\) passes 0000:0f:00\.0, which does not exist on this host\.$/, fix: /"device":"the device you mean \(see lspci -nn\)"/}],
    },
  ],
  unknown: [
    {name: 'a domain without a device list', files: {'vm.xml': domains.j4nsenGtx1070}},
    {name: 'a device list without domains', files: {'iommu.txt': listings.j4nsen}},
  ],
}, {skip: !hasShared})

/** Our sysfs dump of a desktop whose GTX 1070 shares group 1 with its root port and an ASMedia USB controller. */
const sharedGroupSysfs = [
  '# vfio-doctor pci-sysfs v1',
  '0000:00:00.0 vendor=8086 device=3e30 class=060000 iommu_group=0',
  '0000:00:01.0 vendor=8086 device=1901 class=060400 driver=pcieport iommu_group=1',
  '0000:00:14.0 vendor=8086 device=a36d class=0c0330 driver=xhci_hcd iommu_group=2',
  '0000:00:17.0 vendor=8086 device=a352 class=010601 driver=ahci iommu_group=3',
  '0000:01:00.0 vendor=10de device=1b81 class=030000 driver=vfio-pci iommu_group=1',
  '0000:01:00.1 vendor=10de device=10f0 class=040300 driver=vfio-pci iommu_group=1',
  '0000:02:00.0 vendor=1b21 device=2142 class=0c0330 driver=xhci_hcd iommu_group=1',
].join('\n') + '\n'
/** `lspci -n` (ids and class codes, no names) of a host with a GTX 1070 at 01:00 and an RX 580 at 03:00. */
const twoCardsNumeric = '00:00.0 0600: 8086:3e30 (rev 07)\n00:01.0 0604: 8086:1901 (rev 07)\n00:14.0 0c03: 8086:a36d (rev 10)\n00:17.0 0106: 8086:a352 (rev 10)\n01:00.0 0300: 10de:1b81 (rev a1)\n01:00.1 0403: 10de:10f0 (rev a1)\n03:00.0 0300: 1002:67df (rev e7)\n03:00.1 0403: 1002:aaf0\n'

/** Our sysfs dump of an X570 desktop whose RX 5700 XT's HDMI audio has a group of its own (21), on snd_hda_intel. */
const navi10SplitGroups = [
  '# vfio-doctor pci-sysfs v1',
  '0000:00:00.0 vendor=1022 device=1480 class=060000 iommu_group=0',
  '0000:00:03.1 vendor=1022 device=1483 class=060400 driver=pcieport iommu_group=1',
  '0000:00:08.1 vendor=1022 device=1484 class=060400 driver=pcieport iommu_group=3',
  '0000:00:14.0 vendor=1022 device=790b class=0c0500 driver=piix4_smbus iommu_group=2',
  '0000:0b:00.0 vendor=1002 device=731f class=030000 driver=vfio-pci iommu_group=20',
  '0000:0b:00.1 vendor=1002 device=ab38 class=040300 driver=snd_hda_intel iommu_group=21',
].join('\n') + '\n'
/** `lspci -n` of a host with an Intel iGPU (00:02.0), a GTX 1070 and an NVMe drive (02:00.0). */
const igpuAndCardNumeric = '00:00.0 0600: 8086:3e30 (rev 07)\n00:02.0 0300: 8086:3e92\n00:14.0 0c03: 8086:a36d (rev 10)\n00:17.0 0106: 8086:a352 (rev 10)\n01:00.0 0300: 10de:1b81 (rev a1)\n01:00.1 0403: 10de:10f0 (rev a1)\n02:00.0 0108: 144d:a808\n'

// Tables on inline evidence: they run without ../shared.
testCheck(check, {
  valid: [
    {name: 'lspci -n: both functions of each card passed, the pass line counts them', files: {'win10.xml': domainXml([], {hostdevs: ['01:00.0', '01:00.1', '03:00.0', '03:00.1']}), 'lspci-n.txt': twoCardsNumeric}, passes: [/^domain win10 \(win10\.xml\): 4 host device\(s\) checked$/]},
  ],
  invalid: [
    {
      name: 'sysfs groups (no listing): the USB controller sharing group 1 is left out and still on xhci_hcd; the root port is not asked for',
      files: {'win10.xml': domainXml([]), 'pci-sysfs.txt': sharedGroupSysfs},
      findings: [{
        id: 'hostdev-incomplete', severity: 'warning', subject: 'win10 0000:02:00.0',
        message: /^domain win10 \(win10\.xml\) passes 0000:01:00\.0 \[10de:1b81\] but not 0000:02:00\.0 \[1b21:2142\], which shares its IOMMU group 1: a group goes to the guest whole\. It is still bound to xhci_hcd, so qemu will also refuse the group as not viable\.$/,
        evidence: /^<hostdev> source 0000:01:00\.0\n0000:02:00\.0 \[1b21:2142\] \(IOMMU group 1\), driver xhci_hcd$/,
        fix: /^\{"domain":"win10","address":"0000:02:00\.0","device":"0000:02:00\.0 \[1b21:2142\]","deviceAddress":"0000:02:00\.0","pciDomain":"0x0000","bus":"0x02","slot":"0x00","function":"0x0"\}$/,
      }],
    },
    {
      name: 'lspci -n: the GTX 1070 without its audio function, which has no class name to say',
      files: {'win10.xml': domainXml([], {hostdevs: ['01:00.0', '03:00.0', '03:00.1']}), 'lspci-n.txt': twoCardsNumeric},
      findings: [{id: 'hostdev-incomplete', severity: 'warning', subject: 'win10 0000:01:00.1', message: /, another function of the same card \(function 1\)\.$/, evidence: /^<hostdev> source 0000:01:00\.0\n0000:01:00\.1 \[10de:10f0\]$/}],
    },
    {
      name: 'a hostdev at 0f:00.0 with two discrete cards: --gpu says which one was meant',
      files: {'win10.xml': domainXml([], {hostdevs: ['0f:00.0']}), 'lspci-n.txt': twoCardsNumeric},
      gpu: '03:00.0',
      findings: [{id: 'hostdev-address-missing', severity: 'error', subject: 'win10 0000:0f:00.0', message: /; did you mean 0000:03:00\.0 \[1002:67df\]\?$/, fix: /"deviceAddress":"0000:03:00\.0"/}],
    },
    {
      name: 'a hostdev at 0f:00.0 beside the iGPU (on bus 00) and an NVMe drive: the only discrete card is the guess',
      files: {'win10.xml': domainXml([], {hostdevs: ['0f:00.0']}), 'lspci-n.txt': igpuAndCardNumeric},
      findings: [{id: 'hostdev-address-missing', severity: 'error', subject: 'win10 0000:0f:00.0', message: /; did you mean 0000:01:00\.0 \[10de:1b81\]\?$/, evidence: /\nthe host's PCI device list \(7 devices\): no device at 0000:0f:00\.0$/}],
    },
    {
      name: 'the RX 5700 XT without its audio, which has a group of its own: on snd_hda_intel, yet the GPU\'s group stays viable',
      files: {'win10.xml': domainXml([], {hostdevs: ['0b:00.0']}), 'pci-sysfs.txt': navi10SplitGroups},
      findings: [{id: 'hostdev-incomplete', severity: 'warning', subject: 'win10 0000:0b:00.1', message: /^domain win10 \(win10\.xml\) passes 0000:0b:00\.0 \[1002:731f\] but not 0000:0b:00\.1 \[1002:ab38\], another function of the same card \(function 1\)\.$/, evidence: /\n0000:0b:00\.1 \[1002:ab38\] \(IOMMU group 21\), driver snd_hda_intel$/}],
    },
    {
      name: 'a hostdev at 0f:00.1 beside both cards\' GPUs: function 1 of which card is not known, so no guess',
      files: {'win10.xml': domainXml([], {hostdevs: ['01:00.0', '03:00.0', '0f:00.1']}), 'lspci-n.txt': twoCardsNumeric},
      gpu: '03:00.0',
      findings: [
        {id: 'hostdev-address-missing', severity: 'error', subject: 'win10 0000:0f:00.1', message: /passes 0000:0f:00\.1, which does not exist on this host\.$/},
        {id: 'hostdev-incomplete', severity: 'warning', subject: 'win10 0000:01:00.1'},
        {id: 'hostdev-incomplete', severity: 'warning', subject: 'win10 0000:03:00.1'},
      ],
    },
  ],
  unknown: [
    {name: 'a <features> fragment: no host device to judge', files: {'win10-features.xml': '<features>\n  <acpi/>\n  <apic/>\n</features>\n', 'lspci-n.txt': igpuAndCardNumeric}, reason: /^the domain XML is a fragment without <devices> or <hostdev>$/},
  ],
})

it('hostdev-devices: a domain without host devices prints no passed line', () => {
  const r = runCase(check, {name: 'x', files: {'win10.xml': domainXml([], {hostdevs: []}), 'lspci-n.txt': twoCardsNumeric}})
  expect(r.status).toBe('passed')
  expect(r.passes).toEqual([])
})
