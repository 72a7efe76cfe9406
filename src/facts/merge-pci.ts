import type {PciDevice} from './types.js'
import {byCodePoint} from '../util/order.js'

/**
 * Merges device lists by address. Earlier lists win for each field (pass sysfs first: it is the
 * kernel's own view), later ones fill the gaps (lspci adds names, listings add groups).
 */
export function mergePciDevices(lists: PciDevice[][]): PciDevice[] {
  const byAddress = new Map<string, PciDevice>()
  for (const list of lists) {
    for (const device of list) {
      const address = normalizePciAddress(device.address) ?? device.address
      const known = byAddress.get(address)
      byAddress.set(address, known ? {...device, ...definedOnly(known), address} : {...device, address})
    }
  }
  return [...byAddress.values()].sort((a, b) => byCodePoint(a.address, b.address))
}

function definedOnly(device: PciDevice): Partial<PciDevice> {
  return Object.fromEntries(Object.entries(device).filter(([, v]) => v !== undefined)) as Partial<PciDevice>
}

/** "01:00.0", "0000:01:00.0", "pci_0000_01_00_0" -> "0000:01:00.0"; undefined when not an address. */
export function normalizePciAddress(text: string): string | undefined {
  const m = /^(?:pci_)?(?:([0-9a-f]{4})[:_])?([0-9a-f]{2})[:_]([0-1]?[0-9a-f])[._]([0-7])$/i.exec(text.trim())
  if (!m) return undefined
  return `${(m[1] ?? '0000').toLowerCase()}:${m[2]!.toLowerCase()}:${m[3]!.toLowerCase().padStart(2, '0')}.${m[4]}`
}

/** "0000:01:00.0" -> "0000:01:00" (the slot: every function of one card). */
export function slotOf(address: string): string {
  return address.replace(/\.[0-7]$/, '')
}

const DISPLAY_CLASSES = new Set(['0300', '0301', '0302', '0380'])

export function isDisplayDevice(d: PciDevice): boolean {
  return d.classCode !== undefined ? DISPLAY_CLASSES.has(d.classCode) : /VGA compatible|3D controller|Display controller/i.test(d.className ?? '')
}

/** Host bridges and PCI-to-PCI bridges (root ports, switch ports) sit in the group of whatever is behind them. */
const BRIDGE_CLASSES = new Set(['0600', '0604', '0609'])

/**
 * Bridges are fine in a passed group; any other class is an endpoint that must go along. An ISA (LPC)
 * bridge is not one of them: it is a chipset function with a driver of its own (lpc_ich).
 */
export function isBridge(d: PciDevice): boolean {
  if (d.classCode) return BRIDGE_CLASSES.has(d.classCode)
  return /^(?:Host|PCI) bridge$/i.test(d.className?.trim() ?? '')
}

export function idsOf(d: PciDevice): string | undefined {
  return d.vendorId && d.deviceId ? `${d.vendorId}:${d.deviceId}` : undefined
}
