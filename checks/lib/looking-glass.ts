import type {DevNode, Facts} from '../../src/facts/types.js'
import type {DomainModel, DomainShmem} from '../../src/parse/domain-xml.js'
import type {NixString} from '../../src/parse/nix-config.js'

const MIB = 1024 * 1024
/** Looking Glass's own share of the shared memory, on top of two frames (its "Determining memory" formula). */
const OVERHEAD_MIB = 10
/** libvirt's <shmem> size when <size> is left out. */
export const LIBVIRT_DEFAULT_SHMEM_BYTES = 4 * MIB

/** A Looking Glass shmem is named after it; "looking-glasss" (a real typo) counts too. */
const LOOKING_GLASS_NAME = /looking[-_ ]?glass/i

/** The shared memory one domain gives Looking Glass: a <shmem> in /dev/shm, or a kvmfr device. */
export interface LookingGlassMemory {
  domain: DomainModel
  kind: 'shmem' | 'kvmfr'
  /** /dev/shm/NAME (libvirt's path for a <shmem>) or /dev/kvmfrN. */
  path: string
  shmem?: DomainShmem
  /** What the domain asks for; undefined when it does not say (libvirt then gives a shmem 4 MiB). */
  sizeBytes?: number
  /** The domain text it comes from, for evidence. */
  element: string
}

export function lookingGlassMemories(domain: DomainModel): LookingGlassMemory[] {
  const shmems = domain.shmems
    .filter((shmem) => LOOKING_GLASS_NAME.test(shmem.name))
    .map((shmem): LookingGlassMemory => ({
      domain,
      kind: 'shmem',
      path: `/dev/shm/${shmem.name}`,
      shmem,
      ...(shmem.sizeBytes === undefined ? {} : {sizeBytes: shmem.sizeBytes}),
      element: `<shmem name='${shmem.name}'>${shmem.model ? ` <model type='${shmem.model}'/>` : ''} ${shmem.sizeBytes === undefined ? '(no <size>)' : `<size> ${formatMiB(shmem.sizeBytes)}`}`,
    }))
  return [...shmems, ...kvmfrMemories(domain)]
}

/**
 * kvmfr is set up with <qemu:commandline>: a memory-backend-file whose mem-path is /dev/kvmfrN, in
 * QEMU's JSON form ({"mem-path":"/dev/kvmfr0","size":33554432}) or the legacy one (mem-path=...,size=32M).
 */
function kvmfrMemories(domain: DomainModel): LookingGlassMemory[] {
  return domain.qemuArgs.flatMap((arg): LookingGlassMemory[] => {
    if (!arg.includes('/dev/kvmfr')) return []
    const json = jsonObject(arg)
    const path = json ? json['mem-path'] : /mem-path=([^,]+)/.exec(arg)?.[1]
    if (typeof path !== 'string' || !/^\/dev\/kvmfr\d+$/.test(path)) return []
    const size = json ? json.size : /(?:^|,)size=([^,]+)/.exec(arg)?.[1]
    const sizeBytes = typeof size === 'number' ? size : typeof size === 'string' ? qemuSize(size) : undefined
    return [{domain, kind: 'kvmfr', path, ...(sizeBytes === undefined ? {} : {sizeBytes}), element: `<qemu:arg value='${arg.slice(0, 200)}'/>`}]
  })
}

