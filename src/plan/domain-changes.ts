/**
 * What a domain needs changed, decided once: the rewrite edits the XML by it and the fragments show
 * it. Without a domain (no --vm) every part is wanted, for a new Windows guest.
 */
import {bootsUefi, guestOs, isIso, isX86} from '../../checks/lib/domain.js'
import {lookingGlassMemories, nodeAt} from '../../checks/lib/looking-glass.js'
import type {Finding} from '../engine/types.js'
import type {Facts} from '../facts/types.js'
import {formatPciAddress, type DomainModel} from '../parse/domain-xml.js'
import type {Choices, DomainChange} from './types.js'

const MIB = 1024 * 1024
const LG_NAME = 'looking-glass'

export interface DomainDecisions {
  /** No domain was given: every part, for a new guest. */
  general: boolean
  windows: boolean
  windows11: boolean
  /** Add firmware='efi' to <os> (the domain boots SeaBIOS now). */
  firmwareEfi: boolean
  /** Put <cpu mode='host-passthrough'> in place (keeping its topology unless `topology` is set). */
  cpuPassthrough: boolean
  topology?: {cores: number; threads: number}
  /** A new <vcpu> count, when the topology changes it. */
  vcpus?: number
  /** Add the Hyper-V enlightenments block (and the Hyper-V clock its timers need). */
  hyperv: boolean
  hypervclock: boolean
  /** vendor_id and <kvm><hidden/> for NVIDIA drivers before R465. */
  hideVendorId: boolean
  hideKvm: boolean
  /** An NVIDIA guest GPU that is not hidden on purpose: say why in a comment. */
  nvidiaNote: boolean
  addHostdevs: string[]
  removeHostdevs: string[]
  tpm: boolean
  lookingGlass?: {sizeMiB: number; name: string; existing: boolean; sizeWrong: boolean; modelWrong: boolean}
  videoNone: boolean
  removeTablets: boolean
  addSpice: boolean
  diskMoves: Array<{from: string; to: string}>
  evdevFixes: Array<{from: string; to: string}>
  changes: DomainChange[]
}

const NOTHING: DomainDecisions = {
  general: false, windows: false, windows11: false, firmwareEfi: false, cpuPassthrough: false, hyperv: false, hypervclock: false, hideVendorId: false, hideKvm: false,
  nvidiaNote: false, addHostdevs: [], removeHostdevs: [], tpm: false, videoNone: false, removeTablets: false, addSpice: false, diskMoves: [], evdevFixes: [], changes: [],
}

