/**
 * Kernel log parser: plain dmesg, `dmesg -T`, `journalctl -k` / syslog prefixes, with or without
 * `[    0.123456]` stamps, CRLF, pasted fragments. Keeps only the lines that matter (signals),
 * so a 50 MB log costs little memory.
 *
 * Line formats: kernel-log/line.ts. The messages: kernel-log/rules.ts. The IOMMU verdict: kernel-log/boot.ts.
 */

import {capped, MAX_LINE} from './lines.js'
import {endsKernelInit, excerptVerdict, iommuVerdict, newBoot, noteSignal, type Boot} from './kernel-log/boot.js'
import type {LineFilter} from './kernel-log/excerpt.js'
import {parseLine, type LineStyle, type ParsedLine} from './kernel-log/line.js'
import {candidateRules, KEY_FINDER} from './kernel-log/rules.js'
import {walkLines, type Finder} from './line-walk.js'

export type KernelSignalKind =
  | 'kernel-version' // "Linux version 6.12.18 ..."  data.release
  | 'command-line' // "Kernel command line: ..."   data.cmdline
  | 'acpi-dmar' // "ACPI: DMAR 0x..." table present
  | 'acpi-ivrs' // "ACPI: IVRS 0x..." table present
  | 'dmar-iommu-enabled' // "DMAR: IOMMU enabled" (the param was read; NOT proof the IOMMU works)
  | 'dmar-iommu-disabled' // "DMAR: IOMMU disabled" (intel_iommu=off; before 4.1 "Intel-IOMMU: disabled")
  | 'dmar-hardware' // "DMAR: dmar0: reg_base_addr ..." / "DMAR: DRHD base: ..." — units in the firmware table (NOT proof of DMA remapping)
  | 'dmar-vtd-init' // "DMAR: Intel(R) Virtualization Technology for Directed I/O" (DMA remapping is on)
  | 'amdvi-found' // "AMD-Vi: Found IOMMU at 0000:00:00.2 cap 0x40" / "pci 0000:00:00.2: AMD-Vi: Found IOMMU cap 0x40"  data.address
  | 'amdvi-disabled' // "AMD-Vi: AMD IOMMU disabled" (amd_iommu=off)
  | 'iommu-group-add' // "pci 0000:01:00.0: Adding to iommu group 1" / "iommu: Adding device 0000:01:00.0 to group 1"  data.address data.group
  | 'iommu-default-domain' // "iommu: Default domain type: Translated" (printed with no IOMMU too)  data.type
  | 'iommu-unknown-option' // "AMD-Vi: Unknown option - 'on'" / "DMAR: Unknown option - 'pt'": an amd_iommu= / intel_iommu= value the driver ignored  data.driver data.option
  | 'dmar-address-width' // "DMAR: Host address width 39": the widest guest-physical address the Intel IOMMU maps  data.bits
  | 'interrupt-remapping-enabled' // "DMAR-IR: Enabled IRQ remapping in x2apic mode" / "AMD-Vi: Interrupt remapping enabled"  data.vendor data.mode
  | 'interrupt-remapping-missing' // vfio: "No interrupt remapping support.  Use the module param "allow_unsafe_interrupts" ..."
  | 'kvm-disabled-by-bios' // "kvm: disabled by bios" / "VMX (outside TXT) disabled by BIOS" / "SVM disabled (by BIOS) in MSR_VM_CR"
  | 'kvm-no-hardware-support' // "kvm: no hardware support" / "no hardware support for 'kvm_amd'" / "SVM not supported by CPU 1"
  | 'vfio-loaded' // "VFIO - User Level meta-driver version: 0.3"  data.version
  | 'vfio-pci-add' // "vfio_pci: add [10de:1b81[ffffffff:ffffffff]] class 0x000000/00000000"  data.ids
  | 'vfio-pci-device' // "vfio-pci 0000:01:00.0: ..." any line  data.address
  | 'bar-cant-reserve' // "vfio-pci 0000:01:00.0: BAR 0: can't reserve [mem ...]" / "BAR 0: can't reserve"  data.address data.bar
  | 'vgaarb-boot-vga' // "pci 0000:00:02.0: vgaarb: setting as boot VGA device" / "vgaarb: setting as boot device: PCI:0000:00:02.0"  data.address
  | 'vgaarb-decodes' // "vfio-pci 0000:01:00.0: vgaarb: changed VGA decodes: olddecodes=io+mem,decodes=none:owns=none" (6.x: "VGA decodes changed")  data.address data.decodes
  | 'framebuffer' // "efifb: framebuffer at 0x...", "simple-framebuffer", "simpledrm", "pci 0000:01:00.0: BAR 1: assigned to efifb"  data.driver (data.address)
  | 'power-state-error' // "Unable to change power state from D3cold to D0, device inaccessible" / "Refused to change power state, currently in D3" / "can't change power state from D3hot to D0 (config space inaccessible)"  data.address data.from data.to
  | 'pending-transaction' // "timed out waiting for pending transaction; performing function level reset anyway"  data.address
  | 'reset-failed' // "not ready 65535ms after FLR; giving up" / "reset failed" / "failed to reset"  data.address
  | 'pci-bridge' // "pci 0000:00:1d.0: PCI bridge to [bus 04]" / "[bus 02-36]": the buses behind a bridge  data.address data.secondary data.subordinate
  | 'aer' // "pcieport 0000:00:1d.0: AER: PCIe Bus Error: severity=Corrected, ..."  data.address data.severity
  | 'ignored-msr' // "kvm [3657]: vcpu0, guest rIP: 0x... ignored rdmsr: 0x1ad data 0x0" / "unhandled wrmsr"  data.msr data.access
  | 'pci-header-127' // libvirt "Unknown PCI header type '127' for device '...'" / kernel "unknown header type 7f"  data.address
  | 'rmrr' // "Device is ineligible for IOMMU domain attach due to platform RMRR requirement"  data.address
  | 'dma-mapping-failed' // qemu "vfio: DMA mapping failed" / "VFIO_MAP_DMA failed"; kernel "vfio_pin_pages_remote: RLIMIT_MEMLOCK (...) exceeded"  data.reason
  | 'module-not-found' // "Module vfio_virqfd not found" / "Failed to find module 'vfio_virqfd'"  data.module
  | 'cpu-model' // "smpboot: CPU0: AMD Ryzen 7 5700U with Radeon Graphics (family: 0x17, ...)"  data.model data.vendor (intel | amd | other)
  | 'hypervisor-detected' // "Hypervisor detected: KVM"  data.name
  | 'nvidia-loaded' // "NVRM: loading NVIDIA UNIX ... Kernel Module  550.54"  data.version

