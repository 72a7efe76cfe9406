import {idsOf, slotOf} from '../src/facts/merge-pci.js'
import type {Facts, PciDevice} from '../src/facts/types.js'
import {defineCheck, type Reporter} from '../src/engine/types.js'
import {idsSelected, vfioBindings} from '../src/facts/vfio-bindings.js'
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
  needs: [['pciDevices', 'cmdline', 'modprobe', 'nixConfig']],
  uses: ['guestGpus'],
  run(facts, report) {
    if (!facts.pciDevices) return judgeIdsAlone(facts, report)
    if (!facts.guestGpus) return report.skip(facts.unknown.guestGpus?.reason ?? 'no GPU is marked for the guest')
    const bindings = bindingIndex(facts)
    let judged = false
    for (const {gpu, functions} of guestCards(facts)) {
      const gpuBindings = bindings.of(gpu)
      // A GPU that vfio-pci does not get at all is gpu-driver-not-vfio's finding, with every function's ids.
      if (boundDriver(facts, gpu) !== 'vfio-pci' && gpuBindings.length === 0) continue
      judged = true
      const left = functions.filter((f) => f !== gpu && leftBehind(boundDriver(facts, f), bindings.of(f).length > 0))
      if (left.length === 0) {
        report.pass(`every function of ${gpu.address}'s card is handed to vfio-pci`)
        continue
      }
      const byIds = gpuBindings.filter((b) => b.kind === 'ids')
      // Stryker disable next-line MethodExpression: equivalent (docs/testing.md): read only when no binding is by ids, and a binding is by ids or by address
      const byAddress = gpuBindings.filter((b) => b.kind === 'address')
      const how = byIds.length > 0 ? `vfio-pci.ids selects ${[...new Set(byIds.map((b) => b.value))].join(',')}` : byAddress.length > 0 ? `driver_override names only ${[...new Set(byAddress.map((b) => b.value))].join(' ')}` : 'only the GPU function is bound to vfio-pci'
      report.error('companion-function-not-vfio', {
        subject: gpu.address,
        message: `${left.map((f) => `${f.address} (${f.className ?? 'function'}${idsOf(f) ? ` [${idsOf(f)}]` : ''}) is ${holder(boundDriver(facts, f))}`).join('; ')}: ${how}, so the card's other functions stay with the host. ${sameGroupKnown(facts, gpu) ? 'They share the GPU\'s IOMMU group, which is then not viable: the VM does not start with the GPU.' : 'Where they share the GPU\'s IOMMU group (as on most discrete cards) the group is not viable; the guest also gets no HDMI / DisplayPort audio.'}`,
        evidence: [...functions.map((f) => `${describe(f)}: ${driverText(facts, f)}`), ...[...new Set(gpuBindings.map((b) => b.where))]],
        values: {
          address: gpu.address,
          // lspci without -nn shows no ids: the ones vfio-pci.ids already names, then the card's placeholder.
          ids: idList(functions) || [...new Set(byIds.map((b) => b.value))].join(',') || 'VENDOR:DEVICE of each function (lspci -nn)',
          missing: idList(left),
          addresses: functions.map((f) => f.address).join(' '),
          slot: slotOf(gpu.address),
          softdeps: softdepLines(left.flatMap((f) => boundDriver(facts, f) ?? defaultDriver(f))),
        },
      })
    }
    if (!judged) report.skip('no guest GPU is handed to vfio-pci yet (gpu-driver says so)')
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

/** Graphics makers whose cards carry an HDMI audio function beside the GPU (NVIDIA, AMD/ATI). */
const GPU_VENDORS: Record<string, string> = {'10de': 'NVIDIA', '1002': 'AMD'}

/**
 * No device list, only vfio-pci.ids (a pasted modprobe.d or command line): one id of a graphics
 * maker alone is the GPU without its audio function, or the other way round. Said as a warning,
 * since only `lspci -nn` shows the card's functions.
 */
function judgeIdsAlone(facts: Facts, report: Reporter): void {
  const byIds = vfioBindings(facts).filter((b) => b.kind === 'ids')
  const selected = [...new Set(byIds.flatMap((b) => idsSelected(b.value) ?? []))]
  if (selected.length === 0) return report.skip('the evidence has no PCI device list and nothing hands devices to vfio-pci', facts.unknown.pciDevices?.hint)
  for (const [vendor, maker] of Object.entries(GPU_VENDORS)) {
    const ids = selected.filter((id) => id.startsWith(`${vendor}:`))
    if (ids.length !== 1) continue
    report.warning('companion-function-not-vfio', {
      subject: ids[0]!,
      message: `vfio-pci.ids names one ${maker} id (${ids[0]}) and no other: ${maker} cards have an HDMI audio function beside the GPU (NVIDIA's Turing and later cards also USB and UCSI functions), each with its own id, which then stay with the host and make the GPU's IOMMU group not viable. \`lspci -nn -s\` on the card's slot lists every function's id.`,
      evidence: [...new Set(byIds.filter((b) => idsSelected(b.value) === ids[0]).map((b) => b.where))],
      values: {address: 'the card', ids: `${ids[0]},ID_OF_EACH_OTHER_FUNCTION`, missing: 'the ids of its other functions', addresses: "the card's functions", slot: 'SLOT (the card\'s bus:device, from lspci)', softdeps: ''},
    })
    return
  }
  report.pass(`vfio-pci.ids (${selected.join(',')}) names more than one function of each graphics maker`)
}
