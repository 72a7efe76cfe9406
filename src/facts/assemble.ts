import {messageLine, scanMessages, type MessageHit} from '../knowledge/messages.js'
import {grepFilterOf} from '../parse/kernel-log/excerpt.js'
import {parseBootspec} from '../parse/bootspec.js'
import {parseCmdline} from '../parse/cmdline.js'
import {parseCpuinfo} from '../parse/cpuinfo.js'
import {parseDomainXml} from '../parse/domain-xml.js'
import {scanFreeLog} from '../parse/free-log.js'
import {parseIommuListing} from '../parse/iommu-listing.js'
import {parseKernelLog, type KernelLog} from '../parse/kernel-log.js'
import {parseKernelRelease} from '../parse/kernel-release.js'
import {parseLspci} from '../parse/lspci.js'
import {parseModprobe, type ModprobeConfig} from '../parse/modprobe.js'
import {parseModules} from '../parse/modules.js'
import {parseNixConfig, type NixConfig} from '../parse/nix-config.js'
import {parseEvaluatedOptions, type EvaluatedNixOptions} from '../parse/nix-evaluated.js'
import {parseQemuConf} from '../parse/qemu-conf.js'
import {parseOsRelease} from '../parse/os-release.js'
import {parsePciSysfs} from '../parse/pci-sysfs.js'
import {parsePermissions, type PathAccess} from '../parse/permissions.js'
import {parseDetectVirt, parseKvmParams, parseUserGroups, parseVirshList} from '../parse/small.js'
import {exampleFileName, KINDS} from '../sources/kinds.js'
import type {Source, SourceKind, SourceSet} from '../sources/types.js'
import {inferGuestGpus} from './guest-gpus.js'
import {applyEvaluation} from './nix-evaluated.js'
import {mergeNixTree} from './nix-tree.js'
import {mergePciDevices, normalizePciAddress} from './merge-pci.js'
import type {DevNode, FactName, Facts, IommuGroup, PciDevice, VirtFacts} from './types.js'

export interface AssembleOptions {
  /** --gpu: the guest GPU's address, as the person gave it. */
  gpu?: string
  /** --looking-glass WxH: the guest screen Looking Glass must carry. */
  lookingGlass?: {width: number; height: number}
  /** Judge this NixOS specialisation's generation: its options (over the parent's, unless it says not). */
  specialisation?: string
}

/** The kinds each fact is made from, to say why a fact is unknown. */
const FACT_SOURCES: Record<FactName, SourceKind[]> = {
  os: ['osRelease'],
  cpu: ['cpuinfo'],
  kernel: ['uname', 'procVersion', 'kernelLog'],
  cmdline: ['cmdline', 'kernelLog'],
  kernelLog: ['kernelLog'],
  pciDevices: ['lspci', 'pciSysfs', 'iommuListing'],
  iommuGroups: ['iommuListing', 'pciSysfs'],
  acpiTables: ['acpiTables'],
  iommuClass: ['iommuClass'],
  modules: ['modules'],
  kvmParams: ['kvmParams'],
  devNodes: ['devNodes'],
  domains: ['domainXml', 'virshList'],
  virshList: ['virshList'],
  fileAccess: ['permissions'],
  user: ['userGroups'],
  nixos: ['nixSystem', 'nixKernelParams', 'nixBootspec'],
  nixConfig: ['nixConfig', 'nixEval'],
  modprobe: ['modprobe'],
  qemuConf: ['qemuConf'],
  virt: ['detectVirt', 'cpuinfo'],
  logSignals: ['qemuLog', 'log'],
  guestGpus: ['pciSysfs', 'lspci', 'iommuListing', 'cmdline', 'domainXml'],
}