export interface LogLine {
  /** 1-based line number in the source text. */
  n: number
  /** The message without time stamp / syslog prefix. */
  text: string
  /** The line as it was, for evidence (CR and NUL bytes stripped, cut at MAX_LINE characters). */
  raw: string
  /** Seconds since boot from a `[   12.345678]` stamp, where present. */
  time?: number
}

export interface KernelSignal {
  kind: KernelSignalKind
  line: LogLine
  data?: Record<string, string>
}

export type KernelLogFormat = 'dmesg' | 'dmesg-human' | 'journal' | 'syslog' | 'plain' | 'empty'

export interface KernelLog {
  format: KernelLogFormat
  lineCount: number
  signals: KernelSignal[]
  /** From "Linux version" where present. */
  release?: string
  /** The last "Kernel command line:" seen. */
  commandLine?: string
  /**
   * What the log says of the IOMMU (of the last boot, when it holds several): 'on' when DMA
   * remapping was set up (groups made, VT-d initialised, an AMD IOMMU found), 'off' when it says so
   * (intel_iommu=off, amd_iommu=off) or a log from boot reaches the end of kernel init without any,
   * 'unknown' for fragments that do not say.
   */
  iommu: 'on' | 'off' | 'unknown'
  /** True when the log starts at boot ("Linux version", a [0.000000] stamp, "-- Reboot --"), so an absence means something. */
  fromBoot: boolean
  /**
   * Grep'd excerpts (`dmesg | grep -i dmar`) whose first line is from the first second of boot:
   * every line of that boot a filter lets through is in it, so such a line's absence means something.
   */
  excerptsFromBoot?: LineFilter[]
  warnings: string[]
}

/** Stamp styles that name a format, in the order that wins a tie. */
const STAMPED = ['dmesg', 'syslog', 'journal', 'dmesg-human'] as const satisfies readonly LineStyle[]
/** A flood of one message (AER storms, thousands of group lines) is kept to this many per kind. */
const MAX_SIGNALS_PER_KIND = 2000

