import {defineCheck} from '../src/engine/types.js'
import {isBridge, isDisplayDevice, slotOf} from '../src/facts/merge-pci.js'
import type {Facts, PciDevice} from '../src/facts/types.js'
import type {DomainModel} from '../src/parse/domain-xml.js'
import {describe, deviceListComplete} from './lib/gpu.js'
import {domainLabel, domainSubject, passedDevices, domainsShowing} from './lib/domain.js'

const HOST_DRIVER_FREE = new Set(['vfio-pci', 'pci-stub', 'pcieport'])

/**
 * Each <hostdev> names a device this host has, and a domain passes whole cards and whole IOMMU
 * groups: every function of a passed GPU, every endpoint (bridges aside) of a passed device's group.
 * (driver_override addresses that do not exist are vfio-ids-wrong, reported by the vfio-ids check.)
 */
export default defineCheck({
  id: 'hostdev-devices',
  title: "The domains' host devices exist and are passed whole",
  area: 'vm',
  reports: ['hostdev-incomplete', 'hostdev-address-missing'],
  needs: ['domains', 'pciDevices'],
  uses: ['iommuGroups', 'guestGpus'],
  run(facts, report) {
    const complete = wholeListSource(facts)
    const index = indexDevices(facts.pciDevices ?? [])
    for (const domain of domainsShowing(facts, report, 'devices', 'hostdev')) {
      const passed = passedDevices(domain, facts)
      if (passed.length === 0) continue
      const label = domainLabel(domain)
      const passedAddresses = new Set(passed.map((p) => p.address))
      for (const {address, device} of passed) {
        if (!device) {
          if (!complete) continue
          const hint = new Set(passed.filter((p) => p.device).map((p) => slotOf(p.address)))
          report.error('hostdev-address-missing', {
            subject: `${domainSubject(domain)} ${address}`,
            message: `${label} passes ${address}, which does not exist on this host${nearest(facts, address, hint)}`,
            evidence: [`<hostdev> <source><address domain='0x${address.slice(0, 4)}' bus='0x${address.slice(5, 7)}' slot='0x${address.slice(8, 10)}' function='0x${address.slice(11)}'/>`, `${complete}: no device at ${address}`],
            values: hostdevValues(domain, address, candidateFor(facts, address, hint)),
          })
          continue
        }
        for (const missing of missingCompanions(facts, index, device, passedAddresses)) {
          // A group member left on a host driver also stops the VM ("group N is not viable"); the
          // driver side is the binding checks' finding, this one is the domain's.
          const hostDriver = missing.device.driver && !HOST_DRIVER_FREE.has(missing.device.driver) && missing.sameGroup ? missing.device.driver : undefined
          report.warning('hostdev-incomplete', {
            subject: `${domainSubject(domain)} ${missing.device.address}`,
            message: `${label} passes ${describe(device)} but not ${describe(missing.device)}, ${missing.why}.${hostDriver ? ` It is still bound to ${hostDriver}, so qemu will also refuse the group as not viable.` : ''}`,
            evidence: [`<hostdev> source ${device.address}`, `${describe(missing.device)}${missing.device.iommuGroup !== undefined ? ` (IOMMU group ${missing.device.iommuGroup})` : ''}${missing.device.driver ? `, driver ${missing.device.driver}` : ''}`],
            values: hostdevValues(domain, missing.device.address, missing.device),
          })
          passedAddresses.add(missing.device.address) // one finding per missing device
        }
      }
      report.pass(`${label}: ${passed.length} host device(s) checked`)
    }
  },
})

/** The whole host's device list (lib/gpu.ts deviceListComplete), said as its source; undefined for a partial one. */
function wholeListSource(facts: Facts): string | undefined {
  if (!deviceListComplete(facts)) return undefined
  return facts.pciDriverSource === 'sysfs' ? 'the PCI devices in sysfs' : `the host's PCI device list (${facts.pciDevices!.length} devices)`
}

interface Companion {
  device: PciDevice
  why: string
  sameGroup: boolean
}

