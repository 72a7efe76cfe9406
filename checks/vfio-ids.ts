import {defineCheck, type Severity} from '../src/engine/types.js'
import {idsOf, isDisplayDevice, slotOf} from '../src/facts/merge-pci.js'
import type {Facts, PciDevice} from '../src/facts/types.js'
import {kernelAtLeast} from '../src/parse/kernel-release.js'
import {nixPlace} from '../src/parse/nix-config.js'
import {idsSelected, vfioBindings, type VfioBinding} from '../src/facts/vfio-bindings.js'
import {hostDisplayEvidence} from './lib/display.js'
import {boundDriver, describe, deviceListComplete, driverText, guestCards, idList} from './lib/gpu.js'

interface Problem {
  severity: Severity
  subject: string
  message: string
  evidence: string[]
  /** The ids or addresses that should go. */
  removed: string[]
}

/**
 * vfio-pci.ids and driver_override lists name exactly the guest's devices: no typo, nothing the host
 * lacks, nothing the host needs (its display GPU, its system disk), and no id shared by a card the
 * host keeps (identical GPUs cannot be split by ids: bind the guest's by address instead).
 */
export default defineCheck({
  id: 'vfio-ids',
  title: "vfio-pci is given exactly the guest's devices",
  area: 'isolation',
  reports: ['vfio-ids-wrong'],
  needs: [],
  uses: ['cmdline', 'modprobe', 'nixConfig', 'pciDevices', 'guestGpus', 'kernelLog'],
  run(facts, report) {
    const bindings = vfioBindings(facts)
    const misspelt = misspeltIdsParams(facts)
    for (const m of misspelt) {
      report.error('vfio-ids-wrong', {
        subject: m.text,
        message: `\`${m.text}\` is not vfio-pci's parameter: the kernel only hands ${m.right} to vfio-pci, so vfio-pci gets no ids from it and the devices stay with their host drivers.`,
        evidence: [m.where],
        values: {ids: m.value, addresses: '', address: '', removed: m.text},
      })
    }
    if (bindings.length === 0) {
      if (misspelt.length === 0) report.skip('nothing hands devices to vfio-pci (no vfio-pci.ids, no driver_override)')
      return
    }
    const problems = [
      ...groupByValue(bindings.filter((b) => b.kind === 'ids')).flatMap(([value, where]) => idProblems(facts, value, where)),
      ...addressProblems(facts, groupByValue(bindings.filter((b) => b.kind === 'address'))),
    ]
    if (problems.length === 0) {
      if (!facts.pciDevices) return report.skip('the evidence has no PCI device list to check the vfio-pci ids against: add `lspci -nn`')
      if (facts.pciDevices.some((d) => idsOf(d) === undefined)) return report.skip('the device list shows no ids to check the vfio-pci ids against (lspci without -nn): add `lspci -nn`')
      return report.pass('every vfio-pci id and driver_override address names a device meant for the guest')
    }
    const values = fixValues(facts, bindings, problems)
    for (const p of problems) {
      report[p.severity]('vfio-ids-wrong', {subject: p.subject, message: p.message, evidence: p.evidence, values: {...values, removed: p.removed.join(' ')}})
    }
  },
})

function groupByValue(bindings: VfioBinding[]): Array<[string, string[]]> {
  const byValue = new Map<string, string[]>()
  for (const b of bindings) byValue.set(b.value, [...new Set([...(byValue.get(b.value) ?? []), b.where])])
  return [...byValue]
}