interface Scan {
  log: KernelLog
  boot: Boot
  /** Last kernel time stamp; a drop to 0 is a new boot in a multi-boot kern.log. */
  lastTime: number
  /** The first kernel time stamp seen. */
  firstTime?: number
  styles: Map<LineStyle | 'userspace', number>
  kept: Map<KernelSignalKind, number>
  dropped: Map<KernelSignalKind, number>
  boots: number
  longLines: number
  nulLines: number
  onSignal?: (n: number, kind: KernelSignalKind) => void
}

/** `filter` is the grep the person piped the log through, when the paste shows its command. */
export function parseKernelLog(text: string, filter?: LineFilter): KernelLog {
  const scanner = new KernelLogScanner(filter)
  scanner.feed(text)
  return scanner.finish()
}

/** Every line up to here is read whole, so the stamp style (the log's format) is judged on them too. */
const READ_WHOLE = 1000

/**
 * Reads a kernel log fed in parts (each ends at a line end, but the last), so a log of any size is
 * read in constant memory. One search for the rules' keys finds the few lines worth reading; the
 * others are only counted. A line is read whole when it holds a key, a `[    0.000000]` stamp (a
 * new boot), journalctl's boot marker or the end of kernel init, is among the first READ_WHOLE
 * lines, or is in a part with NUL bytes or terminal colours (they could hide a key).
 */
export class KernelLogScanner {
  private readonly scan: Scan = {
    log: {format: 'empty', lineCount: 0, signals: [], iommu: 'unknown', fromBoot: false, warnings: []},
    boot: newBoot(false),
    lastTime: -1,
    styles: new Map(),
    kept: new Map(),
    dropped: new Map(),
    boots: 0,
    longLines: 0,
    nulLines: 0,
  }

  /** Lines before the log's first (a section of a pasted file), added to every line number. */
  private readonly offset: number

  /** `onSignal` hears of each line a rule matched, kept or not (a reader of the same lines keeps them). */
  constructor(
    private readonly filter?: LineFilter,
    options: {firstLine?: number; onSignal?: (n: number, kind: KernelSignalKind) => void} = {},
  ) {
    this.offset = (options.firstLine ?? 1) - 1
    if (options.onSignal) this.scan.onSignal = options.onSignal
  }

  /**
   * The next part of the log: whole lines (a lone CR ends one too); only the last part may end without
   * a line end. `finder` stands for KEY_FINDER when a LineFinder found its lines already.
   */
  feed(text: string, finder: Finder = KEY_FINDER): void {
    const scan = this.scan
    const everyLine = text.includes('\u0000') || text.includes('\u001b')
    let nextCr = -1
    walkLines(text, finder, (start, end, hit) => {
      const last = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end
      if (nextCr !== Infinity && nextCr < start) {
        nextCr = text.indexOf('\r', start)
        if (nextCr < 0) nextCr = Infinity
      }
      const split = nextCr < last
      if (hit || split || everyLine || scan.log.lineCount < READ_WHOLE) {
        const line = text.slice(start, last)
        if (!split) scanLine(scan, line, this.offset + ++scan.log.lineCount)
        else for (const piece of line.split('\r')) scanLine(scan, piece, this.offset + ++scan.log.lineCount)
        return
      }
      scan.log.lineCount++
      if (last - start > MAX_LINE) scan.longLines++
      // A line not read may carry a later stamp: the next [0.000000] starts a boot.
      scan.lastTime = -1
    })
  }

  finish(): KernelLog {
    return finish(this.scan, this.filter)
  }
}

function scanLine(scan: Scan, whole: string, n: number): void {
  if (whole === '') return
  if (whole.length > MAX_LINE) scan.longLines++
  const raw = clean(scan, capped(whole))
  const line = parseLine(raw)
  if (!/\S/.test(line.text)) return
  const style = line.kernel ? line.style : 'userspace'
  scan.styles.set(style, (scan.styles.get(style) ?? 0) + 1)
  if (line.reboot) startBoot(scan)
  if (line.kernel) trackKernelLine(scan, line)

  const text = line.text.trimEnd()
  let logLine: LogLine | undefined
  for (const {kind, data} of matchesOf(text, line.kernel)) {
    note(scan, kind, data)
    scan.onSignal?.(n, kind)
    if (!roomFor(scan, kind)) continue
    logLine ??= {n, text: detach(text), raw: detach(raw), ...(line.time === undefined ? {} : {time: line.time})}
    scan.log.signals.push(data ? {kind, line: logLine, data} : {kind, line: logLine})
  }
}

interface LineMatch {
  kind: KernelSignalKind
  data?: Record<string, string>
}