function jsonObject(text: string): Record<string, unknown> | undefined {
  if (!text.trimStart().startsWith('{')) return undefined
  try {
    const value: unknown = JSON.parse(text)
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** QEMU sizes: bytes, or a K/M/G/T suffix in powers of 1024. */
function qemuSize(text: string): number | undefined {
  const m = /^(\d+)([KMGT]?)B?$/i.exec(text.trim())
  if (!m) return undefined
  return Number(m[1]) * 1024 ** ' KMGT'.indexOf((m[2] || ' ').toUpperCase())
}

/** Looking Glass's "Determining memory": width x height x 4 bytes (SDR) x 2 frames, + 10 MiB, up to a power of two. */
export function requiredMiB(width: number, height: number, bytesPerPixel = 4): number {
  const needed = (width * height * bytesPerPixel * 2) / MIB + OVERHEAD_MIB
  return 2 ** Math.ceil(Math.log2(needed))
}

/** Resolutions people run guests at, smallest first. */
const COMMON_RESOLUTIONS: Array<[number, number]> = [
  [1024, 768],
  [1280, 720],
  [1920, 1080],
  [1920, 1200],
  [2560, 1080],
  [2560, 1440],
  [3440, 1440],
  [3840, 1600],
  [3840, 2160],
  [5120, 1440],
  [5120, 2160],
  [7680, 4320],
]

/** What a size is good for: the largest common SDR resolution that fits, and the next one, which needs more. */
export function resolutionsFor(sizeBytes: number): {fits?: string; next?: {resolution: string; miB: number}} {
  const sizeMiB = sizeBytes / MIB
  const fitting = COMMON_RESOLUTIONS.filter(([w, h]) => requiredMiB(w, h) <= sizeMiB)
  const larger = COMMON_RESOLUTIONS.find(([w, h]) => requiredMiB(w, h) > sizeMiB)
  const name = ([w, h]: [number, number]) => `${w}x${h}`
  return {
    ...(fitting.length ? {fits: name(fitting.at(-1)!)} : {}),
    ...(larger ? {next: {resolution: name(larger), miB: requiredMiB(...larger)}} : {}),
  }
}

export function formatMiB(bytes: number): string {
  const miB = bytes / MIB
  return Number.isInteger(miB) ? `${miB} MiB` : `${bytes} bytes`
}

export function isPowerOfTwo(n: number): boolean {
  return n > 0 && Number.isInteger(Math.log2(n))
}

/** A file the evidence lists (dev-nodes.txt first, then permissions listings), as one node. */
export function nodeAt(facts: Facts, path: string): (DevNode & {evidence: string}) | undefined {
  const listed = facts.devNodes?.find((node) => node.path === path)
  if (listed) return {...listed, evidence: nodeEvidence('dev-nodes', listed)}
  const access = facts.fileAccess?.get(path)
  if (!access) return undefined
  if (access.missing) return {path, exists: false, evidence: `permissions: ${path}: No such file or directory`}
  // A namei walk through a symlink ends at its target: that is the node qemu opens.
  const self = access.chain.at(-1)
  const reached = self && (self.path === path || access.chain.some((e) => e.path === path && e.mode.startsWith('l')))
  if (!self || !reached) return undefined
  const node: DevNode = {path, exists: true, mode: self.mode, owner: self.owner, group: self.group, ...(self.size === undefined ? {} : {size: self.size})}
  const via = self.path === path ? '' : ` (${path} -> ${self.path})`
  return {...node, evidence: `${nodeEvidence('permissions', {...node, path: self.path})}${via}`}
}

function nodeEvidence(source: string, node: DevNode): string {
  if (!node.exists) return `${source}: ${node.path}: No such file or directory`
  return `${source}: ${node.mode} ${node.owner} ${node.group}${node.size === undefined ? '' : ` ${node.size}`} ${node.path}`
}

export interface Account {
  name: string
  groups: string[]
}

/**
 * Whether the mode bits let this account read and write the node; undefined when an ACL ("+") may
 * decide. Root passes: these files are never behind a capability drop in practice.
 */
export function canReadWrite(node: DevNode, account: Account): boolean | undefined {
  const mode = node.mode ?? ''
  if (mode.endsWith('+')) return undefined
  if (account.name === 'root') return true
  const triad = node.owner === account.name ? mode.slice(1, 4) : account.groups.includes(node.group ?? '') ? mode.slice(4, 7) : mode.slice(7, 10)
  return triad.startsWith('rw')
}

/** A systemd-tmpfiles line: "f /dev/shm/looking-glass 0660 vini qemu-libvirtd -". */
export interface TmpfilesRule {
  type: string
  path: string
  mode?: string
  /** Undefined when the Nix string interpolates something we cannot resolve. */
  user?: string
  group?: string
  source: NixString
  file: string
}

/** systemd.tmpfiles.rules entries for files in /dev/shm, from every configuration file given. */
export function shmTmpfilesRules(facts: Facts): TmpfilesRule[] {
  return (facts.nixConfig ?? []).flatMap((config) =>
    (config.tmpfilesRules ?? []).flatMap((source): TmpfilesRule[] => {
      const [type, path, mode, user, group] = (source.value ?? source.raw.replace(/^"|"$/g, '')).trim().split(/\s+/)
      if (!type || !path?.startsWith('/dev/shm/')) return []
      const rule: TmpfilesRule = {type, path, source, file: source.file ?? config.file}
      if (known(mode)) rule.mode = mode
      if (known(user)) rule.user = user
      if (known(group)) rule.group = group
      return [rule]
    }),
  )
}

/** A tmpfiles field we can read: "-" is the default, "${...}" an interpolation the parser could not resolve. */
function known(field: string | undefined): field is string {
  return field !== undefined && field !== '-' && !field.includes('${')
}

export function isLookingGlassPath(path: string): boolean {
  return LOOKING_GLASS_NAME.test(path)
}

export function ruleEvidence(rule: TmpfilesRule): string {
  return `${rule.file} line ${rule.source.line}: ${rule.source.raw}`
}
