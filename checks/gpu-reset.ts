import {defineCheck} from '../src/engine/types.js'
import type {Facts, PciDevice} from '../src/facts/types.js'
import {isDisplayDevice, normalizePciAddress, slotOf} from '../src/facts/merge-pci.js'
import {messageLine} from '../src/knowledge/messages.js'
import {logEvidence, signalsOf} from './lib/evidence.js'
import {describe} from './lib/gpu.js'
import {atLeast, kernelVersion} from './lib/kernel.js'
import {deviceAt, passedAddresses} from './lib/passthrough.js'

/**
 * AMD GPU families that do not come back from a reset after a VM shuts down (the "AMD reset bug"),
 * as gnif/vendor-reset lists them (src/device-db.h): Polaris 10/11/12, Vega 10/20, Navi 10/12/14.
 */
const RESET_BUG_FAMILIES: Array<{family: string; ids: string[]}> = [
  {family: 'Polaris 10', ids: ['67c0', '67c1', '67c2', '67c4', '67c7', '67c8', '67c9', '67ca', '67cc', '67cf', '67d0', '67df', '6fdf']},
  {family: 'Polaris 11', ids: ['67e0', '67e1', '67e3', '67e7', '67e8', '67e9', '67eb', '67ef', '67ff']},
  {family: 'Polaris 12', ids: ['6980', '6981', '6985', '6986', '6987', '6995', '6997', '699f']},
  {family: 'Vega 10', ids: ['6860', '6861', '6862', '6863', '6864', '6867', '6868', '6869', '686a', '686b', '686c', '686d', '686e', '686f', '687f']},
  {family: 'Vega 20', ids: ['66a0', '66a1', '66a2', '66a3', '66a4', '66a7', '66af']},
  {family: 'Navi 10', ids: ['7310', '7312', '7318', '7319', '731a', '731b', '731e', '731f']},
  {family: 'Navi 12', ids: ['7360', '7362']},
  {family: 'Navi 14', ids: ['7340', '7341', '7347', '734f']},
]

export function resetBugFamily(d: PciDevice | undefined): string | undefined {
  if (d?.vendorId !== '1002' || !d.deviceId) return undefined
  return RESET_BUG_FAMILIES.find((f) => f.ids.includes(d.deviceId!))?.family
}

/**
 * A passed GPU that fails to come back after the VM stops: reset failures in the log on an AMD GPU
 * (power state, pending transaction, FLR timeout, header type 127), and passed cards of the affected
 * families without vendor-reset active. "Unknown PCI header type '127'" on anything else is reported
 * with its likely cause (a card asleep in D3cold or held by its host driver, or AMD platform firmware).
 */