export function decideDomain(c: Choices, facts: Facts, findings: Finding[], domain?: DomainModel): DomainDecisions {
  const changes: DomainChange[] = []
  const change = (what: string, why: string) => changes.push({what, why})
  // OVMF, Hyper-V, host-passthrough and the rest here are x86 matters; another architecture only gets the devices.
  if (domain && !isX86(domain)) return {...NOTHING, addHostdevs: c.passed.map((d) => d.address).filter((a) => !domain.hostdevs.some((h) => h.source && formatPciAddress(h.source) === a)), changes}
  const os = domain ? guestOs(domain) : undefined
  const windows = domain ? os?.windows === true : true
  const windows11 = domain ? os?.version === '11' : true
  const mine = (f: Finding) => !domain || !f.subject || f.subject === domain.name || f.subject.startsWith(`${domain.name} `) || f.values?.domain === domain.name

  const firmwareEfi = !domain || !bootsUefi(domain)
  if (firmwareEfi && domain) change("<os firmware='efi'>: boot OVMF (UEFI)", 'GPU passthrough wants UEFI (SeaBIOS has to run the card\'s legacy VGA BIOS); Windows 11 requires it. An installed guest that boots SeaBIOS will not boot OVMF until its disk is converted (mbr2gpt) or it is reinstalled')

  const cpuPassthrough = !domain || (domain.type !== 'qemu' && domain.cpu.mode !== 'host-passthrough' && domain.cpu.mode !== 'maximum')
  if (cpuPassthrough && domain) change("<cpu mode='host-passthrough'>", 'the guest gets the host CPU as it is (AVX2 and the cache topology included)')
  const sizing = topologyFor(facts, domain)
  if (sizing && domain) change(`<topology sockets='1' cores='${sizing.topology.cores}' threads='${sizing.topology.threads}'/>${sizing.vcpus !== domain.vcpus ? ` and <vcpu>${sizing.vcpus}</vcpu>` : ''}`, sizing.why)

  const hyperv = windows && (!domain || !domain.features.hyperv)
  if (hyperv && domain) change('Hyper-V enlightenments in <features>', 'Windows runs faster and more smoothly with them (spinlocks, synthetic timers, APIC)')
  const nvidia = c.gpu?.vendorId === '10de'
  const hideVendorId = nvidia && c.hideHypervisor && !(domain?.features.hypervVendorId?.state === 'on' && domain.features.hypervVendorId.value)
  const hideKvm = nvidia && c.hideHypervisor && domain?.features.kvmHidden !== true
  if ((hideVendorId || hideKvm) && domain) change("<hyperv><vendor_id state='on'/> and <kvm><hidden state='on'/>", 'NVIDIA drivers before R465 stop with Code 43 when they see a hypervisor')
  const nvidiaNote = nvidia && !c.hideHypervisor && (!domain || (domain.features.kvmHidden !== true && !domain.features.hypervVendorId))

  const hostdevs = new Set(domain?.hostdevs.flatMap((h) => (h.type === 'pci' && h.source ? [formatPciAddress(h.source)] : [])) ?? [])
  const removeHostdevs = findings.filter((f) => f.id === 'hostdev-address-missing' && mine(f) && f.values?.address).map((f) => f.values!.address!)
  for (const address of removeHostdevs) change(`remove the <hostdev> for ${address}`, 'no such device on this host')
  const addHostdevs = c.passed.map((d) => d.address).filter((a) => !hostdevs.has(a))
  if (domain) for (const address of addHostdevs) change(`<hostdev> for ${address}`, `${c.passed.find((d) => d.address === address)?.className ?? 'a function'} of the guest's IOMMU group: the group goes to the guest whole`)

  const tpm = windows11 && (!domain || domain.tpms.length === 0)
  if (tpm && domain) change("<tpm model='tpm-crb'> with the swtpm emulator, TPM 2.0", 'Windows 11 requires a TPM 2.0')

  const lookingGlass = lookingGlassFor(c, domain)
  if (lookingGlass && domain) {
    if (!lookingGlass.existing) change(`<shmem name='${LG_NAME}'> of ${lookingGlass.sizeMiB} MiB`, c.lookingGlass!.why)
    else if (lookingGlass.sizeWrong || lookingGlass.modelWrong) change(`<shmem name='${lookingGlass.name}'>: ${lookingGlass.sizeWrong ? `<size> ${lookingGlass.sizeMiB} MiB` : ''}${lookingGlass.sizeWrong && lookingGlass.modelWrong ? ', ' : ''}${lookingGlass.modelWrong ? 'model ivshmem-plain' : ''}`, c.lookingGlass!.why)
  }
  const spice = domain?.graphics.some((g) => g.type === 'spice') ?? true
  const wayIn = spice || !!domain?.inputs.some((i) => (i.type === 'evdev' || i.type === 'passthrough') && i.sourceDev) || !!domain?.hostdevs.some((h) => h.type === 'usb')
  const addSpice = !!lookingGlass && !wayIn
  if (addSpice && domain) change("<graphics type='spice'>", 'the Looking Glass client sends keyboard and mouse to the guest over SPICE')
  const videoNone = !!lookingGlass && (!domain || domain.videos.length === 0 || domain.videos.some((v) => v.model !== 'none'))
  if (videoNone && domain) change("<video><model type='none'/></video>", 'with Looking Glass an emulated display is a second screen Windows extends onto, which the client does not show')
  const removeTablets = !!lookingGlass && !!domain && (spice || addSpice) && domain.inputs.some((i) => i.type === 'tablet')
  if (removeTablets) change("remove <input type='tablet'>", 'with SPICE input through Looking Glass the tablet puts clicks where it last was, not under the cursor')

  const diskMoves = domain ? isoMoves(facts, findings, domain, mine) : []
  for (const m of diskMoves) change(`<source file='${m.to}'/> instead of ${m.from}`, `the qemu user cannot reach ${m.from}; STEPS.md moves it to libvirt's image folder`)
  const evdevFixes = domain ? evdevFixesFor(facts, findings, domain, mine) : []
  for (const e of evdevFixes) change(`<source dev='${e.to}'/> instead of ${e.from}`, 'QEMU only takes event devices: the -event- link of the same device')

  return {
    general: !domain, windows, windows11, firmwareEfi, cpuPassthrough, ...(sizing ? {topology: sizing.topology, vcpus: sizing.vcpus} : {}),
    hyperv, hypervclock: hyperv, hideVendorId, hideKvm, nvidiaNote, addHostdevs, removeHostdevs, tpm,
    ...(lookingGlass ? {lookingGlass} : {}), videoNone, removeTablets, addSpice, diskMoves, evdevFixes, changes,
  }
}

