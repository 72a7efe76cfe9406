/**
 * One kernel-log line: which stamp or prefix it carries, and the message behind it.
 *
 *   [    0.035553] DMAR: IOMMU enabled                            dmesg
 *   [Sat Mar 29 10:00:00 2025] DMAR: IOMMU enabled                dmesg -T
 *   Mar 29 10:00:00 host kernel: DMAR: IOMMU enabled             journalctl -k
 *   [    0.035553] host kernel: DMAR: IOMMU enabled              journalctl -k -o short-monotonic
 *   Mar 29 10:00:00 host kernel: [    0.035553] DMAR: ...        syslog, kern.log
 *   2025-03-29T10:00:00+01:00 host kernel: ...                   rsyslog / journalctl -o short-iso
 *   2025-03-29T10:00:00,035553+01:00 DMAR: IOMMU enabled         dmesg --time-format iso
 *   DMAR: IOMMU enabled                                          a pasted `dmesg | grep` fragment
 */

export type LineStyle = 'dmesg' | 'dmesg-human' | 'journal' | 'syslog' | 'plain'

export interface ParsedLine {
  /** The message without stamp or prefix; a userspace line keeps its "ident[pid]: ". */
  text: string
  style: LineStyle
  /** Seconds since boot, from a `[   12.345678]` stamp. */
  time?: number
  /** False for userspace lines in a journal or syslog capture (systemd-modules-load[312]: ...). */
  kernel: boolean
  /** journalctl's "-- Reboot --" / "-- Boot 1a2b... --": the next lines are a new boot. */
  reboot?: boolean
}

const MONOTONIC = /^\[ *(\d{1,10}\.\d{1,9})\] ?/
const HUMAN = /^\[\p{L}{2,4}\.? \p{L}{3,5}\.? {1,2}\d{1,2} \d\d:\d\d:\d\d \d{4}\] ?/u
// Month names can be localised ("set 16 11:23:21 host kernel: ...").
const SYSLOG_DATE = /^\p{L}{3,5}\.? {1,2}\d{1,2} \d\d:\d\d:\d\d(?:[.,]\d{1,9})? /u
const ISO_DATE = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)? /
/** "host " when followed by "ident: " or "ident[pid]: ". */
const HOST = /^\S{1,255} (?=([^\s:[\]]{1,128})(\[\d{1,10}\])?:(?: |$))/
/** CONFIG_PRINTK_CALLER adds "[    T1] " after the time stamp. */
const CALLER = /^\[ *[TC]\d{1,7}\] ?/
/** `dmesg -r` "<6>" and `dmesg -x` "kern  :info  : " come before the stamp. */
const DECORATION = /^(?:<\d{1,3}>|[a-z]{2,8} *:[a-z]{3,6} *: )/
const JOURNAL_MARKER = /^-- (?:(Reboot --|Boot [0-9a-f]{1,64} --)|Logs begin at |Journal begins at |No entries --)/

/** `line` is capped, without NULs; leading whitespace is allowed. */
export function parseLine(line: string): ParsedLine {
  const s = strip(DECORATION, line.trimStart())
  const marker = JOURNAL_MARKER.exec(s)
  if (marker) return {text: s, style: 'journal', kernel: false, reboot: marker[1] !== undefined}

  const mono = MONOTONIC.exec(s)
  if (mono) return afterMonotonic(s.slice(mono[0].length), Number(mono[1]))
  const human = HUMAN.exec(s)
  if (human) return {text: strip(CALLER, s.slice(human[0].length)), style: 'dmesg-human', kernel: true}
  const iso = ISO_DATE.exec(s)
  if (iso) return afterDate(s.slice(iso[0].length), 'iso')
  const date = SYSLOG_DATE.exec(s)
  if (date) return afterDate(s.slice(date[0].length), 'syslog')
  return {text: s, style: 'plain', kernel: true}
}

/** "[  1.2] msg" is dmesg; "[  1.2] host kernel: msg" is journalctl's monotonic output. */
function afterMonotonic(rest: string, time: number): ParsedLine {
  const host = journalHost(rest)
  if (host) return fromSender(rest.slice(host.length), time)
  return {text: strip(CALLER, rest), style: 'dmesg', time, kernel: true}
}

/**
 * After a date: "host ident: msg". Without a host, an ISO date is `dmesg --time-format iso`; anything
 * else we do not know (plain).
 */
function afterDate(rest: string, dateStyle: 'iso' | 'syslog'): ParsedLine {
  const host = dateStyle === 'iso' ? journalHost(rest) : HOST.exec(rest)?.[0]
  if (host) return fromSender(rest.slice(host.length))
  return {text: rest, style: dateStyle === 'iso' ? 'dmesg-human' : 'plain', kernel: true}
}

/**
 * "host " before "kernel: " or "ident[pid]: ". Where a kernel message may follow instead, a bare
 * "ident: " is not enough: "usb 1-1: new high-speed USB device" has that shape.
 */
function journalHost(rest: string): string | undefined {
  const host = HOST.exec(rest)
  return host && (host[1] === 'kernel' || host[2] !== undefined) ? host[0] : undefined
}

/** "kernel: [ 1.2] msg" (syslog), "kernel: msg" (journal), or a userspace "ident[pid]: msg". */
function fromSender(sender: string, monotonic?: number): ParsedLine {
  const kernel = sender.startsWith('kernel:')
  const message = kernel ? sender.slice('kernel:'.length).trimStart() : sender
  const line: ParsedLine = {text: message, style: 'journal', kernel}
  if (monotonic !== undefined) line.time = monotonic
  const inner = kernel && monotonic === undefined ? MONOTONIC.exec(message) : null
  if (inner) {
    line.style = 'syslog'
    line.time = Number(inner[1])
    line.text = message.slice(inner[0].length)
  }
  if (kernel) line.text = strip(CALLER, line.text)
  return line
}

function strip(prefix: RegExp, s: string): string {
  const m = prefix.exec(s)
  return m ? s.slice(m[0].length) : s
}
