/**
 * Free-form logs (qemu domain logs, virsh / virt-manager errors, Looking Glass output, Windows
 * screens typed out, anything pasted): known messages, in the wording the programs print, kept as
 * data in knowledge/free-log.signals.yaml (its header says what each field means). Each entry is
 * tried only on lines holding one of its lower-case needles, and only the first MAX_LINE characters
 * of a line are examined, so the scan is linear in the text. What this file keeps as code is what
 * a pattern cannot say: which problem a failed open is, and the Windows stop codes as people type them.
 */
import {readDataFile} from '../knowledge/data-file.js'
import type {LineSearch} from './line-finder.js'
import {walkLines, type Finder} from './line-walk.js'


export type FreeLogSignalKind =
  | 'group-not-viable' // "group 1 is not viable"  data.group
  | 'vfio-dma-map-failed' // "VFIO_MAP_DMA failed" / "vfio: DMA mapping failed, unable to continue"
  | 'iso-permission-denied' // "Could not open '/home/u/win.iso': Permission denied"  data.path
  | 'file-not-found' // "Could not open '...': No such file or directory"  data.path
  | 'libvirt-connect-failed' // "Failed to connect socket to '/var/run/libvirt/libvirt-sock'"
  | 'libvirt-permission' // "authentication unavailable" / "Permission denied" on the socket
  | 'kvm-unavailable' // "Could not access KVM kernel module" / "failed to initialize kvm"
  | 'ovmf-missing' // "Unable to find any firmware to satisfy 'efi'" / loader path missing
  | 'tpm-missing' // "This PC can't run Windows 11" / swtpm not found
  | 'quickemu-banner' // "Quickemu 2.3.0 using /usr/bin/qemu-system-x86_64 v6.0.0"  data.version
  | 'quickemu-tpm' // " - TPM:      windows-11/windows-11.swtpm-sock (2443096)"  data.socket
  | 'quickemu-disk' // " - Disk:     windows-11/disk.qcow2 (64G)"  data.image
  | 'quickemu-network' // " - Network:  User (virtio-net)": the summary is past its TPM line
  | 'shm-permission' // "/dev/shm/looking-glass: Permission denied" / ivshmem errors
  | 'device-in-use' // "Device or resource busy"  data.address
  | 'rmrr' // RMRR message as qemu reports it ("failed to set iommu for container: Operation not permitted")  data.group
  | 'pci-header-127' // "Unknown PCI header type '127'"
  | 'evdev-failed' // "Could not open '/dev/input/by-id/...'" for evdev
  | 'windows-stop-code' // INACCESSIBLE_BOOT_DEVICE, KMODE_EXCEPTION_NOT_HANDLED, ...  data.code
  | 'code-43' // "Code 43" / "Windows has stopped this device because it has reported problems"
  | 'no-disk-found' // "We couldn't find any drives" / "no drive found"
  | 'lg-version-mismatch' // Looking Glass "version mismatch" / "the host application is not compatible"
  | 'lg-shm-too-small' // Looking Glass "too small"
  | 'lg-banner' // Looking Glass's start line, client or host: "main.c:2282 | main | Looking Glass (B3)" / "Looking Glass Host (B7)"  data.side data.version
  | 'qemu-cpu-model' // a qemu command line's CPU: "-cpu Haswell-noTSX,hv_time,..." / "-cpu host,kvm=off"  data.model
  | 'vfio-device' // a qemu command line passing a host device: "-device vfio-pci,host=01:00.0" / {"driver":"vfio-pci","host":"0000:07:00.0"}  data.address

export interface FreeLogSignal {
  kind: FreeLogSignalKind
  /** File name or origin of the log. */
  origin: string
  /** 1-based line number. */
  n: number
  text: string
  data?: Record<string, string>
}

/** Longer lines are examined only this far (a pasted 10 MB line costs no more than this). */
const MAX_LINE = 8192
/** Evidence text kept per signal. */
const MAX_TEXT = 1000

interface Match {
  kind: FreeLogSignalKind
  data?: Record<string, string>
}

export interface Rule {
  /** Lower-case substrings; the rule runs only on lines that hold one. */
  needles: string[]
  /** `next` is the following line (Looking Glass prints the errno on its own line). */
  read(line: string, next: string): Match | undefined
}

