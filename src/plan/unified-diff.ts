/**
 * A unified diff (`diff -u` format, three lines of context) that `patch` applies: the longest common
 * subsequence of lines after the common head and tail are set aside. Domain XMLs are a few hundred
 * lines, so the quadratic table stays small; past a limit the middle is one replaced block.
 */

const CONTEXT = 3
const MAX_CELLS = 16_000_000
const NO_NEWLINE = '\\ No newline at end of file'
/** Marks a last line without its newline, so it never matches the same text with one. */
const UNTERMINATED = '\u0000'

type Op = {kind: ' ' | '-' | '+'; line: string; oldEnd: boolean; newEnd: boolean}

export function unifiedDiff(oldText: string, newText: string, oldName: string, newName: string): string {
  if (oldText === newText) return ''
  const a = splitLines(oldText)
  const b = splitLines(newText)
  const ops = diffLines(a.lines, b.lines)
  // Mark the last line of each side, for "\ No newline at end of file".
  let ai = 0
  let bi = 0
  for (const op of ops) {
    if (op.kind !== '+') op.oldEnd = ++ai === a.lines.length && !a.finalNewline
    if (op.kind !== '-') op.newEnd = ++bi === b.lines.length && !b.finalNewline
  }
  return [`--- ${oldName}`, `+++ ${newName}`, ...hunks(ops)].join('\n') + '\n'
}

function splitLines(text: string): {lines: string[]; finalNewline: boolean} {
  if (text === '') return {lines: [], finalNewline: true}
  const finalNewline = text.endsWith('\n')
  const lines = (finalNewline ? text.slice(0, -1) : text).split('\n')
  if (!finalNewline) lines[lines.length - 1] += UNTERMINATED
  return {lines, finalNewline}
}

function diffLines(a: string[], b: string[]): Op[] {
  let head = 0
  while (head < a.length && head < b.length && a[head] === b[head]) head++
  let tail = 0
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++
  const op = (kind: Op['kind'], line: string): Op => ({kind, line, oldEnd: false, newEnd: false})
  const middleA = a.slice(head, a.length - tail)
  const middleB = b.slice(head, b.length - tail)
  return [...a.slice(0, head).map((l) => op(' ', l)), ...lcsOps(middleA, middleB, op), ...a.slice(a.length - tail).map((l) => op(' ', l))]
}

function lcsOps(a: string[], b: string[], op: (kind: Op['kind'], line: string) => Op): Op[] {
  const n = a.length
  const m = b.length
  if ((n + 1) * (m + 1) > MAX_CELLS) return [...a.map((l) => op('-', l)), ...b.map((l) => op('+', l))]
  // lengths[i][j]: LCS of a[i..] and b[j..].
  const width = m + 1
  const lengths = new Uint32Array((n + 1) * width)
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lengths[i * width + j] = a[i] === b[j] ? lengths[(i + 1) * width + j + 1]! + 1 : Math.max(lengths[(i + 1) * width + j]!, lengths[i * width + j + 1]!)
    }
  }
  const ops: Op[] = []
  let i = 0
  let j = 0
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push(op(' ', a[i++]!))
      j++
    } else if (lengths[(i + 1) * width + j]! >= lengths[i * width + j + 1]!) ops.push(op('-', a[i++]!))
    else ops.push(op('+', b[j++]!))
  }
  while (i < n) ops.push(op('-', a[i++]!))
  while (j < m) ops.push(op('+', b[j++]!))
  return ops
}

/** Groups changes with CONTEXT lines around them; changes closer than 2*CONTEXT share a hunk. */
function hunks(ops: Op[]): string[] {
  const changed = ops.flatMap((o, k) => (o.kind === ' ' ? [] : [k]))
  const out: string[] = []
  let k = 0
  while (k < changed.length) {
    const from = Math.max(0, changed[k]! - CONTEXT)
    let last = changed[k]!
    while (k + 1 < changed.length && changed[k + 1]! - last <= 2 * CONTEXT) last = changed[++k]!
    k++
    const to = Math.min(ops.length, last + CONTEXT + 1)
    out.push(...hunk(ops, from, to))
  }
  return out
}

function hunk(ops: Op[], from: number, to: number): string[] {
  const before = ops.slice(0, from)
  const oldStart = before.filter((o) => o.kind !== '+').length + 1
  const newStart = before.filter((o) => o.kind !== '-').length + 1
  const body = ops.slice(from, to)
  const oldCount = body.filter((o) => o.kind !== '+').length
  const newCount = body.filter((o) => o.kind !== '-').length
  const lines = [`@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@`]
  for (const o of body) {
    lines.push(`${o.kind}${o.line.replace(UNTERMINATED, '')}`)
    if ((o.kind === '-' && o.oldEnd) || (o.kind === '+' && o.newEnd) || (o.kind === ' ' && (o.oldEnd || o.newEnd))) lines.push(NO_NEWLINE)
  }
  return lines
}

/** diff's ranges: "start,count", "start" for one line, and "start-1,0" for none. */
function range(start: number, count: number): string {
  if (count === 0) return `${start - 1},0`
  return count === 1 ? `${start}` : `${start},${count}`
}
