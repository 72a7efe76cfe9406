import {EXCERPT_CONTEXT, EXCERPT_ENDS, tellingLine, TELLING_LAST_LINES} from '../knowledge/telling-lines.js'
import type {SourceKind} from '../sources/types.js'

/** One raw source as a forum post shows it: whole, excerpted around what matters, or left out. */
export interface Excerpt {
  text: string
  totalLines: number
  shownLines: number
  /** Lines that matter: quoted as evidence, or known to be telling for this kind of source. */
  matters: number
  cut: 'none' | 'excerpt' | 'omitted'
}

export interface ExcerptInput {
  kind: SourceKind
  /** The source's text, or of a log read as a stream the lines it kept (1-based `n` from its first line). */
  text: string | {lineCount: number; kept: Array<{n: number; text: string}>}
  /**
   * Text no recogniser claimed (a person's notes, an unknown tool's output): what in it is private
   * cannot be told, so only its lines quoted as evidence are shown, and it is left out without any.
   */
  evidenceOnly?: boolean
}

const MAX_LINE = 1000
/** Each step shows less: whole, wide context, narrow context, the lines alone, the first of them. */
const STEPS = [Infinity, EXCERPT_CONTEXT, 2, 0, -1] as const
const FIRST_MATTERS = 40

/** A source's lines as an excerpt reads them: `at[i]` is line i's 0-based place in the source (all of them when absent). */
interface Lines {
  lines: string[]
  at?: number[]
  total: number
  /** Indexes into `lines` of the lines that matter. */
  matters: number[]
}

/**
 * Fits raw sources into `budget` characters (each also costs `overhead` for its wrapper) by
 * stepping the largest down first: whole, then excerpts around the lines that matter, then left
 * out. Deterministic: the same input always gives the same cut.
 *
 * `show` turns the text a post prints (redacts it): it is given only the lines the chosen excerpts
 * show, each run of consecutive lines as one text, so a big source costs nothing for what is cut.
 * Sizes are measured before it, so a redacted excerpt may differ from the budget by what the
 * pseudonyms change.
 */
export function fitExcerpts(inputs: ExcerptInput[], evidence: string[], budget: number, overhead = 0, show?: (text: string) => string): Excerpt[] {
  const needles = evidenceNeedles(evidence)
  const prepared = inputs.map((input) => linesOf(input, needles))
  const EVIDENCE_ALONE = STEPS.indexOf(0)
  const step = prepared.map((p, i) => (inputs[i]!.evidenceOnly ? (p.matters.length ? EVIDENCE_ALONE : STEPS.length) : 0))
  // Each step is measured, not written: only the chosen ones are.
  const sizeAt = (i: number) => (step[i]! >= STEPS.length ? 0 : excerptLength(prepared[i]!, shownAt(prepared[i]!, step[i]!)) + overhead)
  const size = prepared.map((_, i) => sizeAt(i))
  let total = size.reduce((n, s) => n + s, 0)
  while (total > budget) {
    let largest = -1
    for (let i = 0; i < size.length; i++) if (step[i]! < STEPS.length && (largest < 0 || size[i]! > size[largest]!)) largest = i
    if (largest < 0) break
    step[largest]!++
    const before = size[largest]!
    size[largest] = sizeAt(largest)
    total += size[largest]! - before
  }
  return prepared.map((p, i) => (step[i]! >= STEPS.length ? omitted(p) : excerptAt(p, shownAt(p, step[i]!), STEPS[step[i]!] === Infinity, show)))
}

function linesOf(input: ExcerptInput, needles: string[]): Lines {
  if (typeof input.text === 'string') {
    const lines = input.text.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n')
    return {lines, total: lines.length, matters: mattersOf(lines, undefined, lines.length, input.kind, needles)}
  }
  // A stream keeps its first line always: places count from it.
  const firstLine = input.text.kept[0]?.n ?? 1
  const lines = input.text.kept.map((l) => l.text)
  const at = input.text.kept.map((l) => l.n - firstLine)
  return {lines, at, total: input.text.lineCount, matters: mattersOf(lines, at, input.text.lineCount, input.kind, needles)}
}

function omitted(p: Lines): Excerpt {
  return {text: '', totalLines: p.total, shownLines: 0, matters: p.matters.length, cut: 'omitted'}
}

