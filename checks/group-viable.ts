import {defineCheck} from '../src/engine/types.js'
import {isDisplayDevice, normalizePciAddress, slotOf} from '../src/facts/merge-pci.js'
import type {Facts, PciDevice} from '../src/facts/types.js'
import {boundDriver, cardFunctions, describe, driverText, idList} from './lib/gpu.js'
import {logLine, logSignalsOf} from './lib/libvirt.js'

/** Drivers VFIO accepts in a group: its own, pci-stub, and pcieport (root and switch ports). */
const VIABLE_DRIVERS = new Set(['vfio-pci', 'pci-stub', 'pcieport'])

/**
 * qemu's "group N is not viable" is a symptom: some device of group N is bound to a host driver. This
 * names which one, and whether it is the GPU itself, another function of its card, or a different
 * device sharing the group.
 */
export default defineCheck({
  id: 'group-viable',
  title: "qemu's IOMMU groups are viable",
  area: 'isolation',
  reports: ['group-not-viable'],
  needs: ['logSignals'],
  uses: ['iommuGroups', 'pciDevices', 'guestGpus'],
  run(facts, report) {
    const signals = logSignalsOf(facts, 'group-not-viable')
    if (signals.length === 0) return report.pass('no "group is not viable" message in the logs')
    const byGroup = new Map<string, typeof signals>()
    for (const s of signals) byGroup.set(s.data?.group ?? '?', [...(byGroup.get(s.data?.group ?? '?') ?? []), s])
    for (const [id, lines] of byGroup) {
      const group = facts.iommuGroups?.find((g) => String(g.id) === id)
      const evidence = lines.slice(0, 3).map(logLine)
      if (!group || !facts.pciDevices) {
        report.error('group-not-viable', {
          subject: `group ${id}`,
          message: `qemu refuses IOMMU group ${id}: a device in it is bound to a host driver. The evidence has no IOMMU group listing with drivers to name it: add the group script's output with \`lspci -nnk\`.`,
          evidence,
          values: {group: id, culprits: '', ids: ''},
        })
        continue
      }
      const members = group.devices.map((a) => facts.pciDevices!.find((d) => d.address === a) ?? {address: a})
      const culprits = members.filter((d) => {
        const driver = boundDriver(facts, d)
        return typeof driver === 'string' && !VIABLE_DRIVERS.has(driver)
      })
      const listing = members.map((d) => `  ${describe(d)}: ${driverText(facts, d)}`)
      const opened = lines.flatMap((s) => (s.data?.address ? [normalizePciAddress(s.data.address) ?? s.data.address] : []))
      const named = culprits.map((d) => `${d.address} (${d.className ?? 'device'}) is bound to ${d.driver}, ${roleOf(facts, d, opened)}`)
      report.error('group-not-viable', {
        subject: `group ${id}`,
        message:
          culprits.length > 0
            ? `qemu refuses IOMMU group ${id} because ${named.join('; ')}.`
            : `qemu refuses IOMMU group ${id}, but the evidence shows no host driver on its devices now (${facts.pciDriverSource ? 'they may have been bound when the VM started' : 'it does not show drivers: add `lspci -nnk`'}).`,
        evidence: [...evidence, `IOMMU group ${id}:`, ...listing],
        values: {group: id, culprits: culprits.map((d) => d.address).join(' '), ids: idList(members.filter(isDisplayDevice).flatMap((gpu) => cardFunctions(facts, gpu)))},
      })
    }
  },
})

/** Which finding explains the device: the GPU (or device) passed itself, its card's other function, or another endpoint. */
function roleOf(facts: Facts, d: PciDevice, opened: string[]): string {
  const passed = [...new Set([...(facts.guestGpus ?? []), ...opened])]
  if (passed.includes(d.address)) return `the device passed to the VM itself (see ${isDisplayDevice(d) ? 'gpu-driver-not-vfio' : 'vfio-load-order'})`
  if (passed.some((g) => slotOf(g) === slotOf(d.address))) return "a function of the passed card (see companion-function-not-vfio)"
  return 'another device sharing the group (see iommu-group-shared)'
}