function idProblems(facts: Facts, value: string, where: string[]): Problem[] {
  const ids = idsSelected(value)
  if (!ids) {
    return [{severity: 'error', subject: value, removed: [value], evidence: where, message: `vfio-pci.ids entry "${value}" is not vendor:device (four hex digits each, like 10de:1b81): vfio-pci skips it, so whatever it was meant to select stays with the host.`}]
  }
  const devices = facts.pciDevices
  if (!devices) return []
  const matches = devices.filter((d) => idsOf(d) === ids)
  // `lspci -k` without -nn shows no ids: a device whose ids are not shown may be the one.
  if (matches.length === 0) return devices.some((d) => idsOf(d) === undefined) ? [] : [absentId(facts, value, where)]
  // Stryker disable next-line ArrayDeclaration: a string in place of no guest GPUs is no device's address, so nothing is taken for a guest
  const guests = new Set(facts.guestGpus ?? [])
  // The GPU function of each matched card: identical cards match in two or more slots.
  const gpus = [...new Set(matches.map((d) => slotOf(d.address)))].flatMap((slot) => devices.filter((d) => slotOf(d.address) === slot && isDisplayDevice(d)).slice(0, 1))
  if (gpus.length >= 2) return identicalCards(facts, value, matches, gpus, where)
  const displays = matches.filter(isDisplayDevice)
  const problems: Problem[] = []
  for (const d of displays) {
    const host = guests.has(d.address) ? undefined : hostDisplayEvidence(facts, d)
    if (!host) continue
    problems.push({
      severity: host.certain ? 'error' : 'warning',
      subject: value,
      removed: [value],
      evidence: [...where, `${describe(d)}: ${driverText(facts, d)}`, host.evidence],
      message: `vfio-pci.ids lists ${value}, the ids of ${d.address}, the host's own display GPU${guestNote(facts)}: ${framebufferNote(facts)}`,
    })
  }
  for (const d of matches.filter(isStorage)) {
    const problem = storageProblem(facts, value, d, where)
    if (problem) problems.push(problem)
  }
  return problems
}

function absentId(facts: Facts, value: string, where: string[]): Problem {
  const complete = deviceListComplete(facts)
  return {
    severity: complete ? 'warning' : 'info',
    subject: value,
    removed: [value],
    evidence: [...where, `${facts.pciDevices!.length} PCI devices in the evidence, none with ids ${value}`],
    message: complete
      ? `vfio-pci.ids lists ${value}, but no device on this host has those ids: a copied id (a guide's example, another machine) that binds nothing today and whatever device has it later.`
      : `vfio-pci.ids lists ${value}, and no device in the evidence has those ids (the device list given is partial: add the whole \`lspci -nn\`). If it is copied from a guide, remove it; if it is a disk controller, make sure the host does not boot from it.`,
  }
}

/** Two or more identical cards: vfio-pci.ids takes the same function of every one of them. */
function identicalCards(facts: Facts, value: string, matches: PciDevice[], gpus: PciDevice[], where: string[]): Problem[] {
  // Stryker disable next-line ArrayDeclaration: as in idProblems
  const guests = new Set(facts.guestGpus ?? [])
  const kept = gpus.filter((d) => !guests.has(d.address) || hostDisplayEvidence(facts, d)?.certain)
  const evidence = [...where, ...matches.map((d) => `${describe(d)}: ${driverText(facts, d)}`)]
  const addresses = matches.map((d) => d.address).join(' and ')
  if (kept.length === 0) {
    return [{severity: 'warning', subject: value, removed: [value], evidence, message: `vfio-pci.ids ${value} selects ${addresses}, the same function of identical cards. That is right only if every one of them goes to a guest; if the host should keep one, ids cannot tell them apart: bind the guest's card by address (driver_override) instead.`}]
  }
  return [{
    severity: 'error',
    subject: value,
    removed: [value],
    evidence: [...evidence, ...kept.map((d) => hostDisplayEvidence(facts, d)?.evidence ?? `${d.address} is not the guest GPU`)],
    message: `vfio-pci.ids ${value} selects ${addresses}, the same function of identical cards, including the card at ${kept.map((d) => slotOf(d.address)).join(' and ')} that the host keeps: ids cannot split identical cards. Remove ${value} from vfio-pci.ids and bind the guest's card by address (driver_override).`,
  }]
}

function isStorage(d: PciDevice): boolean {
  return d.classCode !== undefined ? d.classCode.startsWith('01') : /Non-Volatile|SATA|RAID|SCSI|IDE|Mass storage/i.test(d.className ?? '')
}

