import check from '../../checks/iommu-mapping.js'
import {testCheck} from '../helpers/check-tester.js'
import {hasShared} from '../helpers/paths.js'
import {corpus, DMESG, linesOf} from './host-data.js'

const RMRR_REFUSED = '[  116.814073] vfio-pci 0000:0b:00.0: Device is ineligible for IOMMU domain attach due to platform RMRR requirement.  Contact your platform vendor.'
// qemu's words for an IOMMU attach the kernel refused (RMRR and missing interrupt remapping alike).
const CONTAINER_EPERM = '2024-03-01T10:00:00.123456Z qemu-system-x86_64: -device vfio-pci,host=0000:0b:00.0,id=hostdev0,bus=pci.4,addr=0x0: vfio 0000:0b:00.0: failed to setup container for group 17: Failed to set iommu for container: Operation not permitted'
const IR_REFUSED = '[  352.6] vfio_iommu_type1_attach_group: No interrupt remapping support.  Use the module param "allow_unsafe_interrupts" to enable VFIO IOMMU support on this platform'
const DMA_EINVAL = [
  '2024-03-01T10:00:01.000000Z qemu-system-x86_64: vfio_dma_map(0x55f6d8a9a3c0, 0x8000000000, 0x10000000, 0x7f1b3c000000) = -22 (Invalid argument)',
  'qemu: hardware error: vfio: DMA mapping failed, unable to continue',
].join('\n')
const MEMLOCK = '[  101.273110] vfio_pin_pages_remote: RLIMIT_MEMLOCK (65536) exceeded'
const intelWidth = linesOf(corpus(DMESG.intelDefaultOn), /Host address width/)

testCheck(check, {
  valid: [
    {name: 'real Proxmox passthrough log', files: {'dmesg.txt': corpus(DMESG.proxmox5700u)}, passes: [/^no RMRR refusal and no failed DMA mapping in the logs$/]},
    {name: 'real Intel log: "DMAR: RMRR base" lines are the regions, not a refusal', files: {'dmesg.txt': corpus('dmesg/Arthurmeade12__Stuff__dmesg.txt')}},
    {name: 'qemu refused the container and the kernel says why: interrupt remapping (interrupt-remapping reports it)', files: {'qemu-win10.log': CONTAINER_EPERM, 'dmesg.txt': IR_REFUSED}},
  ],
  invalid: [
    {
      name: 'the kernel refuses the device for its RMRR',
      files: {'dmesg.txt': RMRR_REFUSED},
      findings: [{id: 'rmrr-conflict', severity: 'error', subject: '0000:0b:00.0', fix: /"address":"0000:0b:00.0"/}],
    },
    {
      name: 'only qemu\'s "Operation not permitted": RMRR or interrupt remapping, the kernel log would tell',
      files: {'qemu-win10.log': CONTAINER_EPERM},
      findings: [{id: 'rmrr-conflict', severity: 'info', message: /either the firmware reserves memory for it \(RMRR\) or the platform lacks interrupt remapping/}],
    },
    {
      name: 'DMA mapping failed with -22 on a 39-bit Intel IOMMU (real "Host address width" line)',
      files: {'qemu-win10.log': DMA_EINVAL, 'dmesg.txt': intelWidth},
      findings: [{id: 'dma-mapping-failed', severity: 'error', message: /this IOMMU: 39 bits/, fix: /"bits":"39","domain":"VM"/}],
    },
    {
      name: 'the memlock limit: RLIMIT_MEMLOCK exceeded',
      files: {'dmesg.txt': MEMLOCK},
      findings: [{id: 'dma-mapping-failed', severity: 'error', message: /RLIMIT_MEMLOCK/}],
    },
  ],
  unknown: [{name: 'only a command line', files: {'cmdline.txt': 'root=/dev/sda1 intel_iommu=on'}, reason: /the evidence has no kernel log, no qemu or libvirt log/}],
}, {skip: !hasShared})