/** Sources -> Facts. Pure: the same SourceSet always gives the same Facts. */
export function assembleFacts(set: SourceSet, options: AssembleOptions = {}): Facts {
  const ok = (kind: SourceKind) => set.sources.filter((s): s is Source & {text: string} => s.kind === kind && s.status === 'ok' && s.text !== undefined)
  const first = (kind: SourceKind) => ok(kind)[0]?.text
  const facts: Facts = {mode: set.mode, unknown: {}}
  if (options.lookingGlass) facts.lookingGlassResolution = options.lookingGlass

  const osText = first('osRelease')
  if (osText !== undefined) facts.os = parseOsRelease(osText)
  const kernelLog = mergeKernelLogs([...kernelLogsOf(set, 'kernelLog'), ...kernelLogsOf(set, 'log').filter((l) => l.signals.length > 0)])
  if (kernelLog) facts.kernelLog = kernelLog
  assembleCpu(facts, ok('cpuinfo'), first('detectVirt'))

  const release = [first('uname'), first('procVersion'), kernelLog?.release].find((t) => t !== undefined && parseKernelRelease(t))
  if (release !== undefined) facts.kernel = parseKernelRelease(release)!
  const cmdlineText = first('cmdline') ?? kernelLog?.commandLine
  if (cmdlineText !== undefined) facts.cmdline = parseCmdline(cmdlineText)

  assemblePci(facts, ok)

  const tables = first('acpiTables')
  // `ls /sys/firmware/acpi/tables` in a terminal prints several names a line.
  if (tables !== undefined) facts.acpiTables = nameList(tables).flatMap((line) => line.split(/\s+/))
  const iommuClass = first('iommuClass')
  if (iommuClass !== undefined) facts.iommuClass = iommuUnits(iommuClass)
  const modules = first('modules')
  if (modules !== undefined) facts.modules = parseModules(modules)
  const kvmParams = first('kvmParams')
  if (kvmParams !== undefined) facts.kvmParams = parseKvmParams(kvmParams)
  const devNodes = first('devNodes')
  if (devNodes !== undefined) facts.devNodes = devNodesOf(parsePermissions(devNodes))
  const groups = first('userGroups')
  if (groups !== undefined) {
    const user = parseUserGroups(groups)
    if (user) facts.user = user
  }

  const domainSources = ok('domainXml')
  if (domainSources.length > 0 || ok('virshList').length > 0) facts.domains = domainSources.map((s) => parseDomainXml(s.text, s.origin))
  const listed = ok('virshList')
  if (listed.length > 0) facts.virshList = {origin: listed.map((s) => s.origin).join(', '), names: listed.flatMap((s) => parseVirshList(s.text))}
  const permissions = ok('permissions')
  if (permissions.length > 0) facts.fileAccess = mergeMaps(permissions.map((s) => parsePermissions(s.text)))

  assembleNixos(facts, ok)
  const configs = ok('nixConfig')
  const evaluation = options.specialisation === undefined ? evaluatedOptions(ok('nixEval')) : undefined
  if (configs.length > 0 || evaluation) {
    const tree = nixTree(configs.map((s) => parseNixConfig(inFilePlace(s), s.origin)), options.specialisation)
    facts.nixConfig = evaluation ? applyEvaluation(tree, evaluation.options, evaluation.origin) : tree
  }
  const qemuConfs = ok('qemuConf')
  if (qemuConfs.length > 0) facts.qemuConf = qemuConfs.map((s) => parseQemuConf(inFilePlace(s), s.origin))
  const modprobe = ok('modprobe')
  if (modprobe.length > 0) facts.modprobe = mergeModprobe(modprobe.map((s) => parseModprobe(inFilePlace(s), s.origin)))
  // A pasted domain often carries the person's words between its elements ("then it blue-screens with
  // inaccessible boot device"): those lines are read like any pasted log.
  const domainWords = ok('domainXml').map((s) => ({...s, text: s.text.replace(/^[ \t]*<.*$/gm, '')}))
  const logs = set.sources.filter((s) => (s.kind === 'qemuLog' || s.kind === 'log') && s.status === 'ok' && (s.text !== undefined || s.digest?.read))
  const logSignals = [...logs, ...domainWords].flatMap((s) => s.digest?.read?.logSignals ?? scanFreeLog(s.text ?? '', s.origin).map((signal) => ({...signal, n: signal.n + lineOffset(s)})))
  if (logs.length > 0 || logSignals.length > 0) facts.logSignals = logSignals

  const messages = scanMessages(set.sources)
  if (messages.length > 0) facts.messages = messages
  const virt = virtOf(ok('detectVirt')[0], facts, messages)
  if (virt) facts.virt = virt

  const guestGpus = inferGuestGpus(facts, options.gpu)
  if (guestGpus) facts.guestGpus = guestGpus

  explainUnknown(facts, set)
  return facts
}

type OkSources = (kind: SourceKind) => Array<Source & {text: string}>