export default defineCheck({
  id: 'gpu-reset',
  title: 'The passed GPU resets cleanly between VM runs',
  area: 'isolation',
  reports: ['gpu-reset-bug', 'pci-header-127'],
  needs: [['kernelLog', 'logSignals', 'pciDevices']],
  uses: ['kernelLog', 'logSignals', 'pciDevices', 'guestGpus', 'modules', 'kernel', 'cpu'],
  run(facts, report) {
    const failures = failureLines(facts)
    const reported = new Set<string>()
    /** Devices vfio-pci held that did not come back but are not GPUs: not this check's finding, but not a clean log either. */
    const notGpus: string[] = []

    for (const [slot, lines] of failures) {
      const gpu = gpuOfSlot(facts, slot)
      const family = resetBugFamily(gpu)
      const headerLines = lines.filter((l) => l.header)
      const amdGpu = gpu?.vendorId === '1002' && isDisplayDevice(gpu)
      if (lines.every((l) => l.notReset)) {
        if (gpu && !isDisplayDevice(gpu)) {
          notGpus.push(describe(gpu))
          continue
        }
        reported.add(slot)
        report.warning('gpu-reset-bug', {
          subject: gpu?.address ?? `${slot}.0`,
          message: `qemu cannot reset ${gpu ? describe(gpu) : `${slot}.0`}${family ? ` (${family}: a family with the AMD reset bug)` : ''} between VM runs: the card has no reset of its own, and the bus reset it needs would touch a device the VM does not own. A card that needs a reset, as AMD GPUs do, then does not come back after the guest restarts.`,
          evidence: lines.map((l) => l.evidence),
          values: resetValues(gpu, `${slot}.0`),
        })
        continue
      }
      if (family || amdGpu) {
        reported.add(slot)
        report.error('gpu-reset-bug', {
          subject: gpu?.address ?? `${slot}.0`,
          message: `${gpu ? describe(gpu) : `${slot}.0`} did not come back from a reset${family ? ` (${family}: a family with the AMD reset bug)` : ''}: until the host reboots, the card cannot be used again.`,
          evidence: lines.map((l) => l.evidence),
          values: resetValues(gpu, `${slot}.0`),
        })
        continue
      }
      if (headerLines.length === 0) {
        // The symptom is proven whatever the card: a GPU (or an unknown device vfio-pci holds) that did not come back.
        if (gpu && !isDisplayDevice(gpu)) {
          notGpus.push(describe((lines[0]!.address && deviceAt(facts, lines[0]!.address)) || gpu))
          continue
        }
        reported.add(slot)
        const vendorReset = vendorResetName(facts, slot)
        const which = vendorReset
          ? `vendor-reset handles it as ${vendorReset}, and its reset did not bring the card back either: update vendor-reset, whose resets for some families have improved since.`
          : gpu
            ? 'It is not one of the AMD families with the reset bug: check for a BIOS or driver update, and that the guest shuts the card down cleanly.'
            : 'Which card it is is not in the evidence (add `lspci -nn`): the AMD Polaris, Vega and Navi 1x families need vendor-reset.'
        report.warning('gpu-reset-bug', {
          subject: gpu?.address ?? `${slot}.0`,
          message: `${gpu ? describe(gpu) : `${slot}.0 (held by vfio-pci)`} did not come back from a reset after a guest used it: until the host reboots, it cannot be used again. ${which}`,
          evidence: lines.map((l) => l.evidence),
          values: resetValues(gpu, `${slot}.0`),
        })
        continue
      }
      reported.add(slot)
      const address = headerLines[0]!.address
      const device = address ? deviceAt(facts, address) : undefined
      report.error('pci-header-127', {
        ...(address ? {subject: address} : {}),
        message: `${device ? describe(device) : address || 'A passed-through device'} answers config reads with all ones ("header type 127"): ${headerCause(facts, device)}`,
        evidence: lines.map((l) => l.evidence),
        values: address ? {address} : {},
      })
    }

    const modules = facts.modules?.loaded
    for (const address of passedAddresses(facts)) {
      const gpu = deviceAt(facts, address)
      const family = resetBugFamily(gpu)
      if (!gpu || !family || !isDisplayDevice(gpu) || reported.has(slotOf(address))) continue
      reported.add(slotOf(address))
      const methods = gpu.resetMethods
      if (methods?.[0] === 'device_specific') {
        report.pass(`${address} (${family}) resets through vendor-reset (reset_method device_specific)`)
        continue
      }
      const version = kernelVersion(facts)
      if (modules?.has('vendor_reset')) {
        if (methods && version && atLeast(version, 5, 15)) {
          report.warning('gpu-reset-bug', {
            subject: address,
            message: `vendor-reset is loaded, but ${address} (${family}) still resets with "${methods.join(', ')}": on kernel 5.15 and later vendor-reset only acts when reset_method is device_specific.`,
            evidence: ['lsmod: vendor_reset', `${address} reset_method: ${methods.join(' ')}`, version.source],
            values: resetValues(gpu, address),
          })
        } else report.pass(`${address} (${family}): vendor-reset is loaded`)
        continue
      }
      report.info('gpu-reset-bug', {
        subject: address,
        message: `${describe(gpu)} is a ${family} card, a family with the AMD reset bug: it may not come back after the VM shuts down. ${modules ? 'vendor-reset is not loaded.' : 'Whether vendor-reset is loaded is unknown (add lsmod).'}`,
        evidence: [`${describe(gpu)}: passed to the guest`, ...(methods ? [`reset_method: ${methods.join(' ')}`] : []), ...(modules ? ['lsmod: no vendor_reset'] : [])],
        values: resetValues(gpu, address),
      })
    }
    if (reported.size > 0) return
    if (notGpus.length) report.pass(`no GPU among the devices that did not come back from a reset (${notGpus.join('; ')}), and no passed GPU of an affected family`)
    else report.pass('no reset failure in the evidence and no passed GPU of an affected family')
  },
})

