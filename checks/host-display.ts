import {defineCheck} from '../src/engine/types.js'
import {bootVga, intelIgpu} from '../src/facts/guest-gpus.js'
import {isDisplayDevice, slotOf} from '../src/facts/merge-pci.js'
import type {PciDevice} from '../src/facts/types.js'
import {cpuHasIgpu, igpuFirmwareSetting} from './lib/display.js'
import {bindingIndex, boundDriver, cardFunctions, describe, deviceListComplete, driverText, idList, inEffect} from './lib/gpu.js'
import {virtualHost} from './lib/host.js'

/**
 * The host keeps a display GPU of its own, and the firmware boots on it. Seed 000 froze at boot: the
 * RX 580 was the only GPU on the bus (the i7-7700T's iGPU was off in the firmware) and vfio-pci.ids
 * took it. A display device that the configuration takes although it is not the guest's is
 * vfio-ids-wrong's finding (seed 004's 00:02.0).
 */
export default defineCheck({
  id: 'host-display',
  title: 'The host keeps a display GPU',
  area: 'isolation',
  reports: ['host-display-lost'],
  needs: ['pciDevices'],
  uses: ['guestGpus', 'cmdline', 'modprobe', 'nixConfig', 'kernelLog', 'cpu', 'virt'],
  run(facts, report) {
    // A VM's GPUs and "firmware" are its hypervisor's: host-is-virtual says so once.
    if (virtualHost(facts)) return report.defer('this host is virtual: see host-is-virtual')
    const devices = facts.pciDevices!
    // One device per card: old Intel iGPUs show a second display function at 00:02.1.
    const cards = devices.filter((d, i) => isDisplayDevice(d) && devices.findIndex((e) => isDisplayDevice(e) && slotOf(e.address) === slotOf(d.address)) === i)
    if (cards.length === 0) return report.skip('the evidence lists no display device')
    const bindings = bindingIndex(facts)
    const guests = new Set(facts.guestGpus ?? [])
    const toVfio = (d: PciDevice) => boundDriver(facts, d) === 'vfio-pci' || inEffect(facts, bindings.of(d)).length > 0
    const taken = cards.filter((d) => guests.has(d.address) && toVfio(d))
    if (taken.length === 0) return report.pass('no display GPU is handed to vfio-pci at boot')
    const hostCards = cards.filter((d) => !guests.has(d.address))
    const kept = hostCards.filter((d) => !toVfio(d))
    const evidence = (d: PciDevice) => [`${describe(d)}: ${driverText(facts, d)}`, ...bindings.of(d).map((b) => b.where)]
    const values = {
      address: taken[0]!.address,
      ids: idList(cardFunctions(facts, taken[0]!)),
      setting: igpuFirmwareSetting(facts.cpu?.vendor),
    }

    if (hostCards.length === 0) {
      if (!deviceListComplete(facts)) return report.skip('the device list is partial: it cannot show whether the host has another GPU (add the whole `lspci -nn`)')
      const igpu = cpuHasIgpu(facts.cpu)
      const list = taken.map((d) => d.address).join(' and ')
      const [onlyGpu, them] = taken.length > 1 ? ['are the only GPUs', 'them'] : ['is the only GPU', 'it']
      if (igpu) {
        return report.error('host-display-lost', {
          subject: values.address,
          message: `${list} ${onlyGpu} on the PCI bus and vfio-pci takes ${them} at boot, so the host has no display left: boot seems to freeze on the last frame. The ${facts.cpu!.model} has integrated graphics, yet no integrated GPU is on the bus: it is disabled in the firmware (BIOS/UEFI). Set ${values.setting}, and plug the host's monitor into the motherboard.`,
          evidence: [...taken.flatMap(evidence), `CPU: ${facts.cpu!.model}`, `${devices.length} PCI devices in the evidence, ${cards.length} of them display devices${intelIgpu(devices) ? '' : ', none at 00:02.0 (where Intel integrated graphics sit)'}`],
          values,
        })
      }
      return report.warning('host-display-lost', {
        subject: values.address,
        message: `${list} ${onlyGpu} on this host and vfio-pci takes ${them} at boot: the host has no display from then on (boot seems to freeze). That is fine for a headless host; otherwise the host needs a GPU of its own${igpu === false ? ` (the ${facts.cpu!.model} has no integrated graphics)` : ''}, or the card has to be released to the VM only when it starts (single-GPU passthrough).`,
        evidence: [...taken.flatMap(evidence), ...(facts.cpu?.model ? [`CPU: ${facts.cpu.model}`] : [])],
        values,
      })
    }

    // The other GPUs go to vfio-pci too: another guest's card, or the host's display named by mistake (vfio-ids-wrong).
    if (kept.length === 0) return report.skip(`${hostCards.map((d) => d.address).join(', ')} ${hostCards.length > 1 ? 'are' : 'is'} handed to vfio-pci as well: vfio-ids-wrong says whether that is the host's display`)
    const boot = bootVga(facts)
    const bootCard = boot && taken.find((d) => d.address === boot.address)
    if (bootCard) {
      const hostCard = kept[0]!
      const integrated = intelIgpu(devices)?.address === hostCard.address
      return report.warning('host-display-lost', {
        subject: bootCard.address,
        message: `The firmware boots on ${bootCard.address}, the GPU vfio-pci takes for the guest: boot messages (and any disk-unlock prompt) go to the guest's screen and stop when vfio-pci claims the card; the host's own display is ${describe(hostCard)} (${driverText(facts, hostCard)}). Make ${integrated ? 'the integrated GPU' : hostCard.address} the primary display in the firmware.`,
        evidence: [boot.evidence, ...evidence(bootCard), `${describe(hostCard)}: ${driverText(facts, hostCard)}`],
        values: {...values, setting: integrated ? values.setting : `"Primary Display" / "Initiate Graphic Adapter" = the slot of ${hostCard.address}`},
      })
    }
    report.pass(`the host keeps ${kept.map((d) => d.address).join(', ')} for its display`)
  },
})