/** The configuration's files merged; for a specialisation, its definitions over the parent's (or alone). */
function nixTree(configs: NixConfig[], specialisation: string | undefined): NixConfig[] {
  if (specialisation === undefined) return mergeNixTree(configs)
  const own = configs.flatMap((c) => c.specialisations?.filter((s) => s.name === specialisation) ?? [])
  const inherit = own.every((s) => s.inheritParentConfig)
  return mergeNixTree([...(inherit ? configs : []), ...own.map((s) => s.config)])
}

/**
 * The evaluation's answer, when Nix gave one. It is of the configuration itself: a specialisation
 * (judged as its own generation) is read from the text alone.
 */
function evaluatedOptions(sources: Array<Source & {text: string}>): {options: EvaluatedNixOptions; origin: string} | undefined {
  for (const source of sources) {
    const options = parseEvaluatedOptions(source.text)
    if (options) return {options, origin: source.origin}
  }
  return undefined
}

/** The names of the specialisations a configuration defines: each is a generation of its own. */
export function specialisationNames(facts: Facts): string[] {
  return [...new Set((facts.nixConfig ?? []).flatMap((c) => c.specialisations?.map((s) => s.name) ?? []))]
}

/** Lines before a section of a pasted file, so a log's evidence names the line in the file. */
function lineOffset(source: Source): number {
  return (source.recognised?.from ?? 1) - 1
}

/** A configuration section at its place in the file (configurations are small), so its line numbers are the file's. */
function inFilePlace(source: Source & {text: string}): string {
  return '\n'.repeat(lineOffset(source)) + source.text
}

/** The kernel logs of one kind of source, in the evidence's order: parsed, or as read from a stream. */
function kernelLogsOf(set: SourceSet, kind: SourceKind): KernelLog[] {
  return set.sources.flatMap((s) => {
    if (s.kind !== kind || s.status !== 'ok') return []
    if (s.digest?.read?.kernelLog) return [s.digest.read.kernelLog]
    return s.text === undefined ? [] : [parsedKernelLog({...s, text: s.text})]
  })
}

function parsedKernelLog(source: Source & {text: string}): KernelLog {
  const log = parseKernelLog(source.text, source.command === undefined ? undefined : grepFilterOf(source.command))
  const offset = lineOffset(source)
  if (offset > 0) for (const line of new Set(log.signals.map((s) => s.line))) line.n += offset
  return log
}

/** PCI devices from sysfs, lspci and listings, merged by address; groups from the best source. */
function assemblePci(facts: Facts, ok: OkSources): void {
  const sysfs = ok('pciSysfs').flatMap((s) => parsePciSysfs(s.text).devices)
  const lspci = ok('lspci').flatMap((s) => parseLspci(s.text).devices)
  const listings = ok('iommuListing').map((s) => parseIommuListing(s.text))
  const devices = mergePciDevices([sysfs, lspci, ...listings.map((l) => l.devices)])
  if (devices.length > 0 || ok('pciSysfs').length > 0) facts.pciDevices = devices
  if (ok('pciSysfs').length > 0) facts.pciDriverSource = 'sysfs'
  else if ([...lspci, ...listings.flatMap((l) => l.devices)].some((d) => d.driver !== undefined)) facts.pciDriverSource = 'lspci -k'

  if (listings.length > 0) facts.iommuGroups = mergeGroups(listings.flatMap((l) => l.groups))
  else {
    groupsFromKernelLog(devices, facts.kernelLog)
    if (ok('pciSysfs').length > 0 || devices.some((d) => d.iommuGroup !== undefined)) facts.iommuGroups = groupsFromDevices(devices)
  }
}

/**
 * "pci 0000:01:00.0: Adding to iommu group 1" gives the group of a device another source describes.
 * Addresses the log alone knows are left out: a device of unknown class would look like an
 * endpoint sharing the GPU's group.
 */
function groupsFromKernelLog(devices: PciDevice[], log: KernelLog | undefined): void {
  const byAddress = new Map(devices.map((d) => [d.address, d]))
  for (const signal of log?.signals ?? []) {
    if (signal.kind !== 'iommu-group-add' || !signal.data) continue
    const device = byAddress.get(normalizePciAddress(signal.data.address ?? '') ?? '')
    if (device && device.iommuGroup === undefined) device.iommuGroup = Number(signal.data.group)
  }
}

