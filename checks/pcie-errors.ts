import {defineCheck} from '../src/engine/types.js'
import type {KernelSignal} from '../src/parse/kernel-log.js'
import {isDisplayDevice, normalizePciAddress, slotOf} from '../src/facts/merge-pci.js'
import {cmdlineEvidence, logEvidence, signalsOf} from './lib/evidence.js'
import {deviceAt, passedAddresses, upstreamBridges} from './lib/passthrough.js'
import {describe} from './lib/gpu.js'

/**
 * PCIe AER errors on the card passed to the guest or on the link above it (the root port or switch
 * port whose bus range holds the card). Errors elsewhere are reported for information only.
 */
export default defineCheck({
  id: 'pcie-errors',
  title: 'No PCIe link errors on or near the passed device',
  area: 'isolation',
  reports: ['pcie-aspm-errors'],
  needs: ['kernelLog'],
  uses: ['pciDevices', 'guestGpus', 'cmdline'],
  run(facts, report) {
    const errors = signalsOf(facts, 'aer')
    if (errors.length === 0) return report.pass('no "PCIe Bus Error" lines in the kernel log')
    const byDevice = new Map<string, KernelSignal[]>()
    for (const s of errors) {
      const address = normalizePciAddress(s.data?.address ?? '') ?? 'unknown device'
      byDevice.set(address, [...(byDevice.get(address) ?? []), s])
    }
    const passed = passedAddresses(facts)
    const aspmOff = facts.cmdline?.params.some((p) => p.key === 'pcie_aspm' && p.value === 'off') ?? false
    const near = new Map<string, string>() // device with errors -> the passed device it is on or above
    for (const address of byDevice.keys()) {
      for (const card of passed) {
        if (slotOf(address) === slotOf(card) || upstreamBridges(facts, card).includes(address)) near.set(address, card)
      }
      // Without a known guest device, a GPU with errors is taken to be the one meant for the guest.
      const device = deviceAt(facts, address)
      if (passed.length === 0 && device && isDisplayDevice(device)) near.set(address, address)
    }

    for (const [address, card] of near) {
      const lines = byDevice.get(address)!
      const uncorrected = lines.filter((s) => !/^Corrected/i.test(s.data?.severity ?? ''))
      const where = address === card || slotOf(address) === slotOf(card) ? `on ${describeAt(facts, address)}` : `on ${describeAt(facts, address)}, the port above ${card}`
      const kind = uncorrected.length > 0 ? `${uncorrected.length} uncorrected` : `${lines.length} corrected`
      report[uncorrected.length > 0 ? 'error' : 'warning']('pcie-aspm-errors', {
        subject: address,
        message: `${kind} PCIe error(s) ${where}${aspmOff ? '; pcie_aspm=off is already set, so link power management is not the cause: look at the slot, riser or link speed' : ''}.`,
        evidence: [...lines.slice(0, 4).map(logEvidence), ...(lines.length > 4 ? [`... ${lines.length - 4} more`] : []), ...(aspmOff ? [cmdlineEvidence(facts)] : [])],
        values: {address, card, count: String(lines.length)},
      })
    }
    const elsewhere = [...byDevice.keys()].filter((a) => !near.has(a))
    if (elsewhere.length > 0) {
      const summary = elsewhere.map((a) => `${a} (${byDevice.get(a)!.length})`).join(', ')
      report.info('pcie-aspm-errors', {
        subject: elsewhere[0]!,
        message: `PCIe AER errors on ${summary}${passed.length ? ', not on or above the passed device' : ''}: a host link problem, not a passthrough one${passed.length ? '' : ' unless one of these is the device you pass through or its port'}.`,
        evidence: elsewhere.flatMap((a) => byDevice.get(a)!.slice(0, 2).map(logEvidence)),
        values: {address: elsewhere[0]!, card: elsewhere[0]!, count: String(byDevice.get(elsewhere[0]!)!.length)},
      })
    }
  },
})

function describeAt(facts: Parameters<typeof deviceAt>[0], address: string): string {
  const device = deviceAt(facts, address)
  return device ? describe(device) : address
}
