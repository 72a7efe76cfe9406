import check from '../../checks/pcie-errors.js'
import {testCheck} from '../helpers/check-tester.js'
import {hasShared} from '../helpers/paths.js'
import {corpus, DMESG, seed003Dmesg} from './host-data.js'

const l490 = corpus(DMESG.l490)
// The kernel's AER lines (format of the l490 log) for seed 003's GTX 1070 at 01:00.0.
const gpuAer = (severity: string): string =>
  [
    '[  812.114411] pcieport 0000:00:01.0: AER: Corrected error received: 0000:01:00.0',
    `[  812.114420] vfio-pci 0000:01:00.0: AER: PCIe Bus Error: severity=${severity}, type=Physical Layer, (Receiver ID)`,
    '[  812.114423] vfio-pci 0000:01:00.0: AER:   device [10de:1b81] error status/mask=00000001/0000e000',
    '[  812.114425] vfio-pci 0000:01:00.0: AER:    [ 0] RxErr',
  ].join('\n')

testCheck(check, {
  valid: [
    {name: 'seed 003: its vfio lines, no AER errors', files: {'dmesg.txt': seed003Dmesg()}, passes: [/^no "PCIe Bus Error" lines in the kernel log$/]},
    {name: 'real Navi 10 host: "AER: enabled" lines only', files: {'dmesg.txt': corpus(DMESG.navi10)}},
  ],
  invalid: [
    {
      name: 'real L490 log: corrected errors on the NVMe link, nothing passed through',
      files: {'dmesg.txt': l490},
      findings: [{id: 'pcie-aspm-errors', severity: 'info', subject: '0000:00:1d.0', message: /0000:00:1d\.0 \(15\), 0000:04:00\.0 \(19\)/}],
    },
    {
      name: 'real L490 log with the NVMe bound to vfio-pci: errors on it and on the root port above it (bridge to [bus 04])',
      files: {'dmesg.txt': l490, 'pci-sysfs.txt': '0000:04:00.0 vendor=8086 device=f1a6 class=010802 driver=vfio-pci iommu_group=12\n'},
      findings: [
        {id: 'pcie-aspm-errors', severity: 'warning', subject: '0000:04:00.0', message: /19 corrected PCIe error\(s\) on 0000:04:00\.0/},
        {id: 'pcie-aspm-errors', severity: 'warning', subject: '0000:00:1d.0', message: /on 0000:00:1d\.0, the port above 0000:04:00\.0/},
      ],
    },
    {
      name: 'seed 003 host with corrected errors on the GTX 1070 ("you might need pcie_aspm=off")',
      files: {'dmesg.txt': `${seed003Dmesg()}\n${gpuAer('Corrected')}`},
      findings: [{id: 'pcie-aspm-errors', severity: 'warning', subject: '0000:01:00.0', fix: /"address":"0000:01:00.0"/}],
    },
    {
      name: 'errors on the GPU although pcie_aspm=off is set: the link, not ASPM',
      files: {'dmesg.txt': `${seed003Dmesg()}\n${gpuAer('Corrected')}`, 'cmdline.txt': 'root=/dev/sda1 intel_iommu=on iommu=pt pcie_aspm=off'},
      findings: [{id: 'pcie-aspm-errors', severity: 'warning', subject: '0000:01:00.0', message: /pcie_aspm=off is already set/}],
    },
    {
      name: 'uncorrected errors on the GPU',
      files: {'dmesg.txt': `${seed003Dmesg()}\n${gpuAer('Uncorrected (Non-Fatal)')}`},
      findings: [{id: 'pcie-aspm-errors', severity: 'error', subject: '0000:01:00.0', message: /uncorrected/}],
    },
  ],
  unknown: [{name: 'no kernel log', files: {'cmdline.txt': 'root=/dev/sda1 pcie_aspm=off'}, reason: /kernelLog|kernel log/}],
}, {skip: !hasShared})

/** The same AER lines for any device and driver (inline, no ../shared needed). */
const aer = (driver: string, address: string, severity: string, second = 812): string =>
  [
    `[  ${second}.114411] pcieport 0000:00:01.0: AER: Corrected error received: ${address}`,
    `[  ${second}.114420] ${driver} ${address}: AER: PCIe Bus Error: severity=${severity}, type=Physical Layer, (Receiver ID)`,
    `[  ${second}.114423] ${driver} ${address}: AER:   device [10de:1b81] error status/mask=00000001/0000e000`,
    `[  ${second}.114425] ${driver} ${address}: AER:    [ 0] RxErr`,
  ].join('\n')