interface DeviceIndex {
  bySlot: Map<string, PciDevice[]>
  byAddress: Map<string, PciDevice>
}

/** Devices by slot and by address, built once per run: a host of 1,000 groups and 100 domains asked each domain's devices of every device. */
function indexDevices(devices: PciDevice[]): DeviceIndex {
  const bySlot = new Map<string, PciDevice[]>()
  const byAddress = new Map<string, PciDevice>()
  for (const d of devices) {
    const slot = slotOf(d.address)
    bySlot.set(slot, [...(bySlot.get(slot) ?? []), d])
    if (!byAddress.has(d.address)) byAddress.set(d.address, d)
  }
  return {bySlot, byAddress}
}

/** The other functions of a passed GPU, then the other endpoints of the passed device's IOMMU group. */
function missingCompanions(facts: Facts, index: DeviceIndex, device: PciDevice, passed: ReadonlySet<string>): Companion[] {
  const out: Companion[] = []
  const group = device.iommuGroup
  if (isDisplayDevice(device)) {
    for (const fn of index.bySlot.get(slotOf(device.address)) ?? []) {
      if (fn.address === device.address || passed.has(fn.address)) continue
      out.push({device: fn, why: `another function of the same card (${fn.className ?? 'function ' + fn.address.slice(-1)})`, sameGroup: group !== undefined && fn.iommuGroup === group})
    }
  }
  if (group === undefined) return out
  const members = facts.iommuGroups?.find((g) => g.id === group)?.devices ?? (facts.pciDevices ?? []).filter((d) => d.iommuGroup === group).map((d) => d.address)
  for (const address of members) {
    const member = index.byAddress.get(address)
    if (!member || passed.has(address) || address === device.address || isBridge(member) || out.some((o) => o.device.address === address)) continue
    out.push({device: member, why: `which shares its IOMMU group ${group}: a group goes to the guest whole`, sameGroup: true})
  }
  return out
}

/** The sentence's end: "; did you mean 0000:01:00.0 ...?" when the device meant can be told, else ".". */
function nearest(facts: Facts, address: string, hintSlots: ReadonlySet<string> = new Set()): string {
  const candidate = candidateFor(facts, address, hintSlots)
  return candidate ? `; did you mean ${describe(candidate)}?` : '.'
}

/**
 * The device meant by a wrong address: the same function number on the card the domain already
 * passes other functions of, else on the guest GPU, else on the only discrete (off bus 00) display card.
 */
function candidateFor(facts: Facts, address: string, hintSlots: ReadonlySet<string> = new Set()): PciDevice | undefined {
  const devices = facts.pciDevices ?? []
  const fn = address.slice(-2)
  const inSlots = (slots: Set<string>) => devices.filter((d) => slots.has(slotOf(d.address)) && d.address.endsWith(fn))
  const tries = [
    new Set(hintSlots),
    new Set((facts.guestGpus ?? []).map(slotOf)),
    new Set(devices.filter((d) => isDisplayDevice(d) && !d.address.startsWith('0000:00:')).map((d) => slotOf(d.address))),
  ]
  for (const slots of tries) {
    const matches = inSlots(slots)
    if (matches.length === 1) return matches[0]
    if (matches.length > 1) return undefined
  }
  return undefined
}

/** Values for the fix: the <hostdev> address fields of the device meant (left as placeholders when unknown). */
function hostdevValues(domain: DomainModel | undefined, address: string, device: PciDevice | undefined): Record<string, string> {
  const values: Record<string, string> = {domain: domain ? domainSubject(domain) : 'VM', address, device: device ? describe(device) : `the device you mean (see lspci -nn)`}
  if (!device) return values
  const hex = (s: string) => `0x${s}`
  return {...values, deviceAddress: device.address, pciDomain: hex(device.address.slice(0, 4)), bus: hex(device.address.slice(5, 7)), slot: hex(device.address.slice(8, 10)), function: hex(device.address.slice(11))}
}