function groupsFromDevices(devices: Facts['pciDevices'] & object): IommuGroup[] {
  const byId = new Map<number, string[]>()
  for (const d of devices) if (d.iommuGroup !== undefined) byId.set(d.iommuGroup, [...(byId.get(d.iommuGroup) ?? []), d.address])
  return [...byId].sort(([a], [b]) => a - b).map(([id, addresses]) => ({id, devices: addresses}))
}

function mergeGroups(groups: IommuGroup[]): IommuGroup[] {
  const byId = new Map<number, Set<string>>()
  for (const g of groups) {
    const set = byId.get(g.id) ?? new Set<string>()
    for (const d of g.devices) set.add(d)
    byId.set(g.id, set)
  }
  return [...byId].sort(([a], [b]) => a - b).map(([id, set]) => ({id, devices: [...set]}))
}

function mergeKernelLogs(logs: KernelLog[]): KernelLog | undefined {
  if (logs.length <= 1) return logs[0]
  const iommu = logs.some((l) => l.iommu === 'on') ? 'on' : logs.some((l) => l.iommu === 'off') ? 'off' : 'unknown'
  const merged: KernelLog = {
    format: logs[0]!.format,
    lineCount: logs.reduce((n, l) => n + l.lineCount, 0),
    signals: logs.flatMap((l) => l.signals),
    iommu,
    fromBoot: logs.some((l) => l.fromBoot),
    warnings: logs.flatMap((l) => l.warnings),
  }
  const release = logs.find((l) => l.release)?.release
  const commandLine = logs.findLast((l) => l.commandLine)?.commandLine
  const excerpts = logs.flatMap((l) => l.excerptsFromBoot ?? [])
  if (excerpts.length > 0) merged.excerptsFromBoot = excerpts
  if (release) merged.release = release
  if (commandLine) merged.commandLine = commandLine
  return merged
}

function assembleNixos(facts: Facts, ok: OkSources): void {
  const systems = ok('nixSystem')
  const params = ok('nixKernelParams')
  const bootspecs = ok('nixBootspec')
  if (systems.length === 0 && params.length === 0 && bootspecs.length === 0) return
  const nixos: NonNullable<Facts['nixos']> = {}
  for (const s of systems) {
    const target = s.text.trim()
    if (s.label === 'booted') nixos.bootedSystem = target
    else nixos.currentSystem = target
  }
  for (const s of params) {
    const list = s.text.trim().split(/\s+/).filter(Boolean)
    if (s.label === 'booted') nixos.bootedKernelParams = list
    else nixos.currentKernelParams = list
  }
  for (const s of bootspecs) {
    const spec = parseBootspec(s.text)
    if (!spec) continue
    const booted = s.label === 'booted'
    // kernel-params is the file the bootloader entry is made from; the bootspec holds the same list.
    if (spec.kernelParams && !(booted ? nixos.bootedKernelParams : nixos.currentKernelParams)) nixos[booted ? 'bootedKernelParams' : 'currentKernelParams'] = spec.kernelParams
    if (spec.kernelRelease) nixos[booted ? 'bootedKernel' : 'currentKernel'] = {release: spec.kernelRelease, origin: s.origin}
  }
  facts.nixos = nixos
}

/**
 * The host's CPU. A pasted lscpu that names a hypervisor, beside a kernel log from boot that names
 * none (or systemd-detect-virt saying none), is the guest's: the person showed the VM's CPU.
 */
function assembleCpu(facts: Facts, sources: Array<Source & {text: string}>, detectVirt: string | undefined): void {
  const cpus = sources.flatMap((s) => parseCpuinfo(s.text) ?? [])
  const log = facts.kernelLog
  // Every x86 guest kernel prints "Hypervisor detected" at once; a whole boot log without it is bare metal's.
  const wholeBoot = log?.fromBoot === true && log.lineCount > 200 && !log.excerptsFromBoot
  const bareMetal = detectVirt?.trim() === 'none' || (wholeBoot && !log.signals.some((s) => s.kind === 'hypervisor-detected'))
  const host = bareMetal ? cpus.find((c) => !c.hypervisor) : cpus[0]
  if (host) facts.cpu = host
  else if (cpus.length > 0) {
    facts.unknown.cpu = {reason: "the CPU information names a hypervisor while the rest of the evidence is a bare-metal host's: it is a guest's", hint: "add the host's `cat /proc/cpuinfo`"}
  }
}

