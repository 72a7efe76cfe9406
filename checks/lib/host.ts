import type {CpuVendor, Facts} from '../../src/facts/types.js'

/** The IOMMU kernel parameter for this CPU vendor. */
export function iommuParamFor(vendor: CpuVendor | undefined): string {
  return vendor === 'amd' ? 'amd_iommu=on' : 'intel_iommu=on'
}

/** The firmware setting's name as boards label it. */
export function iommuFirmwareSetting(vendor: CpuVendor | undefined): string {
  if (vendor === 'amd') return 'IOMMU (often under AMD CBS / NBIO Common Options; also called AMD-Vi)'
  if (vendor === 'intel') return 'VT-d (Intel Virtualization Technology for Directed I/O; often under Chipset or System Agent)'
  return 'VT-d (Intel) or IOMMU / AMD-Vi (AMD)'
}

/** What the IOMMU is called on this vendor's CPUs. */
export function iommuName(vendor: CpuVendor | undefined): string {
  if (vendor === 'amd') return 'AMD-Vi'
  if (vendor === 'intel') return 'VT-d'
  return 'VT-d / AMD-Vi'
}

export function cpuVirtSetting(vendor: CpuVendor | undefined): string {
  if (vendor === 'amd') return 'SVM Mode (AMD-V)'
  if (vendor === 'intel') return 'Intel Virtualization Technology (VT-x)'
  return 'VT-x (Intel) or SVM Mode (AMD)'
}

export function isNixos(facts: Facts): boolean {
  return facts.os?.id === 'nixos' || facts.nixos !== undefined || (facts.nixConfig?.length ?? 0) > 0
}

/** The host is itself a VM or a container, as far as the evidence says. */
export function virtualHost(facts: Facts): string | undefined {
  const v = facts.virt
  if (!v || v.kind === 'none') return undefined
  return `${v.kind === 'container' ? 'a container' : 'a virtual machine'}${v.name ? ` (${v.name})` : ''}`
}
