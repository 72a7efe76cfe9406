/**
 * A log too big to hold (a `journalctl -k` of many boots is hundreds of MB) is read once, as a
 * stream of parts, into what the checks and the report need of it: the kernel log's and the free-form
 * log's signals, the known messages, the names redaction must learn, and the lines an excerpt can show.
 * Memory is one part plus what is kept, whatever the log's size.
 */
import {MessageScanner, type MessageHit} from '../knowledge/messages.js'
import {EXCERPT_CONTEXT, EXCERPT_ENDS, tellingSearch, TELLING_LAST_LINES} from '../knowledge/telling-lines.js'
import {FreeLogScanner, NEEDLE_SEARCH, type FreeLogSignal} from '../parse/free-log.js'
import {grepFilterOf} from '../parse/kernel-log/excerpt.js'
import {KEY_SEARCHES} from '../parse/kernel-log/rules.js'
import {KernelLogScanner, type KernelLog} from '../parse/kernel-log.js'
import {FoundLines, LineFinder, type LineSearch} from '../parse/line-finder.js'
import {walkLines, type Finder} from '../parse/line-walk.js'
import {LEARN_SEARCH, learnNames, mergeNames, NO_NAMES, type KnownNames} from '../redact/learn.js'
import type {SourceKind} from './types.js'

export interface LogDigest {
  /** Lines in the log. */
  lineCount: number
  /** Its size in UTF-8. */
  bytes: number
  /** What an excerpt can show: the first and last lines, and those that matter with their context. */
  kept: KeptLine[]
  /** What the readers found; a redacted copy of the source for a report has none. */
  read?: DigestReadings
}

export interface KeptLine {
  /** 1-based line in the file. */
  n: number
  text: string
}

export interface DigestReadings {
  kernelLog?: KernelLog
  logSignals?: FreeLogSignal[]
  messages: MessageHit[]
  names: KnownNames
}

const NO_LINES: Finder = {lastIndex: 0, exec: () => null}

/** Kinds read as a stream when their file is big: line by line, no line needing another far from it. */
export const STREAMED_KINDS = new Set<SourceKind>(['kernelLog', 'qemuLog', 'log'])

/** Lines kept before and after each line that matters, and at each end: what the widest excerpt shows. */
const CONTEXT = EXCERPT_CONTEXT
const ENDS = EXCERPT_ENDS
/** Lines that matter kept for each reason (a signal kind, a message, a telling word): a flood of one keeps no more. */
const PER_REASON = 200
/** Lines are kept this long at most: an excerpt shows 1,000 characters of a line. */
const MAX_KEPT_LINE = 4096

export interface LogSection {
  kind: SourceKind
  origin: string
  /** Its first line in the file. */
  from: number
  /** The command on the prompt line above it, when the paste shows one. */
  command?: string
}

export async function digestLog(parts: AsyncIterable<string>, section: LogSection): Promise<LogDigest> {
  // Line numbers (1-based, in the file) that a reader found something in, with the reason.
  let matters = new Map<number, string>()
  const matter = (n: number, reason: string) => matters.has(n) || matters.set(n, reason)
  const kernel =
    section.kind === 'qemuLog'
      ? undefined
      : new KernelLogScanner(section.command === undefined ? undefined : grepFilterOf(section.command), {firstLine: section.from, onSignal: (n, kind) => matter(n, kind)})
  const free = section.kind === 'kernelLog' ? undefined : new FreeLogScanner(section.origin, section.from, (signal) => matter(signal.n, signal.kind))
  const messages = new MessageScanner()
  const keeper = new LineKeeper(section)
  // Each part is read once, by one automaton, for the lines every reader looks for (line-finder.ts).
  const none: LineSearch = {pattern: /(?!)/, words: [], exact: true}
  const telling = tellingSearch(section.kind)
  const finder = new LineFinder({
    messages: messages.search,
    anchors: LEARN_SEARCH,
    keys: kernel ? KEY_SEARCHES.keys : none,
    stamps: kernel ? KEY_SEARCHES.stamps : none,
    needles: free ? NEEDLE_SEARCH : none,
    telling: telling ?? none,
  })
  let names = NO_NAMES
  let first = section.from
  let bytes = 0
  for await (const part of parts) {
    bytes += Buffer.byteLength(part)
    const found = finder.find(part)
    kernel?.feed(part, FoundLines.either(found.keys, found.stamps))
    free?.feed(part, found.needles)
    const known = messages.hits.length
    messages.feed(part, section.origin, first, found.messages)
    for (const hit of messages.hits.slice(known)) matter(hit.n, hit.message.id)
    // The free-form reader hears of a part's last line with the next part, when the keeper is past it.
    for (const [n, reason] of matters) if (n < first) keeper.late(n, reason)
    first = keeper.feed(part, matters, found.telling)
    matters = new Map()
    names = mergeNames(names, learnNames([anchorLines(part, found.anchors)]))
  }
  const logSignals = free?.finish()
  for (const [n, reason] of matters) keeper.late(n, reason)
  const kept = keeper.finish()
  names = mergeNames(names, learnNames(kept.map((l) => l.text)))
  const read: DigestReadings = {messages: messages.hits, names}
  if (kernel) read.kernelLog = kernel.finish()
  if (logSignals) read.logSignals = logSignals
  return {lineCount: first - section.from, bytes, kept, read}
}