/**
 * Whether the host is itself virtual: systemd-detect-virt, the cpuinfo flag, the kernel's "Hypervisor
 * detected"; where none of them is in the evidence, a known message proving it (a WSL2 kernel in a
 * pasted uname), so that checks whose symptoms a virtual host explains defer to it.
 */
function virtOf(detectVirt: (Source & {text: string}) | undefined, facts: Facts, messages: MessageHit[]): VirtFacts | undefined {
  // A live run reads the answer from a host file (src/sources/live/virt.ts): the evidence names it.
  const detected = detectVirt && parseDetectVirt(detectVirt.text, detectVirt.origin.startsWith('/') ? detectVirt.origin : undefined)
  if (detected && detected.kind !== 'none') return detected
  if (facts.cpu?.hypervisor) return {kind: 'vm', evidence: 'the cpuinfo flags include "hypervisor"'}
  const signal = facts.kernelLog?.signals.find((s) => s.kind === 'hypervisor-detected')
  if (signal) return {kind: 'vm', name: signal.data?.name ?? 'unknown', evidence: `kernel log: ${signal.line.text}`}
  if (detected) return detected
  if (facts.cpu) return {kind: 'none', evidence: 'no hypervisor flag in cpuinfo'}
  // Only where nothing above could tell: a pasted guest's cpuinfo beside the host's is no proof.
  const proof = messages.find((hit) => hit.message.id === 'host-is-virtual')
  if (proof) return {kind: 'vm', evidence: messageLine(proof), proves: proof.message.proves}
  return undefined
}

function devNodesOf(entries: Map<string, PathAccess>): DevNode[] {
  return [...entries.values()].map((access) => {
    // The last entry is the node itself, or (namei through a symlink) the node the link resolves to.
    const self = access.chain.at(-1)
    if (access.missing || !self) return {path: access.path, exists: false}
    const node: DevNode = {path: access.path, exists: true, mode: self.mode, owner: self.owner, group: self.group}
    if (self.size !== undefined) node.size = self.size
    return node
  })
}

function mergeMaps<K, V>(maps: Array<Map<K, V>>): Map<K, V> {
  return new Map(maps.flatMap((m) => [...m]))
}

function mergeModprobe(configs: ModprobeConfig[]): ModprobeConfig {
  return {
    options: configs.flatMap((c) => c.options),
    softdeps: configs.flatMap((c) => c.softdeps),
    blacklist: configs.flatMap((c) => c.blacklist),
    installs: configs.flatMap((c) => c.installs),
  }
}

/**
 * The units `ls /sys/class/iommu` (or `find /sys/class/iommu`) lists: dmar0, ivhd0, smmu3.0x...;
 * the folder itself and the person's words ("---> nothing") are not units.
 */
function iommuUnits(text: string): string[] {
  return nameList(text)
    .flatMap((line) => line.split(/\s+/))
    .map((word) => word.replace(/(?<!\/)\/+$/, '').split('/').pop()!)
    .filter((name) => /^(?:dmar|ivhd|smmu|iommu|amd-iommu|vtd)[\w.:-]*$/i.test(name) && name !== 'iommu')
}

function nameList(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
}

/** For every fact still absent, the reason from its sources, or how to provide it. */
function explainUnknown(facts: Facts, set: SourceSet): void {
  for (const [fact, kinds] of Object.entries(FACT_SOURCES) as Array<[FactName, SourceKind[]]>) {
    if (facts[fact] !== undefined || facts.unknown[fact] !== undefined) continue
    const failed = set.sources.find((s) => kinds.includes(s.kind) && s.status !== 'ok')
    if (failed) facts.unknown[fact] = {reason: failed.reason ?? `${failed.origin}: ${failed.status}`, ...(failed.hint ? {hint: failed.hint} : {})}
    else if (set.mode === 'input') {
      const kind = kinds[0]!
      facts.unknown[fact] = {reason: `the evidence has no ${KINDS[kind].what}`, hint: `add ${exampleFileName(kind)} with the output of \`${KINDS[kind].howTo}\``}
    } else facts.unknown[fact] = {reason: `nothing on this host gave ${fact}`}
  }
}
