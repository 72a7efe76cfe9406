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
  const render = (i: number): Excerpt => excerptAt(prepared[i]!, step[i]!)
  const current = prepared.map((p, i) => (step[i]! >= STEPS.length ? omitted(p) : render(i)))
  const size = (e: Excerpt) => (e.cut === 'omitted' ? 0 : e.text.length + overhead)
  let total = current.reduce((n, e) => n + size(e), 0)
  while (total > budget) {
    let largest = -1
    for (let i = 0; i < current.length; i++) if (current[i]!.cut !== 'omitted' && (largest < 0 || size(current[i]!) > size(current[largest]!))) largest = i
    if (largest < 0) break
    const before = size(current[largest]!)
    step[largest]!++
    current[largest] = step[largest]! >= STEPS.length ? omitted(prepared[largest]!) : render(largest)
    total += size(current[largest]!) - before
  }
  return show ? current.map((e, i) => (e.cut === 'omitted' ? e : excerptAt(prepared[i]!, step[i]!, show))) : current
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

/** The excerpt at a step; `show`, when given, turns each run of shown lines before lines are capped. */
function excerptAt(p: Lines, step: number, show?: (text: string) => string): Excerpt {
  const {lines, matters, total} = p
  const place = (i: number) => p.at?.[i] ?? i
  const context = STEPS[step]!
  const capped = (l: string) => (l.length > MAX_LINE ? `${l.slice(0, MAX_LINE)} …` : l)
  const shownRun = (run: string[]) => (show && run.length > 0 ? show(run.join('\n')).split('\n') : run).map(capped)
  if (context === Infinity && !p.at) return {text: shownRun(lines).join('\n'), totalLines: total, shownLines: total, matters: matters.length, cut: 'none'}
  // With nothing that matters, the start and the end of a log still tell the most.
  const ends = [...range(0, Math.min(EXCERPT_ENDS, lines.length)), ...range(Math.max(0, lines.length - EXCERPT_ENDS), lines.length)]
  const anchors = context === Infinity ? [...range(0, lines.length)] : matters.length ? (context < 0 ? matters.slice(0, FIRST_MATTERS) : matters) : ends
  const shown = new Set<number>()
  const width = context === Infinity ? 0 : Math.max(0, context)
  for (const a of anchors) {
    shown.add(a)
    for (let i = a - 1; i >= 0 && place(i) >= place(a) - width; i--) shown.add(i)
    for (let i = a + 1; i < lines.length && place(i) <= place(a) + width; i++) shown.add(i)
  }
  const out: string[] = []
  let run: string[] = []
  let last = -1
  for (const i of [...shown].sort((a, b) => a - b)) {
    if (place(i) > last + 1) {
      out.push(...shownRun(run), cutMarker(place(i) - last - 1))
      run = []
    }
    run.push(lines[i]!)
    last = place(i)
  }
  out.push(...shownRun(run))
  if (last < total - 1) out.push(cutMarker(total - 1 - last))
  const cut = p.at && shown.size === total ? 'none' : 'excerpt'
  return {text: out.join('\n'), totalLines: total, shownLines: shown.size, matters: matters.length, cut}
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