// A GTX 1070 and its audio function bound to vfio-pci, the host's RX 580 on amdgpu, an NVMe drive.
const SYSFS = [
  '0000:01:00.0 vendor=10de device=1b81 class=030000 driver=vfio-pci iommu_group=1',
  '0000:01:00.1 vendor=10de device=10f0 class=040300 driver=vfio-pci iommu_group=1',
  '0000:0c:00.0 vendor=1002 device=67df class=030000 driver=amdgpu iommu_group=20',
  '0000:04:00.0 vendor=144d device=a808 class=010802 driver=nvme iommu_group=12',
].join('\n')
const NOTHING_PASSED = SYSFS.replace(/driver=vfio-pci/g, 'driver=nvidia')
const aerLine = (address: string, line: number) => `kernel log line ${line}: \\S+ ${address.replaceAll('.', '\\.')}: AER: PCIe Bus Error: severity=Corrected, type=Physical Layer, \\(Receiver ID\\)`
testCheck(check, {
  valid: [],
  invalid: [
    {
      name: 'errors on the passed GPU, no pcie_aspm on the command line: the message says nothing of it',
      files: {'dmesg.txt': aer('vfio-pci', '0000:01:00.0', 'Corrected'), 'pci-sysfs.txt': SYSFS},
      findings: [{id: 'pcie-aspm-errors', severity: 'warning', subject: '0000:01:00.0', message: /^1 corrected PCIe error\(s\) on 0000:01:00\.0 \[10de:1b81\]\.$/, evidence: new RegExp(`^${aerLine('0000:01:00.0', 2)}$`)}],
    },
    {
      name: "errors on the passed GPU's audio function: the same card, not a port above it",
      files: {'dmesg.txt': aer('vfio-pci', '0000:01:00.1', 'Corrected'), 'pci-sysfs.txt': SYSFS},
      findings: [{id: 'pcie-aspm-errors', severity: 'warning', subject: '0000:01:00.1', message: /^1 corrected PCIe error\(s\) on 0000:01:00\.1 \[10de:10f0\]\.$/}],
    },
    {
      name: 'pcie_aspm=off is set and the passed GPU still has errors',
      files: {'dmesg.txt': aer('vfio-pci', '0000:01:00.0', 'Corrected'), 'pci-sysfs.txt': SYSFS, 'cmdline.txt': 'BOOT_IMAGE=/vmlinuz root=/dev/sda1 intel_iommu=on pcie_aspm=off'},
      findings: [{
        id: 'pcie-aspm-errors',
        severity: 'warning',
        subject: '0000:01:00.0',
        message: /^1 corrected PCIe error\(s\) on 0000:01:00\.0 \[10de:1b81\]; pcie_aspm=off is already set, so link power management is not the cause: look at the slot, riser or link speed\.$/,
        evidence: new RegExp(`^${aerLine('0000:01:00.0', 2)}\nkernel command line: BOOT_IMAGE=/vmlinuz root=/dev/sda1 intel_iommu=on pcie_aspm=off$`),
      }],
    },
    {
      name: 'pcie_aspm=force and mitigations=off are not pcie_aspm=off',
      files: {'dmesg.txt': aer('vfio-pci', '0000:01:00.0', 'Corrected'), 'pci-sysfs.txt': SYSFS, 'cmdline.txt': 'BOOT_IMAGE=/vmlinuz root=/dev/sda1 mitigations=off pcie_aspm=force'},
      findings: [{id: 'pcie-aspm-errors', severity: 'warning', subject: '0000:01:00.0', message: /^1 corrected PCIe error\(s\) on 0000:01:00\.0 \[10de:1b81\]\.$/, evidence: new RegExp(`^${aerLine('0000:01:00.0', 2)}$`)}],
    },
    {
      name: 'five error events on the passed GPU: four lines quoted, the rest counted',
      files: {'dmesg.txt': [812, 813, 814, 815, 816].map((s) => aer('vfio-pci', '0000:01:00.0', 'Corrected', s)).join('\n'), 'pci-sysfs.txt': SYSFS},
      findings: [{
        id: 'pcie-aspm-errors',
        severity: 'warning',
        subject: '0000:01:00.0',
        message: /^5 corrected PCIe error\(s\)/,
        evidence: new RegExp(`^${[2, 6, 10, 14].map((l) => aerLine('0000:01:00.0', l)).join('\n')}\n\\.\\.\\. 1 more$`),
        fix: /"count":"5"/,
      }],
    },
    {
      name: 'four error events on the passed GPU: all four quoted, nothing counted',
      files: {'dmesg.txt': [812, 813, 814, 815].map((s) => aer('vfio-pci', '0000:01:00.0', 'Corrected', s)).join('\n'), 'pci-sysfs.txt': SYSFS},
      findings: [{id: 'pcie-aspm-errors', severity: 'warning', subject: '0000:01:00.0', evidence: new RegExp(`^${[2, 6, 10, 14].map((l) => aerLine('0000:01:00.0', l)).join('\n')}$`)}],
    },
    {
      name: "errors on the host's own GPU while another GPU is passed: information, not the guest's link",
      files: {'dmesg.txt': aer('amdgpu', '0000:0c:00.0', 'Corrected'), 'pci-sysfs.txt': SYSFS},
      findings: [{id: 'pcie-aspm-errors', severity: 'info', subject: '0000:0c:00.0', message: /^PCIe AER errors on 0000:0c:00\.0 \(1\), not on or above the passed device: a host link problem, not a passthrough one\.$/}],
    },
    {
      name: 'nothing passed: errors on a GPU are taken to be on the one meant for the guest',
      files: {'dmesg.txt': aer('amdgpu', '0000:0c:00.0', 'Corrected'), 'pci-sysfs.txt': NOTHING_PASSED},
      findings: [{id: 'pcie-aspm-errors', severity: 'warning', subject: '0000:0c:00.0', fix: /^\{"address":"0000:0c:00\.0","card":"0000:0c:00\.0","count":"1"\}$/}],
    },
    {
      name: 'nothing passed, errors on the NVMe drive only: information, two lines of each device quoted',
      files: {'dmesg.txt': [aer('nvme', '0000:04:00.0', 'Corrected'), aer('nvme', '0000:04:00.0', 'Corrected', 813), aer('nvme', '0000:04:00.0', 'Corrected', 814)].join('\n'), 'pci-sysfs.txt': NOTHING_PASSED},
      findings: [{
        id: 'pcie-aspm-errors',
        severity: 'info',
        subject: '0000:04:00.0',
        message: /^PCIe AER errors on 0000:04:00\.0 \(3\): a host link problem, not a passthrough one unless one of these is the device you pass through or its port\.$/,
        evidence: new RegExp(`^${aerLine('0000:04:00.0', 2)}\n${aerLine('0000:04:00.0', 6)}$`),
        fix: /"count":"3"/,
      }],
    },
  ],
})
