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

/** The kernel's lines for a card vfio-pci holds that did not come back (seed 001's, at another address). */
const stuckAt = (address: string) =>
  `[ 1843.206113] vfio-pci ${address}: timed out waiting for pending transaction; performing function level reset anyway\n[ 1844.457230] vfio-pci ${address}: Unable to change power state from D3cold to D0, device inaccessible\n`
const NVIDIA_ON_VFIO = `${NVIDIA_ON_HOST.replace('Kernel driver in use: nvidia', 'Kernel driver in use: vfio-pci')}01:00.1 Audio device [0403]: NVIDIA Corporation GP104 High Definition Audio Controller [10de:10f0] (rev a1)\n\tKernel driver in use: vfio-pci\n`
/** An RX 6800 (Navi 21): AMD, but not a family vendor-reset lists. */
const NAVI21 = '03:00.0 VGA compatible controller [0300]: Advanced Micro Devices, Inc. [AMD/ATI] Navi 21 [Radeon RX 6800/6800 XT / 6900 XT] [1002:73bf] (rev c1)\n\tKernel driver in use: vfio-pci\n'
const LSMOD_NO_VENDOR_RESET = 'Module Size Used by\nvfio_pci 16384 0\n'

testCheck(check, {
  valid: [
    {name: 'seed 003: an NVIDIA card, no reset trouble', files: {'dmesg.txt': seed003Dmesg(), 'iommu-groups.txt': seed003Groups()}, passes: [/^no reset failure in the evidence and no passed GPU of an affected family$/]},
    {
      name: "the Navi 10 host's USB controller, held by vfio-pci, did not come back: not a GPU, and the pass says so",
      files: {'dmesg.txt': stuckAt('0000:0d:00.3'), 'iommu-groups.txt': navi10Groups},
      passes: [/^no GPU among the devices that did not come back from a reset \(0000:0d:00\.3 \[1022:149c\] [^)]*Matisse USB 3\.0 Host Controller\), and no passed GPU of an affected family$/],
    },
    {
      name: 'real Navi 10 host with vendor-reset active (reset_method device_specific)',
      files: {'dmesg.txt': navi10Log, 'iommu-groups.txt': navi10Groups, 'pci-sysfs.txt': '0000:0b:00.0 vendor=1002 device=731f class=030000 driver=vfio-pci iommu_group=25 reset_method=device_specific,bus\n'},
      passes: [/^0000:0b:00\.0 \(Navi 10\) resets through vendor-reset \(reset_method device_specific\)$/],
    },
    {
      name: 'Navi 10 with vendor-reset on 5.10 (before reset_method existed)',
      files: {'dmesg.txt': navi10Log, 'iommu-groups.txt': navi10Groups, 'lsmod.txt': 'Module Size Used by\nvendor_reset 118784 0\n', 'uname.txt': '5.10.96-1-MANJARO'},
      passes: [/^0000:0b:00\.0 \(Navi 10\): vendor-reset is loaded$/],
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
      findings: [{id: 'gpu-reset-bug', severity: 'warning', subject: '0000:0b:00.0', message: /^vendor-reset is loaded, but 0000:0b:00\.0 \(Navi 10\) still resets with "bus": on kernel 5\.15 and later vendor-reset only acts when reset_method is device_specific\.$/, evidence: /^lsmod: vendor_reset\n0000:0b:00\.0 reset_method: bus\nrunning kernel 5\.17\.1-3-MANJARO$/, fix: /"address":"0000:0b:00.0"/}],
    },
    {
      name: 'the Navi 10 host with lsmod (no vendor_reset) and reset_method flr,bus',
      files: {'dmesg.txt': navi10Log, 'iommu-groups.txt': navi10Groups, 'lsmod.txt': LSMOD_NO_VENDOR_RESET, 'pci-sysfs.txt': '0000:0b:00.0 vendor=1002 device=731f class=030000 driver=vfio-pci iommu_group=25 reset_method=flr,bus\n'},
      findings: [{id: 'gpu-reset-bug', severity: 'info', subject: '0000:0b:00.0', message: /is a Navi 10 card, a family with the AMD reset bug: it may not come back after the VM shuts down\. vendor-reset is not loaded\.$/, evidence: /^0000:0b:00\.0 \[1002:731f\] [^\n]*: passed to the guest\nreset_method: flr bus\nlsmod: no vendor_reset$/}],
    },
    {
      name: 'a GTX 1070 on vfio-pci stuck in D3cold: not an AMD reset-bug family',
      files: {'dmesg.txt': stuckAt('0000:01:00.0'), 'lspci-nnk.txt': NVIDIA_ON_VFIO},
      findings: [{id: 'gpu-reset-bug', severity: 'warning', subject: '0000:01:00.0', message: /^0000:01:00\.0 \[10de:1b81\] NVIDIA Corporation GP104 \[GeForce GTX 1070\] did not come back from a reset after a guest used it: .*It is not one of the AMD families with the reset bug/, evidence: /vfio-pci 0000:01:00\.0: Unable to change power state from D3cold to D0/, fix: /"address":"0000:01:00.0"/}],
    },
    {
      name: "the GTX 1070's audio function stuck: the card is named by its GPU",
      files: {'dmesg.txt': stuckAt('0000:01:00.1'), 'lspci-nnk.txt': NVIDIA_ON_VFIO},
      findings: [{id: 'gpu-reset-bug', severity: 'warning', subject: '0000:01:00.0', message: /^0000:01:00\.0 \[10de:1b81\] NVIDIA/, evidence: /vfio-pci 0000:01:00\.1: timed out/}],
    },
    {
      name: 'an RX 6800 (Navi 21) stuck: an AMD GPU, an error, but no reset-bug family named',
      files: {'dmesg.txt': stuckAt('0000:03:00.0'), 'lspci-nnk.txt': NAVI21},
      findings: [{id: 'gpu-reset-bug', severity: 'error', subject: '0000:03:00.0', message: /^0000:03:00\.0 \[1002:73bf\] [^:]*Navi 21 [^:]*did not come back from a reset: until the host reboots, the card cannot be used again\.$/}],
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
    {
      name: 'header type 127 on the same USB controller of an Intel host: asleep or fell off the bus',
      files: {'virsh-start.txt': header127('0000:0d:00.3'), 'iommu-groups.txt': navi10Groups, 'cpuinfo.txt': corpus(CPUINFO.intel)},
      findings: [{id: 'pci-header-127', severity: 'error', subject: '0000:0d:00.3', message: /^0000:0d:00\.3 \[1022:149c\] [^:]*Matisse USB 3\.0 Host Controller answers config reads with all ones \("header type 127"\): the device stopped answering: it is powered down \(D3cold\) or fell off the bus/, evidence: /^virsh-start\.txt line 2: error: internal error: Unknown PCI header type '127' for device '0000:0d:00\.3'$/, fix: /"address":"0000:0d:00.3"/}],
    },
    {
      name: "the kernel's own words for it: \"unknown header type 7f\"",
      files: {'dmesg.txt': '[  100.000000] pci 0000:0d:00.3: unknown header type 7f, ignoring device\n', 'iommu-groups.txt': navi10Groups},
      findings: [{id: 'pci-header-127', severity: 'error', subject: '0000:0d:00.3', evidence: /unknown header type 7f/}],
    },
    {
      name: "header type 127 on a GTX 1070 nouveau holds",
      files: {'virsh-start.txt': header127('0000:01:00.0'), 'lspci-nnk.txt': NVIDIA_ON_HOST.replace('Kernel driver in use: nvidia', 'Kernel driver in use: nouveau')},
      findings: [{id: 'pci-header-127', severity: 'error', subject: '0000:01:00.0', message: /it is bound to nouveau on the host, which lets it sleep in D3cold/}],
    },
    {
      name: 'libvirt names no device: the header type 127 is still reported',
      files: {'virsh-start.txt': "error: Failed to start domain 'win10'\nerror: internal error: Unknown PCI header type '127'\n"},
      findings: [{id: 'pci-header-127', severity: 'error', message: /^A passed-through device answers config reads with all ones/}],
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
    {
      name: 'devset 408 (ultimate-macOS-KVM#145): qemu "Cannot reset device 0000:04:00.0, depends on group 37 which is not owned." (an RX 5500 XT, black after a guest restart)',
      files: {'terminal.txt': devsetFile('408-autopilot-5500xt-cannot-reset-group-not-owned', 'terminal.txt')},
      findings: [{id: 'gpu-reset-bug', severity: 'warning', subject: '0000:04:00.0', message: /^qemu cannot reset 0000:04:00\.0 between VM runs: the card has no reset of its own/, evidence: /terminal\.txt line 1: qemu-system-x86_64: vfio: Cannot reset device 0000:04:00\.0, depends on group 37/}],
    },
    {
      name: 'the same qemu line for a Navi 10 card the listing names: its family is said',
      files: {'qemu.log': 'qemu-system-x86_64: vfio: Cannot reset device 0000:0b:00.0, depends on group 24 which is not owned.\n', 'lspci-nn.txt': '0b:00.0 VGA compatible controller [0300]: Advanced Micro Devices, Inc. [AMD/ATI] Navi 10 [Radeon RX 5600 OEM/5600 XT / 5700/5700 XT] [1002:731f] (rev c1)\n'},
      findings: [{id: 'gpu-reset-bug', severity: 'warning', subject: '0000:0b:00.0', message: /\(Navi 10: a family with the AMD reset bug\) between VM runs/}],
    },
  ],
  unknown: [],
})

// qemu's "Cannot reset device" is about function 0, and only a GPU's.
testCheck(check, {
  valid: [
    {
      name: "the seeded host's qemu log: the GPU's audio function (01:00.1) cannot be reset, as on many working hosts",
      files: {'qemu-win11.log': 'qemu-system-x86_64: vfio: Cannot reset device 0000:01:00.1, depends on group 14 which is not owned.\n'},
      passes: [/^no reset failure in the evidence/],
    },
    {
      name: 'a USB controller that cannot be reset is not a GPU reset problem',
      files: {'qemu.log': 'qemu-system-x86_64: vfio: Cannot reset device 0000:00:14.0, depends on group 5 which is not owned.\n', 'lspci-nn.txt': '00:14.0 USB controller [0c03]: Intel Corporation 100 Series/C230 Series Chipset Family USB 3.0 xHCI Controller [8086:a12f] (rev 31)\n'},
      passes: [/^no GPU among the devices that did not come back from a reset \(0000:00:14\.0 \[8086:a12f\]/],
    },
  ],
  invalid: [],
  unknown: [],
})
