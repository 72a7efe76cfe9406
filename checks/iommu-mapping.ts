import {defineCheck} from '../src/engine/types.js'
import type {Facts} from '../src/facts/types.js'
import type {FreeLogSignal} from '../src/parse/free-log.js'
import {normalizePciAddress} from '../src/facts/merge-pci.js'
import {logEvidence, signalsOf} from './lib/evidence.js'
import {describe} from './lib/gpu.js'
import {logSignalsOf} from './lib/libvirt.js'
import {deviceAt} from './lib/passthrough.js'

/** Desktop Intel IOMMUs map 39 bits; the fix uses it when the log does not give the width. */
const COMMON_INTEL_WIDTH = '39'

/**
 * The IOMMU refusing the device or the guest's memory: an RMRR (firmware-reserved memory) on the
 * device, and DMA mappings that fail, either on the memlock limit or because guest addresses are wider
 * than the IOMMU can map (maxphysaddr).
 */
export default defineCheck({
  id: 'iommu-mapping',
  title: 'The IOMMU accepts the device and maps the guest memory',
  area: 'iommu',
  reports: ['rmrr-conflict', 'dma-mapping-failed'],
  needs: [['kernelLog', 'logSignals']],
  uses: ['kernelLog', 'logSignals', 'pciDevices', 'domains', 'user'],
  run(facts, report) {
    const rmrr = rmrrLines(facts)
    const containerRefused = logSignalsOf(facts, 'rmrr').filter((s) => !/RMRR requirement/i.test(s.text))
    if (rmrr.size === 0 && containerRefused.length > 0 && signalsOf(facts, 'interrupt-remapping-missing').length === 0) {
      // qemu's words are the same for an RMRR and for missing interrupt remapping: only the kernel log tells.
      report.info('rmrr-conflict', {
        message: 'qemu could not attach the device to the IOMMU ("Operation not permitted"): either the firmware reserves memory for it (RMRR) or the platform lacks interrupt remapping. The kernel log of that moment says which (sudo dmesg | grep -i -e RMRR -e "interrupt remapping").',
        evidence: containerRefused.slice(0, 3).map(qemuLogEvidence),
        values: {address: 'the device'},
      })
    }
    for (const [address, evidence] of rmrr) {
      const device = deviceAt(facts, address)
      report.error('rmrr-conflict', {
        subject: address,
        message: `The platform firmware reserves memory (an RMRR) for ${device ? describe(device) : address}, so the Intel IOMMU will not give it to a VM.`,
        evidence,
        values: {address},
      })
    }

    const kernelDma = signalsOf(facts, 'dma-mapping-failed')
    const qemuDma = logSignalsOf(facts, 'vfio-dma-map-failed')
    if (kernelDma.length + qemuDma.length > 0) {
      // -12 (ENOMEM) from VFIO_MAP_DMA is the pinning limit; -22 (EINVAL) an address the IOMMU cannot map.
      const memlock = [...kernelDma.filter((s) => s.data?.reason === 'RLIMIT_MEMLOCK'), ...qemuDma.filter((s) => /-12\b|Cannot allocate memory/i.test(s.data?.error ?? s.text))]
      const width = signalsOf(facts, 'dmar-address-width')[0]
      const bits = width?.data?.bits ?? COMMON_INTEL_WIDTH
      const evidence = [...kernelDma.slice(0, 3).map(logEvidence), ...qemuDma.slice(0, 3).map(qemuLogEvidence)]
      report.error('dma-mapping-failed', {
        message: memlock.length
          ? 'VFIO could not pin the guest\'s memory: the process hit its locked-memory limit (RLIMIT_MEMLOCK). Run the VM through libvirt, which raises it, or raise the limit for the user running qemu.'
          : `VFIO could not map guest memory into the IOMMU. The usual cause is guest physical addresses wider than the IOMMU maps (${width ? `this IOMMU: ${bits} bits` : `${bits} bits on most desktop Intel platforms`}): limit the guest with <maxphysaddr>.`,
        evidence: [...evidence, ...(width ? [logEvidence(width)] : [])],
        values: {bits, domain: domainName(facts), user: facts.user?.name || '@kvm'},
      })
    }
    if (rmrr.size === 0 && kernelDma.length + qemuDma.length === 0) report.pass('no RMRR refusal and no failed DMA mapping in the logs')
  },
})

/** RMRR refusals by device, from the kernel log and from qemu / libvirt logs. */
function rmrrLines(facts: Facts): Map<string, string[]> {
  const byDevice = new Map<string, string[]>()
  const add = (address: string | undefined, evidence: string) => {
    const normalized = normalizePciAddress(address ?? '') ?? 'unknown device'
    byDevice.set(normalized, [...(byDevice.get(normalized) ?? []), evidence])
  }
  for (const s of signalsOf(facts, 'rmrr')) add(s.data?.address, logEvidence(s))
  for (const s of logSignalsOf(facts, 'rmrr')) if (/RMRR requirement/i.test(s.text)) add(s.data?.address, qemuLogEvidence(s))
  return byDevice
}

/** A qemu / libvirt log line as evidence, its first 200 characters. */
function qemuLogEvidence(s: FreeLogSignal): string {
  return `${s.origin} line ${s.n}: ${s.text.slice(0, 200)}`
}

function domainName(facts: Facts): string {
  const withHostdev = facts.domains?.find((d) => d.hostdevs.length > 0) ?? facts.domains?.[0]
  return withHostdev?.name || 'VM'
}
