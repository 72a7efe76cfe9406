import {defineCheck} from '../src/engine/types.js'
import type {PciDevice} from '../src/facts/types.js'
import type {DomainModel} from '../src/parse/domain-xml.js'
import {describe} from './lib/gpu.js'
import {domainLabel, domainSubject, guestOs, passedGpus, type PassedDevice, domainsShowing} from './lib/domain.js'
import {logLine, logSignalsOf} from './lib/libvirt.js'

const NVIDIA = '10de'
/** Laptop GPUs: the driver also wants a battery, which a VM does not have. */
const MOBILE_GPU = /\b(?:Mobile|Max-Q|Laptop)\b|GeForce (?:MX\d|GTX \d{3,4}M\b|\d{3,4}M\b)/i

/**
 * NVIDIA Windows drivers before R465 (March 2021) stop with Code 43 when they see a hypervisor;
 * hiding KVM and setting a Hyper-V vendor id keeps them working. R465 and later support GeForce
 * passthrough, so without a Code 43 in the logs this is a warning for old drivers only; with one,
 * the remaining causes are named.
 */
export default defineCheck({
  id: 'nvidia-error-43',
  title: 'NVIDIA guest GPUs are not stopped by Code 43',
  area: 'vm',
  reports: ['nvidia-error-43'],
  needs: ['domains', 'pciDevices'],
  uses: ['logSignals'],
  run(facts, report) {
    const code43 = logSignalsOf(facts, 'code-43')
    let judged = 0
    for (const domain of domainsShowing(facts, report, 'features')) {
      const os = guestOs(domain)
      if (os && !os.windows) continue // the Linux NVIDIA driver has no Code 43
      const gpus = passedGpus(domain, facts).filter((g) => g.device && isNvidia(g.device))
      if (gpus.length === 0) continue
      judged++
      const label = domainLabel(domain)
      const hiding = hidingOf(domain)
      const gpuEvidence = gpus.map((g) => `<hostdev> source ${describe(g.device!)}`)
      const values = {domain: domainSubject(domain), vendorId: hiding.vendorIdValue ?? 'randomid', address: gpus[0]!.address}
      const evidence = [...gpuEvidence, ...hiding.evidence, ...code43.map(logLine)]

      if (code43.length > 0) {
        const causes = [...(hiding.missing.length > 0 ? [`the hypervisor is not hidden (${hiding.missing.join(', ')}), which drivers before R465 refuse`] : []), ...remainingCauses(domain, gpus)]
        report.error('nvidia-error-43', {
          subject: domainSubject(domain),
          message: `The guest reports Code 43 for the NVIDIA GPU of ${label}. Likely causes here: ${causes.join('; ')}.`,
          evidence,
          values,
        })
        continue
      }
      if (hiding.missing.length > 0) {
        report.warning('nvidia-error-43', {
          subject: domainSubject(domain),
          message: `${label} passes an NVIDIA GPU without ${hiding.missing.join(' and ')}: NVIDIA guest drivers older than R465 stop with Code 43 when they see the hypervisor. R465 and later support passthrough, so this only matters with an old driver.`,
          evidence,
          values,
        })
        continue
      }
      report.pass(`${label} hides the hypervisor from the NVIDIA driver`)
    }
    if (judged === 0) report.skip('no domain passes an NVIDIA GPU to a Windows guest (or the evidence lacks the PCI device list)')
  },
})

/** By vendor id, or by name when the listing has no ids (plain lspci). */
function isNvidia(device: PciDevice): boolean {
  return device.vendorId ? device.vendorId === NVIDIA : /\bNVIDIA\b/i.test(device.name ?? '')
}

interface Hiding {
  missing: string[]
  evidence: string[]
  vendorIdValue?: string
}

/**
 * KVM's signature is hidden by <kvm><hidden state='on'/> (or -cpu kvm=off); with Hyper-V
 * enlightenments on, their "Microsoft Hv" vendor is what old drivers detect, so it needs a vendor_id.
 */
function hidingOf(domain: DomainModel): Hiding {
  const cpuArgs = domain.qemuArgs.join(' ')
  const hidden = domain.features.kvmHidden === true || /\bkvm=off\b/.test(cpuArgs)
  const vendor = domain.features.hypervVendorId
  const argVendor = /\bhv_vendor_id=([^,\s]+)/.exec(cpuArgs)?.[1]
  const vendorSet = (vendor?.state === 'on' && !!vendor.value) || argVendor !== undefined
  const enlightened = domain.features.hyperv || /\bhv_/.test(cpuArgs)
  const missing: string[] = []
  const evidence: string[] = []
  if (hidden) evidence.push(domain.features.kvmHidden ? "<kvm><hidden state='on'/>" : `<qemu:commandline> ${cpuArgs}`)
  else missing.push("<kvm><hidden state='on'/>")
  if (vendorSet) evidence.push(vendor?.state === 'on' ? `<hyperv><vendor_id state='on' value='${vendor.value}'/>` : `<qemu:commandline> hv_vendor_id=${argVendor}`)
  else if (enlightened) missing.push("<hyperv><vendor_id state='on' value='...'/>")
  return {missing, evidence, ...(vendor?.value ? {vendorIdValue: vendor.value} : argVendor ? {vendorIdValue: argVendor} : {})}
}

/** Causes of Code 43 that hiding the hypervisor does not fix, as far as the evidence shows them. */
function remainingCauses(domain: DomainModel, gpus: PassedDevice[]): string[] {
  const causes: string[] = []
  for (const {hostdev, address, device} of gpus) {
    if (device?.name && MOBILE_GPU.test(device.name)) causes.push(`${address} is a laptop GPU: its driver wants a battery (an ACPI battery table) and often a vBIOS from the system firmware`)
    if (!hostdev.romFile && device?.bootVga) causes.push(`${address} is the host's boot GPU and has no <rom file=>: its ROM shadow was altered at boot, so pass a clean dump of its vBIOS`)
    else if (!hostdev.romFile) causes.push(`no <rom file=> for ${address}: some cards need a clean dump of their vBIOS`)
  }
  if (/q35/.test(domain.os.machine ?? '') && domain.features.ioapicDriver !== 'kvm') causes.push("a q35 machine without <ioapic driver='kvm'/> (QEMU 4.0+ split irqchip)")
  causes.push('Resizable BAR, if it is on in the host firmware (turn it off there)')
  return causes
}
