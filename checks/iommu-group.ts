import {defineCheck, type Reporter} from '../src/engine/types.js'
import {isBridge, slotOf} from '../src/facts/merge-pci.js'
import type {Facts, IommuGroup, PciDevice} from '../src/facts/types.js'
import {boundDriver, candidateGpus, describe, driverText, guestCards, managedHostdevs} from './lib/gpu.js'

/**
 * The guest GPU's IOMMU group holds only its own card, plus bridges (a root port in the group is
 * normal, as in seed 000's group 1). Any other endpoint has to go to the guest as well: the VM does
 * not start while a host driver holds one of them.
 */
export default defineCheck({
  id: 'iommu-group',
  title: "The guest GPU's IOMMU group holds only its card",
  area: 'isolation',
  reports: ['iommu-group-shared'],
  needs: ['pciDevices', 'guestGpus', 'iommuGroups'],
  uses: ['domains'],
  run(facts, report) {
    const cards = guestCards(facts)
    if (cards.length === 0) return judgeCandidates(facts, report)
    const managed = managedHostdevs(facts)
    let judged = 0
    for (const {gpu} of cards) {
      const group = groupOf(facts, gpu)
      if (!group) continue
      judged++
      const members = group.devices.map((a) => facts.pciDevices!.find((d) => d.address === a) ?? {address: a})
      const others = members.filter((d) => slotOf(d.address) !== slotOf(gpu.address) && !isBridge(d))
      // Another endpoint is fine once it goes to vfio-pci (or libvirt detaches it at start) or nothing holds it.
      const staying = others.filter((d) => {
        const driver = boundDriver(facts, d)
        return driver !== 'vfio-pci' && driver !== null && !managed.has(d.address)
      })
      if (staying.length === 0) {
        report.pass(`IOMMU group ${group.id} holds ${gpu.address}'s card${others.length > 0 ? ` and ${others.length} device(s) that go along` : ''}${members.some(isBridge) ? ' (bridges are fine)' : ''}`)
        continue
      }
      const held = staying.filter((d) => boundDriver(facts, d))
      const values = {
        group: String(group.id),
        address: gpu.address,
        others: staying.map((d) => d.address).join(' '),
        acsParam: 'pcie_acs_override=downstream,multifunction',
      }
      const listing = staying.map((d) => `${describe(d)} (${driverText(facts, d)})`).join('; ')
      const evidence = [`IOMMU group ${group.id}:`, ...members.map((d) => `  ${describe(d)}: ${isBridge(d) ? 'bridge, fine' : driverText(facts, d)}`)]
      if (held.length > 0) {
        report.error('iommu-group-shared', {
          subject: gpu.address,
          message: `IOMMU group ${group.id} of GPU ${gpu.address} also holds ${listing}: the host keeps ${held.length > 1 ? 'them' : 'it'}, so the group is not viable and the VM will not start with the GPU.`,
          evidence,
          values,
        })
      } else {
        report.warning('iommu-group-shared', {
          subject: gpu.address,
          message: `IOMMU group ${group.id} of GPU ${gpu.address} also holds ${listing}: ${staying.length > 1 ? 'they have' : 'it has'} to go to vfio-pci with the GPU (the evidence does not show drivers, so whether the host uses ${staying.length > 1 ? 'them' : 'it'} is unknown).`,
          evidence,
          values,
        })
      }
    }
    if (judged === 0) report.skip("the IOMMU group listing does not show the guest GPU's group")
  },
})

function groupOf(facts: Facts, gpu: PciDevice): IommuGroup | undefined {
  return facts.iommuGroups!.find((g) => g.devices.includes(gpu.address)) ?? facts.iommuGroups!.find((g) => g.id === gpu.iommuGroup)
}

/**
 * No GPU is marked for the guest: each candidate's group is judged. What else its group holds is said
 * as information: it is what has to go along if that GPU is the one to pass.
 */
function judgeCandidates(facts: Facts, report: Reporter): void {
  const candidates = candidateGpus(facts)
  if (candidates.length === 0) return report.skip('no GPU is marked for the guest and none but the host display is on the bus: pass --gpu ADDRESS')
  let judged = 0
  for (const gpu of candidates) {
    const group = groupOf(facts, gpu)
    if (!group) continue
    judged++
    const members = group.devices.map((a) => facts.pciDevices!.find((d) => d.address === a) ?? {address: a})
    // An APU's slot also holds CPU functions of another vendor (PSP, USB): they are not the card's.
    const others = members.filter((d) => !isBridge(d) && !(slotOf(d.address) === slotOf(gpu.address) && d.vendorId === gpu.vendorId))
    if (others.length === 0) {
      report.pass(`IOMMU group ${group.id} holds only ${gpu.address}'s card (a candidate for the guest)`)
      continue
    }
    report.info('iommu-group-shared', {
      subject: gpu.address,
      message: `No GPU is marked for the guest. If it is ${describe(gpu)}: its IOMMU group ${group.id} also holds ${others.map(describe).join('; ')}, which must go to the guest with it.`,
      evidence: [`IOMMU group ${group.id}:`, ...members.map((d) => `  ${describe(d)}: ${isBridge(d) ? 'bridge, fine' : driverText(facts, d)}`)],
      values: {group: String(group.id), address: gpu.address, others: others.map((d) => d.address).join(' '), acsParam: 'pcie_acs_override=downstream,multifunction'},
    })
  }
  if (judged === 0) report.skip('no GPU is marked for the guest, and the listing does not show the groups of the GPUs on the bus')
}