/** A disk controller in vfio-pci.ids is fine for a disk the VM owns, fatal for the one the host boots from. */
function storageProblem(facts: Facts, value: string, d: PciDevice, where: string[]): Problem | undefined {
  const driver = boundDriver(facts, d)
  if (driver === 'vfio-pci') return undefined // the host already lives without it
  const hints = [
    ...(driver ? [`${d.address} is in use by the host (driver ${driver})`] : []),
    ...rootOnNvmeEvidence(facts),
  ]
  // Stryker disable next-line ArrayDeclaration: idProblems has returned when there is no device list, so the fallback is never used
  const controllers = (facts.pciDevices ?? []).filter(isStorage)
  const onlyOne = deviceListComplete(facts) && controllers.every((c) => idsOf(c) === idsOf(d))
  const systemDisk = onlyOne || (d.classCode === '0108' && rootOnNvmeEvidence(facts).length > 0 && controllers.filter((c) => c.classCode === '0108').length === 1)
  return {
    severity: systemDisk ? 'error' : 'warning',
    subject: value,
    removed: [value],
    evidence: [...where, `${describe(d)}: ${driverText(facts, d)}`, ...hints],
    message: systemDisk
      ? `vfio-pci.ids lists ${value}, the ids of ${describe(d)}, which holds the host's system disk as far as the evidence shows${onlyOne ? ' (it is the host\'s only storage controller)' : ' (the root file system is on NVMe and this is the only NVMe controller)'}: when vfio-pci claims it at boot the host cannot mount its root.`
      : `vfio-pci.ids lists ${value}, the ids of ${describe(d)}, a disk controller. Does the host boot from this disk? If so remove ${value}: vfio-pci would take the host's system disk at boot. Keep it only if this disk belongs to the VM.`,
  }
}

function rootOnNvmeEvidence(facts: Facts): string[] {
  const root = facts.cmdline?.last.get('root')
  const found: string[] = []
  if (typeof root === 'string' && root.startsWith('/dev/nvme')) found.push(`kernel command line: root=${root}`)
  for (const config of facts.nixConfig ?? []) {
    const nvme = config.initrdAvailableKernelModules?.find((m) => m.value === 'nvme')
    if (nvme) found.push(`${nixPlace(config.file, nvme)}: boot.initrd.availableKernelModules has "nvme" (the initrd needs NVMe: the root file system is on it)`)
  }
  return found
}

/** Addresses that no device has make one finding (one shell loop wrote them all); the rest one each. */
function addressProblems(facts: Facts, addresses: Array<[string, string[]]>): Problem[] {
  const devices = facts.pciDevices
  if (!devices) return []
  const missing = addresses.filter(([address]) => !devices.some((d) => d.address === address))
  const present = addresses.filter(([address]) => !missing.some(([m]) => m === address))
  return [...(missing.length ? [missingAddressProblem(facts, missing)] : []), ...present.flatMap(([address, where]) => presentAddressProblems(facts, address, where))]
}

function missingAddressProblem(facts: Facts, missing: Array<[string, string[]]>): Problem {
  // Stryker disable next-line ArrayDeclaration: addressProblems has returned when there is no device list, so the fallback is never used
  const devices = facts.pciDevices ?? []
  const complete = deviceListComplete(facts)
  // Meant for the guest GPU, which the evidence shows elsewhere: wrong whatever else the host has.
  const guestElsewhere = (facts.guestGpus ?? []).length > 0
  const list = missing.map(([address]) => address)
  const named = list.length === 1 ? list[0]! : `${list.slice(0, -1).join(', ')} and ${list.at(-1)}`
  return {
    severity: complete || guestElsewhere ? 'warning' : 'info',
    subject: list.join(' '),
    removed: list,
    evidence: [...new Set(missing.flatMap(([, where]) => where)), `${devices.length} PCI devices in the evidence, none at ${named}`],
    message: `driver_override is written for ${named}, which ${complete ? (list.length === 1 ? 'does not exist on this host' : 'do not exist on this host') : (list.length === 1 ? 'is not in the evidence' : 'are not in the evidence')}${guestNote(facts)}: the write fails and binds nothing.`,
  }
}