/** One entry of knowledge/free-log.signals.yaml. */
export interface SignalEntry {
  signal?: FreeLogSignalKind
  classify?: 'open-failure'
  read?: 'stop-code'
  codes?: string[]
  needles: string[]
  pattern?: string
  optional?: string[]
  unless?: string
  flags?: string
  address?: 'device'
  next?: 'reason'
  set?: Record<string, string>
}

export const SIGNALS_FILE = 'knowledge/free-log.signals.yaml'

export const signalEntries = (): SignalEntry[] => readDataFile<SignalEntry[]>(SIGNALS_FILE)

const PCI = '(?:[0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]'
const VFIO_DEVICE = new RegExp(`vfio(?: error:)? (${PCI})`, 'i')
const HOST_OPTION = new RegExp(`host=(${PCI})`, 'i')
/** An address standing alone (not the tail of a time stamp like 08:06:48.563). */
const ANY_ADDRESS = new RegExp(`(?:^|[^0-9a-fA-F:])(${PCI})(?![0-9])`)

/** 01:00.0 as 0000:01:00.0, lower case. */
const withDomain = (address: string) => (address.length === 7 ? `0000:${address}` : address).toLowerCase()

/** The device a vfio message is about: `vfio 0000:01:00.0:`, then `host=01:00.0`, then any address. */
function deviceAddress(line: string): string | undefined {
  const match = VFIO_DEVICE.exec(line) ?? HOST_OPTION.exec(line) ?? ANY_ADDRESS.exec(line)
  return match ? withDomain(match[1]!) : undefined
}

/** Which problem a failed open is: by the file's place, then by the errno text. */
function classifyOpenFailure(path: string | undefined, reason: string | undefined): FreeLogSignalKind | undefined {
  if (path === undefined) return undefined
  if (path.startsWith('/dev/input/')) return 'evdev-failed'
  if (/^\/dev\/(?:shm\/|kvmfr)/.test(path)) return 'shm-permission'
  const missing = reason !== undefined && /no such file or directory/i.test(reason)
  if (missing && /ovmf|edk2|aavmf|\.fd$/i.test(path)) return 'ovmf-missing'
  if (reason === undefined) return undefined
  if (/permission denied|operation not permitted|read-only file system/i.test(reason)) return 'iso-permission-denied'
  if (missing) return 'file-not-found'
  return undefined
}

/** Looking Glass prints `Failed to open: <path>` and the errno text on the next line, after its last `|`. */
function lookingGlassReason(next: string): string | undefined {
  const reason = next.slice(next.lastIndexOf('|') + 1).trim()
  return reason !== '' && reason.length < 100 ? reason : undefined
}

/**
 * A stop code as printed (INACCESSIBLE_BOOT_DEVICE), as people type it ("System Thread Exception",
 * "kmode exception not handled": the trailing NOT_HANDLED may be left out), or after "Stop code:".
 */
function stopCodeRule(codes: string[], needles: string[]): Rule {
  const printed = new RegExp(`\\b(${codes.join('|')})\\b`)
  const spoken = codes.map((code) => ({code, pattern: new RegExp(`\\b${code.replace(/_NOT_HANDLED$/, '').split('_').join('[_ ]')}\\b`, 'i')}))
  const spokenNeedles = codes.map((code) => code.split('_').slice(0, 2).join(' ').toLowerCase())
  return {
    needles: [...new Set([...needles, ...spokenNeedles])],
    read: (line) => {
      const code = printed.exec(line)?.[1] ?? spoken.find((c) => c.pattern.test(line))?.code ?? /stop code:?\s+([A-Z][A-Z0-9_]{5,})/i.exec(line)?.[1]
      return code === undefined ? undefined : {kind: 'windows-stop-code', data: {code: code.toUpperCase()}}
    },
  }
}

