import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {expect, it} from 'vitest'
import check from '../../checks/iommu-mapping.js'
import {runCase, testCheck, type EvidenceFiles} from '../helpers/check-tester.js'
import {fixturesDir, hasShared} from '../helpers/paths.js'
import {diskImage, domainXml} from '../helpers/seed-xml.js'
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

const GTX1070 = '0b:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1070] [10de:1b81] (rev a1)\n'
// The kernel's words pasted into the qemu log the user shares, after qemu's own.
const QEMU_WITH_RMRR = `${CONTAINER_EPERM}\n${RMRR_REFUSED.replace(/^\[[^\]]*\] /, '')}\n`
// One libvirt log over four start attempts: four refusals, the evidence keeps three.
const FOUR_ATTEMPTS = [0, 1, 2, 3].map((i) => CONTAINER_EPERM.replace('10:00:00', `10:0${i}:00`)).join('\n')
const WIDTH_46 = '[    0.012000] DMAR: Host address width 46'
const QEMU_ENOMEM = '2024-03-01T10:00:01.000000Z qemu-system-x86_64: vfio_dma_map(0x55f6d8a9a3c0, 0x100000000, 0x380000000, 0x7f1b3c000000) = -12 (Cannot allocate memory)'
const JOURNAL_DMA = 'Mar 01 10:00:01 host qemu-system-x86_64[2211]: qemu: hardware error: vfio: DMA mapping failed, unable to continue'
const win10 = readFileSync(join(fixturesDir, 'seed-001-healthy/domain-win10.xml'), 'utf8')
const ubuntu = domainXml([diskImage('ubuntu22.04', 'virtio')], {name: 'ubuntu22.04', hostdevs: []})
const ALICE = 'uid=1000(alice) gid=1000(alice) groups=1000(alice),998(wheel),78(kvm),986(libvirt)\n'

// Tables on inline and fixture evidence: they run without ../shared.
testCheck(check, {
  valid: [
    {name: 'the Intel width line alone: nothing failed', files: {'dmesg.txt': WIDTH_46}, passes: [/^no RMRR refusal and no failed DMA mapping in the logs$/]},
  ],
  invalid: [
    {
      name: 'the kernel\'s RMRR line in the qemu log, with lspci: the device is named, qemu\'s refusal is no second finding',
      files: {'qemu-win10.log': QEMU_WITH_RMRR, 'lspci.txt': GTX1070},
      findings: [{
        id: 'rmrr-conflict', severity: 'error', subject: '0000:0b:00.0',
        message: /^The platform firmware reserves memory \(an RMRR\) for 0000:0b:00\.0 \[10de:1b81\] NVIDIA Corporation GP104 \[GeForce GTX 1070\], so the Intel IOMMU will not give it to a VM\.$/,
        evidence: /^qemu-win10\.log line 2: vfio-pci 0000:0b:00\.0: Device is ineligible for IOMMU domain attach due to platform RMRR requirement\.  Contact your platform vendor\.$/,
      }],
    },
    {
      name: 'four refused start attempts: three as evidence, each cut at 200 characters',
      files: {'qemu-win10.log': FOUR_ATTEMPTS},
      findings: [{
        id: 'rmrr-conflict', severity: 'info', fix: /^\{"address":"the device"\}$/,
        evidence: new RegExp(`^${[1, 2, 3].map((n) => `qemu-win10\\.log line ${n}: ${CONTAINER_EPERM.replace('10:00:00', `10:0${n - 1}:00`).slice(0, 200).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`).join('\n')}$`),
      }],
    },
    {
      name: 'qemu\'s -12 from vfio_dma_map is the memlock limit; the domain with the hostdev and the user are in the fix',
      files: {'qemu-win10.log': QEMU_ENOMEM, 'domain-ubuntu.xml': ubuntu, 'domain-win10.xml': win10, 'id.txt': ALICE},
      findings: [{
        id: 'dma-mapping-failed', severity: 'error', message: /^VFIO could not pin the guest's memory: the process hit its locked-memory limit \(RLIMIT_MEMLOCK\)/,
        evidence: /^qemu-win10\.log line 1: 2024-03-01T10:00:01\.000000Z qemu-system-x86_64: vfio_dma_map\(0x55f6d8a9a3c0, 0x100000000, 0x380000000, 0x7f1b3c000000\) = -12 \(Cannot allocate memory\)$/,
        fix: /^\{"bits":"39","domain":"win10","user":"alice"\}$/,
      }],
    },
    {
      name: 'qemu\'s hardware error in the journal, no width line: the common Intel width, no memlock',
      files: {'dmesg.txt': JOURNAL_DMA, 'domain-ubuntu.xml': ubuntu},
      findings: [{
        id: 'dma-mapping-failed', severity: 'error',
        message: /^VFIO could not map guest memory into the IOMMU\. The usual cause is guest physical addresses wider than the IOMMU maps \(39 bits on most desktop Intel platforms\): limit the guest with <maxphysaddr>\.$/,
        evidence: /^kernel log line 1: .*vfio: DMA mapping failed, unable to continue$/,
        fix: /^\{"bits":"39","domain":"ubuntu22\.04","user":"@kvm"\}$/,
      }],
    },
    {
      name: 'a 46-bit IOMMU (server / newer desktop) and the memlock line: the width is read, memlock is the cause',
      files: {'dmesg.txt': `${WIDTH_46}\n${MEMLOCK}`},
      findings: [{
        id: 'dma-mapping-failed', severity: 'error', message: /RLIMIT_MEMLOCK/,
        evidence: /^kernel log line 2: vfio_pin_pages_remote: RLIMIT_MEMLOCK \(65536\) exceeded\nkernel log line 1: DMAR: Host address width 46$/,
        fix: /^\{"bits":"46","domain":"VM","user":"@kvm"\}$/,
      }],
    },
    {
      name: 'qemu\'s -22 on a 46-bit IOMMU: the width in the message',
      files: {'qemu-win10.log': DMA_EINVAL, 'dmesg.txt': WIDTH_46},
      findings: [{id: 'dma-mapping-failed', severity: 'error', message: /\(this IOMMU: 46 bits\): limit the guest with <maxphysaddr>\.$/, fix: /"bits":"46"/}],
    },
  ],
})

it('iommu-mapping: a refusal or a failed mapping is not also printed as "no RMRR refusal and no failed DMA mapping"', () => {
  const cases: EvidenceFiles[] = [{'dmesg.txt': RMRR_REFUSED}, {'dmesg.txt': MEMLOCK}, {'qemu-win10.log': DMA_EINVAL}]
  for (const files of cases) {
    const r = runCase(check, {name: 'x', files})
    expect(r.findings).not.toEqual([])
    expect(r.passes).toEqual([])
  }
})