/** A flood repeats one message under new stamps: what a message matches is worked out once (up to this many kept). */
const MATCHES_KEPT = 4096
const matches = new Map<string, LineMatch[]>()

/** The rules a message matches, with their data; the same message always gives the same (shared, never changed) objects. */
function matchesOf(text: string, kernel: boolean): LineMatch[] {
  const key = kernel ? text : `\u0000${text}`
  const known = matches.get(key)
  if (known) return known
  const found: LineMatch[] = []
  for (const rule of candidateRules(text)) {
    if (!kernel && !rule.userspace) continue
    const m = rule.pattern.exec(text)
    if (!m) continue
    const data = rule.data?.(m, text)
    found.push(data ? {kind: rule.kind, data: detachValues(data)} : {kind: rule.kind})
  }
  if (matches.size >= MATCHES_KEPT) matches.clear()
  matches.set(detach(key), found)
  return found
}

/** NUL bytes (syslog files after a crash are padded with them) and terminal colours go. */
function clean(scan: Scan, line: string): string {
  let out = line
  if (out.includes('\u0000')) {
    scan.nulLines++
    out = out.replace(/\u0000+/g, '')
  }
  if (out.includes('\u001b')) out = out.replace(/\u001b\[[0-9;]{0,20}m/g, '')
  return out
}

function trackKernelLine(scan: Scan, line: ParsedLine): void {
  if (line.time !== undefined) {
    scan.firstTime ??= line.time
    if (line.time === 0 && scan.lastTime !== 0) startBoot(scan)
    scan.lastTime = line.time
  }
  if (endsKernelInit(line.text)) scan.boot.initDone = true
}

function startBoot(scan: Scan): void {
  scan.boot = newBoot(true)
  scan.log.fromBoot = true
}

/** What a signal tells about the whole log, kept or not. */
function note(scan: Scan, kind: KernelSignalKind, data: Record<string, string> | undefined): void {
  if (kind === 'kernel-version') {
    startBoot(scan)
    scan.boots++
    scan.log.release = detach(data!.release!)
  }
  if (kind === 'command-line') scan.log.commandLine = detach(data!.cmdline!)
  noteSignal(scan.boot, kind, data)
}

function roomFor(scan: Scan, kind: KernelSignalKind): boolean {
  const kept = scan.kept.get(kind) ?? 0
  if (kept < MAX_SIGNALS_PER_KIND) {
    scan.kept.set(kind, kept + 1)
    return true
  }
  scan.dropped.set(kind, (scan.dropped.get(kind) ?? 0) + 1)
  return false
}

function finish(scan: Scan, filter: LineFilter | undefined): KernelLog {
  const log = scan.log
  log.format = formatOf(scan.styles)
  log.iommu = iommuVerdict(scan.boot)
  if (filter && scan.boots <= 1 && scan.firstTime !== undefined && scan.firstTime < 1) {
    log.excerptsFromBoot = [filter]
    if (log.iommu === 'unknown') log.iommu = excerptVerdict(scan.boot, filter)
  }
  if (scan.boots > 1) log.warnings.push(`the log holds ${scan.boots} boots; the IOMMU verdict is for the last one`)
  if (scan.nulLines > 0) log.warnings.push(`NUL bytes removed from ${scan.nulLines} line(s)`)
  if (scan.longLines > 0) log.warnings.push(`${scan.longLines} line(s) longer than ${MAX_LINE} characters: only their start was read`)
  for (const [kind, count] of scan.dropped) log.warnings.push(`${count} more '${kind}' line(s) not kept (limit ${MAX_SIGNALS_PER_KIND})`)
  return log
}

/** The most common stamp style among kernel lines; userspace-only captures are journal output. */
function formatOf(styles: Map<LineStyle | 'userspace', number>): KernelLogFormat {
  let best: KernelLogFormat | undefined
  let most = 0
  for (const style of STAMPED) {
    const count = styles.get(style) ?? 0
    if (count > most) [best, most] = [style, count]
  }
  if (best) return best
  if (styles.has('userspace')) return 'journal'
  return styles.has('plain') ? 'plain' : 'empty'
}

/**
 * V8 string slices share their parent's buffer, so one kept line would pin the whole input in memory;
 * concatenating forces a copy of just these characters.
 */
function detach(s: string): string {
  return (' ' + s).slice(1)
}

function detachValues(data: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(data).map(([key, value]) => [key, detach(value)]))
}