/** An entry as a rule. A malformed entry throws: it is a bug in the data. */
export function toRule(e: SignalEntry, i: number): Rule {
  const where = `${SIGNALS_FILE} entry ${i + 1}`
  if (!Array.isArray(e?.needles) || !e.needles.length || [e.signal, e.classify, e.read].filter(Boolean).length !== 1) throw new Error(`${where}: needs needles and one of signal, classify or read`)
  if (e.read === 'stop-code') return stopCodeRule(e.codes ?? [], e.needles)
  const flags = e.flags ?? 'i'
  const pattern = e.pattern === undefined ? undefined : new RegExp(e.pattern, flags)
  const optional = (e.optional ?? []).map((source) => new RegExp(source, flags))
  const unless = e.unless === undefined ? undefined : new RegExp(e.unless, flags)
  return {
    needles: e.needles,
    read: (line, next) => {
      const required = pattern?.exec(line)
      if ((pattern && !required) || unless?.test(line)) return undefined
      const data: Record<string, string> = {...e.set}
      for (const m of [required, ...optional.map((re) => re.exec(line))]) {
        for (const [name, value] of Object.entries(m?.groups ?? {})) if (value !== undefined && data[name] === undefined) data[name] = value.trim()
      }
      if (data.address !== undefined) data.address = withDomain(data.address)
      if (e.address === 'device') {
        const address = deviceAddress(line)
        if (address) data.address = address
      }
      if (e.next === 'reason') {
        const reason = lookingGlassReason(next)
        if (reason) data.reason = reason
      }
      const kind = e.signal ?? classifyOpenFailure(data.path, data.reason)
      if (kind === undefined) return undefined
      return Object.keys(data).length ? {kind, data} : {kind}
    },
  }
}

const RULES: Rule[] = signalEntries().map(toRule)

const NEEDLES = [...new Set(RULES.flatMap((r) => r.needles))]
/** Any rule's needle: the lines worth trying the rules on. */
const NEEDLE_FINDER = new RegExp(NEEDLES.map((n) => n.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|'), 'gi')
/** NEEDLE_FINDER as a line search (line-finder.ts). */
export const NEEDLE_SEARCH: LineSearch = {pattern: NEEDLE_FINDER, words: NEEDLES, exact: true}

export function scanFreeLog(text: string, origin: string): FreeLogSignal[] {
  const scanner = new FreeLogScanner(origin)
  scanner.feed(text)
  return scanner.finish()
}

/**
 * Reads a free-form log fed in parts (each ends at a line end, but the last), so a log of any size
 * is read in constant memory. One search for the rules' needles finds the lines worth trying.
 */
export class FreeLogScanner {
  private readonly signals: FreeLogSignal[] = []
  private n: number
  /** The last line of a part, waiting for the next part's first line (its `next`). */
  private waiting?: {line: string; n: number}

  /** `firstLine`: the log's first line in its file (a section of a paste); `onSignal` hears of each signal as it is found. */
  constructor(
    private readonly origin: string,
    firstLine = 1,
    private readonly onSignal?: (signal: FreeLogSignal) => void,
  ) {
    this.n = firstLine - 1
  }

  /** `finder` stands for NEEDLE_FINDER when a LineFinder found its lines already. */
  feed(text: string, finder: Finder = NEEDLE_FINDER): void {
    walkLines(text, finder, (start, end, hit) => {
      const n = ++this.n
      if (this.waiting) {
        this.read(this.waiting.line, this.waiting.n, text.slice(start, end))
        this.waiting = undefined
      }
      if (!hit) return
      if (end + 1 >= text.length) this.waiting = {line: text.slice(start, end), n}
      else {
        const nextEnd = text.indexOf('\n', end + 1)
        this.read(text.slice(start, end), n, text.slice(end + 1, nextEnd < 0 ? text.length : nextEnd))
      }
    })
  }

  finish(): FreeLogSignal[] {
    if (this.waiting) this.read(this.waiting.line, this.waiting.n, '')
    this.waiting = undefined
    return this.signals
  }

  private read(whole: string, n: number, nextLine: string): void {
    const line = clip(whole)
    const lower = line.toLowerCase()
    const next = clip(nextLine)
    const kinds = new Set<FreeLogSignalKind>()
    for (const rule of RULES) {
      if (!rule.needles.some((needle) => lower.includes(needle))) continue
      const match = rule.read(line, next)
      if (!match || kinds.has(match.kind)) continue
      kinds.add(match.kind)
      const signal: FreeLogSignal = {kind: match.kind, origin: this.origin, n, text: line.trim().slice(0, MAX_TEXT)}
      if (match.data) signal.data = match.data
      this.signals.push(signal)
      this.onSignal?.(signal)
    }
  }
}

function clip(line: string): string {
  const clipped = line.length > MAX_LINE ? line.slice(0, MAX_LINE) : line
  return clipped.endsWith('\r') ? clipped.slice(0, -1) : clipped
}