/**
 * The lines of a part that can teach redaction a name far from where it is shown (a home folder, a
 * uid, a host name): each is learnt from, so a name in a shown line is replaced even where the line
 * itself does not say it is one.
 */
function anchorLines(part: string, anchors: Finder): string {
  const lines: string[] = []
  walkLines(part, anchors, (start, end, hit) => {
    if (hit) lines.push(part.slice(start, end))
  })
  return lines.join('\n')
}

/** Keeps the lines an excerpt of the log can show, reading each part once. */
class LineKeeper {
  private readonly kept = new Map<number, string>()
  private readonly perReason = new Map<string, number>()
  /** The last lines read, for the context before a line that matters and for the log's end. */
  private recent: KeptLine[] = []
  /** Lines still to keep after the last line that matters. */
  private after = 0
  private n: number
  private readonly from: number
  private readonly lastLines: number

  constructor(section: LogSection) {
    this.from = section.from
    this.n = section.from - 1
    this.lastLines = Math.max(ENDS, CONTEXT, TELLING_LAST_LINES[section.kind] ?? 0)
  }

  /**
   * Reads a part (`matters`: its lines a reader found something in; `telling`: its telling lines);
   * returns the number of the line after it.
   */
  feed(part: string, matters: Map<number, string>, telling: Finder): number {
    // The part's lines read so far, by offset (two flat lists, not a pair per line: a 50 MB log has
    // 700,000 lines): only the kept ones become strings.
    const starts: number[] = []
    const ends: number[] = []
    const text = (i: number) => clip(part.slice(starts[i], ends[i]))
    // Once telling lines keep no more, none is looked for.
    walkLines(part, this.full('telling') ? NO_LINES : telling, (start, end, hit) => {
      const n = ++this.n
      starts.push(start)
      ends.push(end)
      const reason = (matters.size ? matters.get(n) : undefined) ?? (hit ? 'telling' : undefined)
      if (reason !== undefined && this.room(reason)) {
        for (let back = 1; back <= CONTEXT; back++) {
          const i = starts.length - 1 - back
          if (i >= 0) this.kept.set(n - back, text(i))
          else {
            const earlier = this.recent.find((r) => r.n === n - back)
            if (earlier) this.kept.set(earlier.n, earlier.text)
          }
        }
        this.after = CONTEXT + 1
      }
      if (this.after > 0 || n < this.from + ENDS) this.kept.set(n, text(starts.length - 1))
      if (this.after > 0) this.after--
      if (starts.length > 4 * this.lastLines) {
        starts.splice(0, starts.length - this.lastLines)
        ends.splice(0, ends.length - this.lastLines)
      }
    })
    const last = Math.min(this.lastLines, starts.length)
    const tail = Array.from({length: last}, (_, i): KeptLine => ({n: this.n - last + 1 + i, text: text(starts.length - last + i)}))
    this.recent = [...this.recent, ...tail].slice(-this.lastLines)
    return this.n + 1
  }

  /** A line already read turned out to matter: it and the lines around it are kept. */
  late(n: number, reason: string): void {
    if (!this.room(reason)) return
    for (const r of this.recent) if (r.n >= n - CONTEXT && r.n <= n) this.kept.set(r.n, r.text)
    this.after = Math.max(this.after, CONTEXT - (this.n - n))
  }

  finish(): KeptLine[] {
    for (const r of this.recent) this.kept.set(r.n, r.text)
    return [...this.kept].sort(([a], [b]) => a - b).map(([n, text]) => ({n, text}))
  }

  private full(reason: string): boolean {
    return (this.perReason.get(reason) ?? 0) >= PER_REASON
  }

  private room(reason: string): boolean {
    const count = this.perReason.get(reason) ?? 0
    if (count >= PER_REASON) return false
    this.perReason.set(reason, count + 1)
    return true
  }
}

function clip(line: string): string {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line
  return text.length > MAX_KEPT_LINE ? text.slice(0, MAX_KEPT_LINE) : text
}
