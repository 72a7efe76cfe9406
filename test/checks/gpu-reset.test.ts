import check from '../../checks/gpu-reset.js'
import {testCheck} from '../helpers/check-tester.js'
import {devsetFile, hasShared} from '../helpers/paths.js'
import {corpus, CPUINFO, DMESG, NAVI10_GROUPS, seed001Groups, seed003Dmesg, seed003Groups} from './host-data.js'

const navi10Log = corpus(DMESG.navi10)
const navi10Groups = corpus(NAVI10_GROUPS)
// libvirt's words when a device no longer answers (bryansteiner/gpu-passthrough-tutorial#39).
const header127 = (address: string): string => `error: Failed to start domain 'win10'\nerror: internal error: Unknown PCI header type '127' for device '${address}'\n`
// Seed 001's RX 480 after a VM shutdown, in the kernel's words.
const POLARIS_STUCK = [
  '[ 1843.206113] vfio-pci 0000:23:00.0: timed out waiting for pending transaction; performing function level reset anyway',
  '[ 1844.457230] vfio-pci 0000:23:00.0: Unable to change power state from D3cold to D0, device inaccessible',
].join('\n')
const NVIDIA_ON_HOST = `01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1070] [10de:1b81] (rev a1)
\tSubsystem: Gigabyte Technology Co., Ltd GP104 [GeForce GTX 1070] [1458:3702]
\tKernel driver in use: nvidia
\tKernel modules: nouveau, nvidia_drm, nvidia
`

testCheck(check, {
  valid: [
    {name: 'seed 003: an NVIDIA card, no reset trouble', files: {'dmesg.txt': seed003Dmesg(), 'iommu-groups.txt': seed003Groups()}},
    {
      name: 'real Navi 10 host with vendor-reset active (reset_method device_specific)',
      files: {'dmesg.txt': navi10Log, 'iommu-groups.txt': navi10Groups, 'pci-sysfs.txt': '0000:0b:00.0 vendor=1002 device=731f class=030000 driver=vfio-pci iommu_group=25 reset_method=device_specific,bus\n'},
    },
    {
      name: 'Navi 10 with vendor-reset on 5.10 (before reset_method existed)',
      files: {'dmesg.txt': navi10Log, 'iommu-groups.txt': navi10Groups, 'lsmod.txt': 'Module Size Used by\nvendor_reset 118784 0\n', 'uname.txt': '5.10.96-1-MANJARO'},
    },
    {name: "real L490 log: an NVMe that can't change power state is not a GPU reset problem", files: {'dmesg.txt': corpus(DMESG.l490)}},
  ],
  invalid: [
    {
      name: 'real Navi 10 host (corpus log and group listing): RX 5700 XT on vfio-pci, a reset-bug family',
      files: {'dmesg.txt': navi10Log, 'iommu-groups.txt': navi10Groups},
      findings: [{id: 'gpu-reset-bug', severity: 'info', subject: '0000:0b:00.0', message: /Navi 10 card, a family with the AMD reset bug/, fix: /"address":"0000:0b:00.0"/}],
    },
    {
      name: 'Navi 10 with vendor-reset loaded but reset_method still "bus" on 5.17',
      files: {
        'dmesg.txt': navi10Log,
        'iommu-groups.txt': navi10Groups,
        'lsmod.txt': 'Module Size Used by\nvendor_reset 118784 0\n',
        'pci-sysfs.txt': '0000:0b:00.0 vendor=1002 device=731f class=030000 driver=vfio-pci iommu_group=25 reset_method=bus\n',
        'uname.txt': '5.17.1-3-MANJARO\n',
      },
      findings: [{id: 'gpu-reset-bug', severity: 'warning', subject: '0000:0b:00.0', message: /only acts when reset_method is device_specific/}],
    },
    {
      name: 'seed 001 RX 480 (Polaris 10) stuck in D3cold after the VM stopped',
      files: {'dmesg.txt': POLARIS_STUCK, 'iommu-groups.txt': seed001Groups()},
      findings: [{id: 'gpu-reset-bug', severity: 'error', subject: '0000:23:00.0', message: /Polaris 10: a family with the AMD reset bug/, evidence: /D3cold to D0/}],
    },
    {
      name: 'seed 001 RX 480 and libvirt "Unknown PCI header type \'127\'": the reset bug is the cause',
      files: {'virsh-start.txt': header127('0000:23:00.0'), 'iommu-groups.txt': seed001Groups()},
      findings: [{id: 'gpu-reset-bug', severity: 'error', subject: '0000:23:00.0', evidence: /Unknown PCI header type '127'/}],
    },
    {
      name: "header type 127 on an NVIDIA card the host's nvidia driver holds",
      files: {'virsh-start.txt': header127('0000:01:00.0'), 'lspci-nnk.txt': NVIDIA_ON_HOST},
      findings: [{id: 'pci-header-127', severity: 'error', subject: '0000:01:00.0', message: /bound to nvidia on the host/}],
    },
    {
      name: 'header type 127 on a USB controller of an AMD platform: firmware (AGESA) is a suspect',
      files: {'virsh-start.txt': header127('0000:0d:00.3'), 'iommu-groups.txt': navi10Groups, 'cpuinfo.txt': corpus(CPUINFO.amd)},
      findings: [{id: 'pci-header-127', severity: 'error', subject: '0000:0d:00.3', message: /AGESA/}],
    },
  ],
  unknown: [{name: 'only a cpuinfo', files: {'cpuinfo.txt': corpus(CPUINFO.amd)}, reason: /the evidence has no kernel log, no qemu or libvirt log, no PCI device list/}],
}, {skip: !hasShared})

// Real fragments from the development set (in the repository, so these run without ../shared).
testCheck(check, {
  valid: [],
  invalid: [
    {
      name: 'devset 124 (kata-containers#11708): a card vfio-pci holds stays in D3cold; which card is not in the evidence',
      files: {'dmesg.txt': devsetFile('124-d3cold-vfio-after-pod-cycles', 'dmesg.txt')},
      findings: [{id: 'gpu-reset-bug', severity: 'warning', subject: '0000:01:00.0', message: /^0000:01:00\.0 \(held by vfio-pci\) did not come back from a reset.*add `lspci -nn`/, evidence: /Unable to change power state from D3cold to D0/}],
    },
    {
      name: "devset 306 (vendor-reset#3): vendor-reset's Vega 10 reset, then \"Failed to send message 0x6: return 0x0\" (the SMU does not answer)",
      files: {'dmesg.txt': devsetFile('306-vendor-reset-vega10-shutdown-smu-error', 'dmesg.txt')},
      findings: [{id: 'gpu-reset-bug', severity: 'warning', subject: '0000:45:00.0', message: /vendor-reset handles it as AMD_VEGA10, and its reset did not bring the card back either/, evidence: /Failed to send message 0x6: return 0x0/}],
    },
  ],
  unknown: [],
})
