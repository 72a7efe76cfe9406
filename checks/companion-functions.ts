import {idsOf, slotOf} from '../src/facts/merge-pci.js'
import type {Facts, PciDevice} from '../src/facts/types.js'
import {defineCheck} from '../src/engine/types.js'
import {bindingIndex, boundDriver, describe, driverText, guestCards, idList, softdepLines} from './lib/gpu.js'

/**
 * Every function of the guest GPU's card (HDMI audio .1; USB .2 and UCSI .3 on NVIDIA Turing and
 * later) goes to vfio-pci with the GPU: they share its IOMMU group, and a function left to
 * snd_hda_intel or xhci_hcd makes the group "not viable".
 */
export default defineCheck({
  id: 'companion-functions',
  title: "The guest GPU's other functions go to vfio-pci too",
  area: 'isolation',
  reports: ['companion-function-not-vfio'],
  needs: ['pciDevices', 'guestGpus'],
  uses: ['cmdline', 'modprobe', 'nixConfig'],
  run(facts, report) {
    const bindings = bindingIndex(facts)
    let judged = 0
    for (const {gpu, functions} of guestCards(facts)) {
      const gpuBindings = bindings.of(gpu)
      // A GPU that vfio-pci does not get at all is gpu-driver-not-vfio's finding, with every function's ids.
      if (boundDriver(facts, gpu) !== 'vfio-pci' && gpuBindings.length === 0) continue
      judged++
      const left = functions.filter((f) => f !== gpu && leftBehind(boundDriver(facts, f), bindings.of(f).length > 0))
      if (left.length === 0) {
        report.pass(`every function of ${gpu.address}'s card is handed to vfio-pci`)
        continue
      }
      const byIds = gpuBindings.filter((b) => b.kind === 'ids')
      const byAddress = gpuBindings.filter((b) => b.kind === 'address')
      const how = byIds.length > 0 ? `vfio-pci.ids selects ${[...new Set(byIds.map((b) => b.value))].join(',')}` : byAddress.length > 0 ? `driver_override names only ${[...new Set(byAddress.map((b) => b.value))].join(' ')}` : 'only the GPU function is bound to vfio-pci'
      report.error('companion-function-not-vfio', {
        subject: gpu.address,
        message: `${left.map((f) => `${f.address} (${f.className ?? 'function'}${idsOf(f) ? ` [${idsOf(f)}]` : ''}) is ${holder(boundDriver(facts, f))}`).join('; ')}: ${how}, so the card's other functions stay with the host. ${sameGroupKnown(facts, gpu) ? 'They share the GPU\'s IOMMU group, which is then not viable: the VM does not start with the GPU.' : 'Where they share the GPU\'s IOMMU group (as on most discrete cards) the group is not viable; the guest also gets no HDMI / DisplayPort audio.'}`,
        evidence: [...functions.map((f) => `${describe(f)}: ${driverText(facts, f)}`), ...[...new Set(gpuBindings.map((b) => b.where))]],
        values: {
          address: gpu.address,
          ids: idList(functions),
          missing: idList(left),
          addresses: functions.map((f) => f.address).join(' '),
          slot: slotOf(gpu.address),
          softdeps: softdepLines(left.flatMap((f) => boundDriver(facts, f) ?? defaultDriver(f))),
        },
      })
    }
    if (judged === 0) report.skip('no guest GPU is handed to vfio-pci yet (gpu-driver says so)')
  },
})

/**
 * A function stays with the host when nothing hands it to vfio-pci and a host driver holds it (or
 * will: its driver is not known). Unbound functions do not block the group. One that is handed to
 * vfio-pci but held by a host driver lost the race at boot: vfio-load-order reports that.
 */
function leftBehind(driver: string | null | undefined, named: boolean): boolean {
  if (driver === 'vfio-pci' || driver === null) return false
  return !named
}

/** Whether the evidence shows the GPU's group (the functions found then share it by construction). */
function sameGroupKnown(facts: Facts, gpu: PciDevice): boolean {
  return gpu.iommuGroup !== undefined || (facts.iommuGroups ?? []).some((g) => g.devices.includes(gpu.address))
}

function holder(driver: string | null | undefined): string {
  return driver ? `bound to ${driver}` : 'not handed to vfio-pci'
}

/** The host driver that takes a function nobody hands to vfio-pci, by its class. */
function defaultDriver(f: PciDevice): string[] {
  if (f.classCode === '0403' || /audio/i.test(f.className ?? '')) return ['snd_hda_intel']
  if (f.classCode === '0c03' || /USB/i.test(f.className ?? '')) return ['xhci_hcd']
  if (f.classCode === '0c80' || /serial bus/i.test(f.className ?? '')) return ['nvidia-gpu']
  return []
}