/** The lines an excerpt shows at a step, in order (indices into `lines`). */
function shownAt(p: Lines, step: number): number[] {
  const {lines, matters} = p
  const place = (i: number) => p.at?.[i] ?? i
  const context = STEPS[step]!
  if (context === Infinity) return Array.from(lines, (_, i) => i)
  // With nothing that matters, the start and the end of a log still tell the most.
  const ends = [...range(0, Math.min(EXCERPT_ENDS, lines.length)), ...range(Math.max(0, lines.length - EXCERPT_ENDS), lines.length)]
  const anchors = matters.length ? (context < 0 ? matters.slice(0, FIRST_MATTERS) : matters) : ends
  // Marks, then one pass in order: each step of a big source is measured, and a set sorted each time cost more.
  const shown = new Uint8Array(lines.length)
  const width = Math.max(0, context)
  for (const a of anchors) {
    shown[a] = 1
    for (let i = a - 1; i >= 0 && place(i) >= place(a) - width; i--) shown[i] = 1
    for (let i = a + 1; i < lines.length && place(i) <= place(a) + width; i++) shown[i] = 1
  }
  const out: number[] = []
  for (let i = 0; i < shown.length; i++) if (shown[i]) out.push(i)
  return out
}

const capped = (line: string) => (line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)} …` : line)

/**
 * The shown lines as runs of consecutive ones and the cuts between them, in order: what
 * excerptAt writes and excerptLength measures.
 */
function* pieces(p: Lines, shown: number[]): Generator<{run: number[]} | {cut: number}> {
  const place = (i: number) => p.at?.[i] ?? i
  let run: number[] = []
  let last = -1
  for (const i of shown) {
    if (place(i) > last + 1) {
      if (run.length) yield {run}
      yield {cut: place(i) - last - 1}
      run = []
    }
    run.push(i)
    last = place(i)
  }
  if (run.length) yield {run}
  if (last < p.total - 1) yield {cut: p.total - 1 - last}
}

/** The length of excerptAt's text, without writing it. */
function excerptLength(p: Lines, shown: number[]): number {
  let length = -1
  for (const piece of pieces(p, shown)) {
    if ('cut' in piece) length += cutMarker(piece.cut).length + 1
    else for (const i of piece.run) length += (p.lines[i]!.length > MAX_LINE ? MAX_LINE + 2 : p.lines[i]!.length) + 1
  }
  return Math.max(length, 0)
}

/**
 * The excerpt of the shown lines (`all`: at the step that shows every line); `show`, when given,
 * turns each run of them before lines are capped.
 */
function excerptAt(p: Lines, shown: number[], all: boolean, show?: (text: string) => string): Excerpt {
  const out: string[] = []
  for (const piece of pieces(p, shown)) {
    if ('cut' in piece) out.push(cutMarker(piece.cut))
    else {
      const run = piece.run.map((i) => p.lines[i]!)
      // One push a line: a spread of 300,000 lines would overflow the stack.
      for (const line of show ? show(run.join('\n')).split('\n') : run) out.push(capped(line))
    }
  }
  // A streamed log is whole when it kept every line; a text, at the step that shows all of it.
  const whole = p.at ? shown.length === p.total : all
  return {text: out.join('\n'), totalLines: p.total, shownLines: shown.length, matters: p.matters.length, cut: whole ? 'none' : 'excerpt'}
}

function cutMarker(n: number): string {
  return `[… ${n} line${n === 1 ? '' : 's'} cut …]`
}

function* range(from: number, to: number): Generator<number> {
  for (let i = from; i < to; i++) yield i
}

/**
 * What an evidence line quotes, without the label a check put before it: "kernel log line 812:
 * DMAR: IOMMU enabled" -> "DMAR: IOMMU enabled". Short quotes would match everywhere; skip them.
 */
function evidenceNeedles(evidence: string[]): string[] {
  const needles = new Set<string>()
  for (const e of evidence) {
    const stripped = e.replace(/^[^:]{1,60}?\bline \d+:\s*/, '').replace(/^[\w./ -]{1,40}:\d+:\s*/, '')
    for (const n of [stripped, e.slice(e.indexOf(': ') + 2)]) if (n.trim().length >= 12) needles.add(n.trim().slice(0, 200))
  }
  // Enough to find every quoted line; a check that quotes thousands would make this quadratic.
  return [...needles].slice(0, 200)
}

function mattersOf(lines: string[], at: number[] | undefined, total: number, kind: SourceKind, needles: string[]): number[] {
  const telling = tellingLine(kind)
  const lastTelling = total - (TELLING_LAST_LINES[kind] ?? 0)
  const out: number[] = []
  lines.forEach((line, i) => {
    if ((telling && telling.test(line)) || needles.some((n) => line.includes(n)) || (at?.[i] ?? i) >= lastTelling) out.push(i)
  })
  return out
}