interface FailureLine {
  address: string
  evidence: string
  header: boolean
  /** qemu could not reset the card at all (no reset of its own, and its bus is shared), rather than saw it fail. */
  notReset?: boolean
}

/** Reset and "fell off the bus" messages, by card slot. */
function failureLines(facts: Facts): Map<string, FailureLine[]> {
  const bySlot = new Map<string, FailureLine[]>()
  const add = (address: string | undefined, line: Omit<FailureLine, 'address'>) => {
    // libvirt sometimes names no device ("for device ..."): the message still proves a device fell off.
    const normalized = normalizePciAddress(address ?? '') ?? ''
    const slot = normalized ? slotOf(normalized) : ''
    bySlot.set(slot, [...(bySlot.get(slot) ?? []), {address: normalized, ...line}])
  }
  for (const s of signalsOf(facts, 'power-state-error', 'pending-transaction', 'reset-failed', 'pci-header-127')) {
    // A USB controller or NVMe that drops off is not a GPU reset problem unless vfio-pci has it.
    const vfio = /^vfio-pci /.test(s.line.text)
    const device = deviceAt(facts, normalizePciAddress(s.data?.address ?? '') ?? '')
    if (s.kind !== 'pci-header-127' && !vfio && !(device && isDisplayDevice(device))) continue
    add(s.data?.address, {evidence: logEvidence(s), header: s.kind === 'pci-header-127'})
  }
  for (const s of facts.logSignals ?? []) {
    if (s.kind !== 'pci-header-127') continue
    add(s.data?.address ?? /[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]/i.exec(s.text)?.[0], {evidence: `${s.origin} line ${s.n}: ${s.text.slice(0, 200)}`, header: true})
  }
  // qemu's "Cannot reset device ..., depends on group N which is not owned" is a known message only:
  // this id's kernel lines came in above as signals, kept to vfio-pci's devices and GPUs.
  for (const hit of facts.messages ?? []) {
    if (hit.message.id === 'gpu-reset-bug' && hit.message.where === 'qemu') add(hit.values.address, {evidence: messageLine(hit), header: false, notReset: true})
  }
  return bySlot
}

/** vendor-reset names the family it resets a card as: "vfio-pci 0000:45:00.0: AMD_VEGA10: performing reset". */
function vendorResetName(facts: Facts, slot: string): string | undefined {
  for (const s of signalsOf(facts, 'vfio-pci-device')) {
    const name = /: (AMD_[A-Z]+\d*): /.exec(s.line.text)?.[1]
    if (name && slotOf(normalizePciAddress(s.data?.address ?? '') ?? '') === slot) return name
  }
  return undefined
}

function gpuOfSlot(facts: Facts, slot: string): PciDevice | undefined {
  const functions = (facts.pciDevices ?? []).filter((d) => slotOf(d.address) === slot)
  return functions.find(isDisplayDevice) ?? functions[0]
}

function headerCause(facts: Facts, device: PciDevice | undefined): string {
  if (device?.driver === 'nvidia' || device?.driver === 'nouveau') {
    return `it is bound to ${device.driver} on the host, which lets it sleep in D3cold or keeps it in use; it never reached vfio-pci in a usable state.`
  }
  if (facts.cpu?.vendor === 'amd') {
    return 'the device stopped answering; on AMD platforms some AGESA (board firmware) releases break device resets, so check for a BIOS update (or go back to the version that worked).'
  }
  return 'the device stopped answering: it is powered down (D3cold) or fell off the bus after a failed reset; a host reboot brings it back.'
}

function resetValues(gpu: PciDevice | undefined, address: string): Record<string, string> {
  return {address: gpu?.address ?? address}
}