function presentAddressProblems(facts: Facts, address: string, where: string[]): Problem[] {
  const device = facts.pciDevices!.find((d) => d.address === address)!
  // Stryker disable next-line ArrayDeclaration: a string in place of no guest GPUs is no device's address
  if ((facts.guestGpus ?? []).includes(device.address)) return []
  const host = hostDisplayEvidence(facts, device)
  if (!host) return []
  return [{
    severity: host.certain ? 'error' : 'warning',
    subject: address,
    removed: [address],
    evidence: [...where, `${describe(device)}: ${driverText(facts, device)}`, host.evidence],
    message: `driver_override binds ${describe(device)} to vfio-pci, and that is the host's own display GPU${guestNote(facts)}: ${framebufferNote(facts)}`,
  }]
}

/** What binding the boot display does on this kernel (seed 004 pinned 5.15 to get away from the 6.x freeze). */
function framebufferNote(facts: Facts): string {
  const kernel = facts.kernel
  if (kernel && !kernelAtLeast(kernel, 6, 0)) {
    return `its graphics driver never gets it, and kernel ${kernel.release} leaves only the firmware framebuffer drawing on it. From 6.0 vfio-pci removes that framebuffer when it binds the card and the console freezes during boot: staying on 5.x only hides this.`
  }
  return `the host loses its screen: ${kernel ? `on kernel ${kernel.release}` : 'from Linux 6.0'} vfio-pci removes the firmware framebuffer on it when it binds the card, so the console freezes during boot.`
}

function guestNote(facts: Facts): string {
  const guests = facts.guestGpus ?? []
  return guests.length > 0 ? ` (the guest GPU is ${guests.join(', ')})` : ''
}

/** The corrected lists: ids and addresses without the ones found wrong; identical cards go by address. */
function fixValues(facts: Facts, bindings: VfioBinding[], problems: Problem[]): Record<string, string> {
  const removed = new Set(problems.flatMap((p) => p.removed))
  const cards = guestCards(facts)
  const ids = [...new Set(bindings.filter((b) => b.kind === 'ids' && !removed.has(b.value)).map((b) => b.value))]
  const written = [...new Set(bindings.filter((b) => b.kind === 'address' && !removed.has(b.value)).map((b) => b.value))]
  const cardAddresses = cards.flatMap(({functions}) => functions.map((f) => f.address))
  const byAddress = [...new Set([...cardAddresses, ...written])].sort()
  return {
    ids: ids.length > 0 ? ids.join(',') : idList(cards.flatMap(({functions}) => functions).filter((f) => !removed.has(idsOf(f) ?? ''))),
    addresses: byAddress.join(' '),
    address: cards[0]?.gpu.address ?? written[0] ?? '',
  }
}

/** A kernel parameter that was meant as vfio-pci.ids: vfio-pci-ids=, vfio_pci_ids=, vfio-pci.id=, vfio.ids=. */
const NEAR_IDS_PARAM = /^(?:vfio[-_]?pci[-_](?:ids?)|vfio[-_]pci\.id|vfio\.ids?|vfio[-_]?pcs\.ids)$/i
/** In modprobe.d: `options vfio-pci id=...` (the parameter is ids). */
const NEAR_IDS_OPTION = /^(?:id|pci_ids|pci-ids|vfio_ids|device_ids)$/i

interface Misspelt {
  text: string
  value: string
  right: string
  where: string
}

function misspeltIdsParams(facts: Facts): Misspelt[] {
  const found: Misspelt[] = []
  // Stryker disable next-line ArrayDeclaration: a string in place of no parameters has no value, so the loop skips it
  for (const p of facts.cmdline?.params ?? []) {
    if (p.value !== undefined && NEAR_IDS_PARAM.test(p.key)) found.push({text: `${p.key}=${p.value}`, value: p.value, right: '`vfio-pci.ids=` (module, dot, parameter)', where: `kernel command line: ${facts.cmdline!.raw}`})
  }
  // Stryker disable next-line ArrayDeclaration: a string in place of no options lines has no module, which is not vfio-pci
  for (const o of facts.modprobe?.options ?? []) {
    if (!/^vfio[-_]pci$/.test(o.module)) continue
    for (const [name, value] of Object.entries(o.params)) {
      if (NEAR_IDS_OPTION.test(name)) found.push({text: `options ${o.module} ${name}=${value}`, value, right: '`options vfio-pci ids=...`', where: `${o.origin} line ${o.line}: options ${o.module} ${name}=${value}`})
    }
  }
  return found
}
