import {formatPciAddress, type DomainModel} from '../parse/domain-xml.js'
import {idsOf, isDisplayDevice} from '../facts/merge-pci.js'
import type {Facts, PciDevice} from '../facts/types.js'

export interface FactLine {
  label: string
  value: string
}

/** Modules whose presence says who owns the GPU and whether VFIO and KVM are there. */
const TELLING_MODULES = ['vfio', 'vfio_pci', 'vfio_iommu_type1', 'kvm', 'kvm_amd', 'kvm_intel', 'nvidia', 'nouveau', 'amdgpu', 'radeon', 'i915', 'xe', 'kvmfr']

/**
 * The facts the checks judged, one line each: what `-v` shows under the findings and what a
 * forum helper reads first. Only what the evidence said; unknown facts say why.
 */
export function summarizeFacts(facts: Facts): FactLine[] {
  const lines: FactLine[] = []
  const add = (label: string, value: string | undefined) => value && lines.push({label, value})
  const unknown = (name: keyof Facts['unknown']) => {
    const why = facts.unknown[name]
    return why ? `unknown (${why.reason}${why.hint ? `; ${why.hint}` : ''})` : undefined
  }

  const os = facts.os?.prettyName ?? facts.os?.name
  add('OS', os)
  if (facts.cpu) {
    const virt = facts.cpu.virtFlag ? `${facts.cpu.virtFlag} present` : 'no vmx/svm flag'
    add('CPU', `${facts.cpu.model ?? facts.cpu.vendor} (${virt}${facts.cpu.hypervisor ? ', hypervisor flag set' : ''})`)
  } else add('CPU', unknown('cpu'))
  if (facts.virt && facts.virt.kind !== 'none') add('Runs as', `${facts.virt.kind}${facts.virt.name ? ` (${facts.virt.name})` : ''}: ${facts.virt.evidence}`)
  add('Kernel', facts.kernel?.release ?? unknown('kernel'))
  add('Command line', facts.cmdline ? facts.cmdline.raw || '(empty)' : unknown('cmdline'))
  add('IOMMU groups', facts.iommuGroups ? (facts.iommuGroups.length ? String(facts.iommuGroups.length) : 'none') : unknown('iommuGroups'))
  for (const gpu of (facts.pciDevices ?? []).filter(isDisplayDevice)) add('GPU', describeGpu(gpu, facts))
  if (facts.pciDevices && !facts.pciDevices.some(isDisplayDevice)) add('GPU', 'none found')
  if (!facts.pciDevices) add('GPU', unknown('pciDevices'))
  if (facts.guestGpus) add('Guest GPU', facts.guestGpus.length ? facts.guestGpus.join(', ') : 'none marked for the guest (no vfio-pci ids, driver or hostdev)')
  if (facts.modules) {
    const loaded = TELLING_MODULES.filter((m) => facts.modules!.loaded.has(m))
    add('Modules', loaded.length ? loaded.join(', ') : 'none of vfio, kvm or a GPU driver')
  }
  if (facts.user) add('User', `${facts.user.name || '(unnamed)'} in ${facts.user.groups.join(', ') || 'no groups'}`)
  for (const d of facts.domains ?? []) add('VM', describeDomain(d))
  if (facts.nixos?.currentSystem || facts.nixos?.bootedSystem) {
    const same = facts.nixos.currentSystem === facts.nixos.bootedSystem
    add('NixOS generation', facts.nixos.currentSystem && facts.nixos.bootedSystem ? (same ? 'booted = current' : 'booted differs from current (reboot pending)') : 'current only')
  }
  return lines
}

function describeGpu(gpu: PciDevice, facts: Facts): string {
  const ids = idsOf(gpu)
  const parts = [`${gpu.address}${ids ? ` [${ids}]` : ''} ${gpu.name ?? gpu.className ?? ''}`.trim()]
  parts.push(gpu.driver ? `driver ${gpu.driver}` : facts.pciDriverSource ? 'no driver' : 'driver unknown')
  if (gpu.bootVga) parts.push('boot GPU')
  if (gpu.iommuGroup !== undefined) {
    const others = (facts.iommuGroups?.find((g) => g.id === gpu.iommuGroup)?.devices.length ?? 1) - 1
    parts.push(`IOMMU group ${gpu.iommuGroup}${others > 0 ? ` with ${others} other device${others === 1 ? '' : 's'}` : ''}`)
  }
  return parts.join(', ')
}

function describeDomain(d: DomainModel): string {
  const hostdevs = d.hostdevs.flatMap((h) => (h.type === 'pci' && h.source ? [formatPciAddress(h.source)] : []))
  const parts = [d.name || '(unnamed)']
  if (d.os.firmware || d.os.loader) parts.push(d.os.firmware === 'efi' || /ovmf|edk2|efi/i.test(d.os.loader ?? '') ? 'UEFI' : (d.os.firmware ?? 'BIOS'))
  if (d.os.machine) parts.push(d.os.machine)
  // A fact line stays a line: a domain with thousands of hostdevs shows the first few.
  const shown = hostdevs.length > 8 ? [...hostdevs.slice(0, 8), `… ${hostdevs.length - 8} more`] : hostdevs
  parts.push(hostdevs.length ? `PCI hostdevs ${shown.join(', ')}` : 'no PCI hostdevs')
  return parts.join(', ')
}
