import {defineCheck, type Reporter} from '../src/engine/types.js'
import type {Facts, PciDevice} from '../src/facts/types.js'
import {bindingIndex, boundDriver, candidateGpus, cardFunctions, describe, driverText, guestCards, idList, inEffect, managedHostdevs} from './lib/gpu.js'

/**
 * The guest GPU is bound to vfio-pci, not to a host graphics driver. When the host does hand it to
 * vfio-pci and a host driver still holds it, the cause is the load order: vfio-load-order says so.
 */
export default defineCheck({
  id: 'gpu-driver',
  title: 'The guest GPU is bound to vfio-pci',
  area: 'isolation',
  reports: ['gpu-driver-not-vfio'],
  needs: ['pciDevices', 'guestGpus'],
  uses: ['cmdline', 'modprobe', 'nixConfig', 'domains'],
  run(facts, report) {
    const cards = guestCards(facts)
    if (cards.length === 0) return judgeCandidates(facts, report)
    const bindings = bindingIndex(facts)
    const managed = managedHostdevs(facts)
    for (const {gpu, functions} of cards) {
      const driver = boundDriver(facts, gpu)
      if (driver === 'vfio-pci') {
        report.pass(`${gpu.address} uses vfio-pci`)
        continue
      }
      if (driver === undefined) {
        report.skip(`the evidence does not show which driver ${gpu.address} uses: add \`lspci -nnk\` output`)
        continue
      }
      const named = bindings.of(gpu)
      const active = inEffect(facts, named)
      if (active.length > 0 && driver !== null) {
        report.skip(`${gpu.address} is handed to vfio-pci (${active[0]!.where}), yet ${driver} holds it: vfio-load-order says why`)
        continue
      }
      const evidence = [
        ...functions.map((f) => `${describe(f)}: ${driverText(facts, f)} (${facts.pciDriverSource ?? 'lspci -k'})`),
        ...named.map((b) => b.where),
        ...(named.length > active.length && facts.cmdline ? [`kernel command line: ${facts.cmdline.raw}`] : []),
      ]
      const values = driverValues(gpu, functions, driver)
      const holder = driver ? `bound to ${driver}` : 'bound to no driver'
      if (named.length > active.length) {
        report.error('gpu-driver-not-vfio', {
          subject: gpu.address,
          message: `GPU ${describe(gpu)} is ${holder}: the NixOS configuration gives it to vfio-pci, but the running kernel was not booted with that configuration (rebuild and reboot).`,
          evidence,
          values,
        })
      } else if (active.length > 0) {
        report.error('gpu-driver-not-vfio', {
          subject: gpu.address,
          message: `GPU ${describe(gpu)} is handed to vfio-pci but bound to no driver: vfio-pci did not load (it must be in the initrd)${iommuKnownOn(facts) ? '' : ', or it refused the card because the IOMMU is off (vfio-pci only takes devices in an IOMMU group; the evidence has no group listing to tell)'}.`,
          evidence,
          values,
        })
      } else if (managed.has(gpu.address)) {
        // libvirt detaches a managed hostdev when the VM starts; that only fails when the host is using the card.
        report.info('gpu-driver-not-vfio', {
          subject: gpu.address,
          message: `GPU ${describe(gpu)} is ${holder} until a VM starts: libvirt detaches it then (managed='yes'), which hangs or fails if the host is drawing on it. Binding it to vfio-pci at boot avoids that.`,
          evidence,
          values,
        })
      } else {
        report.error('gpu-driver-not-vfio', {
          subject: gpu.address,
          message: `GPU ${describe(gpu)} is ${holder}, not vfio-pci, and nothing hands it to vfio-pci (no vfio-pci.ids entry or driver_override for it).`,
          evidence,
          values,
        })
      }
    }
  },
})

/**
 * No GPU is marked for the guest (a pasted `lspci -nnk` alone): each candidate's driver is said as
 * information, since binding it to vfio-pci is the step that comes next if it is the one to pass.
 */
function judgeCandidates(facts: Facts, report: Reporter): void {
  let judged = 0
  for (const gpu of candidateGpus(facts)) {
    const driver = boundDriver(facts, gpu)
    if (driver === undefined) continue
    // Stryker disable next-line UpdateOperator: judged is only compared with 0, which counting down never reaches either
    judged++
    if (driver === 'vfio-pci') {
      report.pass(`${gpu.address} uses vfio-pci (a candidate for the guest)`)
      continue
    }
    const functions = cardFunctions(facts, gpu)
    report.info('gpu-driver-not-vfio', {
      subject: gpu.address,
      message: `No GPU is marked for the guest. If it is ${describe(gpu)}: it is ${driver ? `bound to ${driver}` : 'bound to no driver'}, not vfio-pci, and nothing hands it to vfio-pci.`,
      evidence: functions.map((f) => `${describe(f)}: ${driverText(facts, f)} (${facts.pciDriverSource ?? 'lspci -k'})`),
      values: driverValues(gpu, functions, driver),
    })
  }
  if (judged === 0) report.skip('no GPU is marked for the guest: pass --gpu ADDRESS, or set vfio-pci.ids')
}

/** The fix's placeholders: the card's ids for vfio-pci.ids, and the driver to load after vfio-pci. */
function driverValues(gpu: PciDevice, functions: PciDevice[], driver: string | null): Record<string, string> {
  return {address: gpu.address, ids: idList(functions), driver: driver ?? 'its host driver', softdepDriver: driver ?? openDriverOf(gpu)}
}

/** The in-kernel driver that takes a card of this maker when nothing else does: by its vendor id, else by its name (plain lspci). */
function openDriverOf(gpu: PciDevice): string {
  const vendor = gpu.vendorId ?? (/\bNVIDIA\b/i.test(gpu.name ?? '') ? '10de' : /\b(?:AMD|ATI)\b/.test(gpu.name ?? '') ? '1002' : /\bIntel\b/i.test(gpu.name ?? '') ? '8086' : undefined)
  return vendor === '10de' ? 'nouveau' : vendor === '1002' ? 'amdgpu' : vendor === '8086' ? 'i915' : 'GPU_DRIVER'
}

function iommuKnownOn(facts: Facts): boolean {
  return (facts.iommuGroups?.length ?? 0) > 0 || facts.kernelLog?.iommu === 'on'
}
