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
