import {normalizePciAddress, slotOf} from '../../src/facts/merge-pci.js'
import type {Facts, PciDevice} from '../../src/facts/types.js'
import {guestCards} from './gpu.js'
import {signalsOf} from './evidence.js'

/** Devices vfio-pci has or had: bound in sysfs / lspci -k, or named by vfio-pci in the kernel log. */
export function vfioAddresses(facts: Facts): string[] {
  const bound = (facts.pciDevices ?? []).filter((d) => d.driver === 'vfio-pci').map((d) => d.address)
  const logged = signalsOf(facts, 'vfio-pci-device').flatMap((s) => {
    const address = normalizePciAddress(s.data?.address ?? '')
    return address ? [address] : []
  })
  return [...new Set([...bound, ...logged])]
}

/**
 * Every function of every card meant for the guest: the guest GPUs with their companions, and the
 * devices vfio-pci has, with the other functions of their slots.
 */
export function passedAddresses(facts: Facts): string[] {
  const fromCards = guestCards(facts).flatMap((c) => c.functions.map((f) => f.address))
  const slots = new Set(vfioAddresses(facts).map(slotOf))
  const siblings = (facts.pciDevices ?? []).filter((d) => slots.has(slotOf(d.address))).map((d) => d.address)
  return [...new Set([...fromCards, ...vfioAddresses(facts), ...siblings])]
}

export function deviceAt(facts: Facts, address: string): PciDevice | undefined {
  return facts.pciDevices?.find((d) => d.address === address)
}

/**
 * The bridges above a device, from the kernel log's "PCI bridge to [bus 01-03]" lines: each bridge
 * whose bus range holds the device's bus (same PCI domain).
 */
export function upstreamBridges(facts: Facts, address: string): string[] {
  const [domain, bus] = address.split(':')
  if (domain === undefined || bus === undefined) return []
  const busNumber = parseInt(bus, 16)
  const bridges = new Set<string>()
  for (const s of signalsOf(facts, 'pci-bridge')) {
    const bridge = normalizePciAddress(s.data?.address ?? '')
    if (!bridge || !bridge.startsWith(`${domain}:`)) continue
    const secondary = parseInt(s.data?.secondary ?? '', 16)
    const subordinate = parseInt(s.data?.subordinate ?? '', 16)
    if (busNumber >= secondary && busNumber <= subordinate) bridges.add(bridge)
  }
  return [...bridges]
}