/**
 * One socket, the host's threads per core. A domain that already has a sensible topology keeps it;
 * one with a vCPU count keeps that count; otherwise half the host's cores (the host keeps the rest),
 * as seed 000 did (2 cores x 2 threads on a 4-core, 8-thread i7-7700T).
 */
function topologyFor(facts: Facts, domain?: DomainModel): {topology: {cores: number; threads: number}; vcpus: number; why: string} | undefined {
  const hostThreads = facts.cpu?.threadsPerCore ?? 1
  const hostCores = facts.cpu?.cores
  const host = hostCores ? `the host has ${hostCores} cores x ${hostThreads} threads` : 'the host CPU\'s cores are unknown (add /proc/cpuinfo)'
  const current = domain?.cpu.topology
  const vcpus = domain?.vcpus
  if (domain && vcpus !== undefined && vcpus > 1 && current && (current.sockets ?? vcpus) <= 2) return undefined
  if (vcpus !== undefined && vcpus > 1) {
    const threads = vcpus % hostThreads === 0 ? hostThreads : 1
    return {topology: {cores: vcpus / threads, threads}, vcpus, why: `one socket for the ${vcpus} vCPUs: Windows Home uses 1 socket and Pro 2, so a socket per vCPU hides most of them (${host})`}
  }
  const cores = hostCores ? Math.max(1, Math.floor(hostCores / 2)) : 2
  return {topology: {cores, threads: hostThreads}, vcpus: cores * hostThreads, why: `half of the host's cores with their threads, the rest left to the host (${host})`}
}

function lookingGlassFor(c: Choices, domain?: DomainModel): DomainDecisions['lookingGlass'] {
  if (!c.lookingGlass) return undefined
  const memory = domain ? lookingGlassMemories(domain).find((m) => m.kind === 'shmem') : undefined
  const sizeMiB = c.lookingGlass.sizeMiB
  if (!memory?.shmem) return {sizeMiB, name: LG_NAME, existing: false, sizeWrong: false, modelWrong: false}
  return {sizeMiB, name: memory.shmem.name, existing: true, sizeWrong: memory.sizeBytes !== sizeMiB * MIB, modelWrong: memory.shmem.model !== 'ivshmem-plain'}
}

/** ISOs the qemu user cannot reach: moved to libvirt's image folder (disk images get a step, not a move). */
function isoMoves(facts: Facts, findings: Finding[], domain: DomainModel, mine: (f: Finding) => boolean): Array<{from: string; to: string}> {
  const isos = new Set(domain.disks.filter(isIso).map((d) => d.sourceFile))
  return findings
    .filter((f) => f.id === 'iso-permissions' && f.severity !== 'info' && mine(f) && f.values?.path && f.values.newPath && isos.has(f.values.path))
    .filter((f) => !facts.fileAccess?.get(f.values!.path!)?.missing)
    .map((f) => ({from: f.values!.path!, to: f.values!.newPath!}))
}

/** evdev sources that are not event devices, pointed at the event link of the same device. */
function evdevFixesFor(facts: Facts, findings: Finding[], domain: DomainModel, mine: (f: Finding) => boolean): Array<{from: string; to: string}> {
  const sources = new Set(domain.inputs.map((i) => i.sourceDev))
  return findings
    .filter((f) => f.id === 'evdev-input-invalid' && f.severity === 'error' && mine(f) && f.values?.path && f.values.eventPath)
    .filter((f) => f.values!.eventPath !== f.values!.path && sources.has(f.values!.path) && !/DEVICE/.test(f.values!.eventPath!))
    .filter((f) => nodeAt(facts, f.values!.eventPath!)?.exists !== false)
    .map((f) => ({from: f.values!.path!, to: f.values!.eventPath!}))
}
