import {bootVga, intelIgpu} from '../../src/facts/guest-gpus.js'
import {idsOf, isDisplayDevice, slotOf} from '../../src/facts/merge-pci.js'
import type {Facts, PciDevice} from '../../src/facts/types.js'
import {formatPciAddress} from '../../src/parse/domain-xml.js'
import {idsSelected, vfioBindings, type VfioBinding} from '../../src/facts/vfio-bindings.js'

/**
 * With no GPU marked for the guest (a pasted lspci or group listing alone), every GPU but the host's
 * boot display is a candidate, as ls-iommu shows them.
 */
export function candidateGpus(facts: Facts): PciDevice[] {
  const devices = facts.pciDevices ?? []
  const hostDisplay = bootVga(facts)?.address ?? intelIgpu(devices)?.address
  return devices.filter((d) => isDisplayDevice(d) && d.address !== hostDisplay)
}

/** The guest GPUs as devices, each with every function of its card (audio, USB, UCSI). */
export function guestCards(facts: Facts): Array<{gpu: PciDevice; functions: PciDevice[]}> {
  const devices = facts.pciDevices ?? []
  return (facts.guestGpus ?? []).flatMap((address) => {
    const gpu = devices.find((d) => d.address === address)
    return gpu ? [{gpu, functions: cardFunctions(facts, gpu)}] : []
  })
}

/**
 * The functions of the GPU's card: its slot's functions of its vendor, or in its IOMMU group.
 * An APU's slot also holds CPU functions (AMD's 05:00.2-.7: PSP, USB, audio processor, vendor
 * 1022) that are not part of the GPU; its HDMI audio (vendor 1002, like the GPU) is, even where
 * every function has a group of its own (the real Proxmox 5700U log in the corpus).
 */
export function cardFunctions(facts: Facts, gpu: PciDevice): PciDevice[] {
  const groupOf = (d: PciDevice) => d.iommuGroup ?? facts.iommuGroups?.find((g) => g.devices.includes(d.address))?.id
  const group = groupOf(gpu)
  return (facts.pciDevices ?? []).filter((d) => {
    if (slotOf(d.address) !== slotOf(gpu.address)) return false
    if (d === gpu || d.vendorId === undefined || gpu.vendorId === undefined || d.vendorId === gpu.vendorId) return true
    return group !== undefined && groupOf(d) === group
  })
}

/** "10de:1b81,10de:10f0": every function's ids, de-duplicated, in address order. */
export function idList(devices: PciDevice[]): string {
  return [...new Set(devices.map(idsOf).filter((x): x is string => x !== undefined))].join(',')
}

export function describe(d: PciDevice): string {
  const ids = idsOf(d)
  return `${d.address}${ids ? ` [${ids}]` : ''}${d.name ? ` ${d.name}` : d.className ? ` ${d.className}` : ''}`
}

/**
 * The driver a device is bound to: its name, null when the evidence shows it unbound (sysfs, or an
 * `lspci -k` block with "Kernel modules:" but no "Kernel driver in use:"), undefined when unknown.
 */
export function boundDriver(facts: Facts, d: PciDevice): string | null | undefined {
  if (d.driver) return d.driver
  if (facts.pciDriverSource === 'sysfs' || d.modules !== undefined) return null
  return undefined
}

/** "driver amdgpu", "no driver", "driver unknown": for evidence lines. */
export function driverText(facts: Facts, d: PciDevice): string {
  const driver = boundDriver(facts, d)
  return driver ? `driver ${driver}` : driver === null ? 'no driver' : 'driver unknown'
}

/**
 * Whether the evidence lists every PCI device of the host (sysfs, or a whole lspci / group listing,
 * which starts with a host bridge on bus 00), so that a device missing from it is missing from the host.
 * A grep'd or `lspci -s` paste is partial: absence there proves nothing.
 */
export function deviceListComplete(facts: Facts): boolean {
  if (facts.pciDriverSource === 'sysfs') return true
  const devices = facts.pciDevices ?? []
  const hostBridge = devices.some(
    (d) =>
      d.address.startsWith('0000:00:') &&
      (d.classCode === '0600' ||
        // Stryker disable next-line Regex,StringLiteral: equivalent mutants (docs/testing.md): no class name lspci prints starts "Host bridge" and goes on ($), and no default for a missing name is a host bridge
        /^Host bridge$/i.test(d.className ?? '')),
  )
  return hostBridge && devices.length >= 5
}

/** The vfio-pci bindings (ids or driver_override) that select this device. */
export function bindingsOf(bindings: VfioBinding[], d: PciDevice): VfioBinding[] {
  const ids = idsOf(d)
  return bindings.filter((b) => (b.kind === 'ids' ? ids !== undefined && idsSelected(b.value) === ids : b.value === d.address))
}

/** Every vfio-pci binding of the host, and a lookup by device. */
export function bindingIndex(facts: Facts): {all: VfioBinding[]; of: (d: PciDevice) => VfioBinding[]} {
  const all = vfioBindings(facts)
  return {all, of: (d) => bindingsOf(all, d)}
}

/** Host graphics drivers, by the vendor whose cards they bind. */
const GPU_DRIVERS_BY_VENDOR: Record<string, string[]> = {
  '10de': ['nvidia', 'nouveau'],
  '1002': ['amdgpu', 'radeon'],
  '8086': ['i915', 'xe'],
}
export const GPU_DRIVERS = Object.values(GPU_DRIVERS_BY_VENDOR).flat()

/** The graphics drivers that can take this vendor's cards (all of them when the vendor is unknown). */
export function gpuDriversFor(vendorId: string | undefined): string[] {
  return (vendorId && GPU_DRIVERS_BY_VENDOR[vendorId]) || GPU_DRIVERS
}

/**
 * The bindings in effect on the running system: its own, and a NixOS configuration's, except kernel
 * parameters when the running command line is known (it shows whether they were booted).
 */
export function inEffect(facts: Facts, bindings: VfioBinding[]): VfioBinding[] {
  return bindings.filter((b) => b.origin !== 'nix-kernel-params' || !facts.cmdline)
}

/** Host addresses a domain passes with managed='yes': libvirt binds them to vfio-pci when the VM starts. */
export function managedHostdevs(facts: Facts): Set<string> {
  return new Set(
    (facts.domains ?? []).flatMap((d) => d.hostdevs.flatMap((h) => (h.type === 'pci' && h.source && h.managed ? [formatPciAddress(h.source)] : []))),
  )
}

/** The module a softdep names: driver names are not always module names. */
export function moduleOfDriver(driver: string): string {
  return ({xhci_hcd: 'xhci_pci', 'nvidia-gpu': 'i2c_nvidia_gpu'} as Record<string, string>)[driver] ?? driver
}

/** "softdep snd_hda_intel pre: vfio-pci", one line per driver, so vfio-pci loads first. */
export function softdepLines(drivers: string[]): string {
  return [...new Set(drivers.map(moduleOfDriver))].map((m) => `softdep ${m} pre: vfio-pci`).join('\n')
}
