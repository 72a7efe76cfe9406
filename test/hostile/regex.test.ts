/**
 * Every regular expression in src and in the knowledge base (messages and kernel-log signals), run over the inputs that make a
 * backtracking matcher go super-linear: long runs of one character (whitespace, newlines, word
 * characters, slashes …), the pattern's own literal text repeated, 1 MB lines, and recheck's attack
 * for the pattern (test/hostile/regex-attacks.json, kept by `npm run regex-attacks`) pumped to 1 MB.
 * A linear pattern reads 64 KiB in well under a millisecond; a quadratic one needs seconds, a cubic
 * one hours. Each run happens in a worker thread, timed there and terminated when it runs far past
 * the budget, so a bad pattern fails the test instead of hanging it.
 */
import {fileURLToPath} from 'node:url'
import {Worker} from 'node:worker_threads'
import {describe, expect, it} from 'vitest'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {ATTACKS_FILE, type AttackEntry, patternKey} from '../helpers/regex-attacks.js'
import {everyPattern} from '../helpers/regex-literals.js'
import {repoRoot} from '../helpers/paths.js'

interface InputSpec {
  /** Written once before the repeated unit. */
  start?: string
  unit: string
  bytes: number
  end: string
}

const ATTACKS = JSON.parse(readFileSync(join(repoRoot, ATTACKS_FILE), 'utf8')) as Record<string, AttackEntry>

const KIB = 1024
/** A single character, repeated, then a newline and a character almost nothing matches, so the match must fail late. */
const END = '\n\u0001'
const RUN_CHARS = [' ', '\t', '\n', ' \t', ' \n', '\r\n', 'a', 'A', '0', '_', '-', '.', '/', ':', '=', ',', ';', '(', ')', '[', ']', '<', '>', '{', '"', "'", '@', '#', '$', '\\', '*', '\u00e9']

/** The literal stretches of a pattern ("Could not open '", "': "), to repeat as prefixes. */
function literalPieces(source: string): string[] {
  const pieces: string[] = []
  let piece = ''
  const cut = () => {
    if (piece.length >= 2) pieces.push(piece)
    piece = ''
  }
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!
    if (c === '\\') {
      const next = source[++i] ?? ''
      if (/[dDwWsSbBpPkux0-9cf]/.test(next)) cut()
      else piece += next === 'n' ? '\n' : next === 't' ? '\t' : next === 'r' ? '\r' : next
    } else if (c === '[') {
      cut()
      while (i < source.length && source[i] !== ']') i += source[i] === '\\' ? 2 : 1
    } else if (c === '(' && source[i + 1] === '?') {
      cut()
      i += source[i + 2] === '<' && /[=!]/.test(source[i + 3] ?? '') ? 3 : source[i + 2] === '<' ? source.indexOf('>', i) - i : 2
    } else if (c === '{') {
      cut()
      i = Math.max(i, source.indexOf('}', i))
    } else if ('()|^$.*+?'.includes(c)) {
      // A quantifier makes the character before it optional: the piece ends before it.
      if ('*+?'.includes(c)) piece = piece.slice(0, -1)
      cut()
    } else piece += c
  }
  cut()
  return [...new Set(pieces)]
}

function inputsFor(source: string, flags: string): InputSpec[] {
  const pieces = literalPieces(source)
  const inputs: InputSpec[] = RUN_CHARS.map((unit) => ({unit, bytes: 64 * KIB, end: END}))
  for (const piece of pieces) {
    inputs.push({unit: piece, bytes: 64 * KIB, end: END}, {unit: `${piece} `, bytes: 64 * KIB, end: END}, {unit: `${piece}\n`, bytes: 64 * KIB, end: END})
  }
  if (pieces.length > 1) inputs.push({unit: pieces.join(''), bytes: 64 * KIB, end: END}, {unit: pieces.join(' '), bytes: 64 * KIB, end: END})
  for (const unit of ['a', ' ', '0', 'x y=1 ', '01:00.0 [10de:1b81] '] as const) inputs.push({unit, bytes: 1024 * KIB, end: '\u0001'})
  // recheck's attack: every pump but the last written a few times, the last one filling the megabyte.
  const attack = ATTACKS[patternKey(source, flags)]?.attack
  if (attack) {
    const pumps = attack.pumps
    const start = pumps.slice(0, -1).map((p) => p.prefix + p.pump.repeat(Math.ceil(64 * KIB / p.pump.length))).join('') + pumps.at(-1)!.prefix
    inputs.push({start, unit: pumps.at(-1)!.pump, bytes: 1024 * KIB, end: attack.suffix})
  }
  return inputs
}

const budgetMs = (spec: InputSpec) => (spec.bytes > 64 * KIB ? 2_000 : 300)
const show = (spec: InputSpec) => `${JSON.stringify(spec.unit)} x ${spec.bytes / KIB} KiB`

/**
 * The first input on which `source` outran its budget twice in a row (the worker is replaced after
 * each overrun): once may be a busy machine, twice on the same input is the pattern.
 */
async function slowInputs(worker: {current: Worker}, source: string, flags: string, from = 0): Promise<string | undefined> {
  const inputs = inputsFor(source, flags).slice(from)
  const over = await firstOverrun(worker, source, flags, inputs)
  if (over === undefined) return undefined
  const again = await firstOverrun(worker, source, flags, [inputs[over]!])
  if (again !== undefined) return `over ${budgetMs(inputs[over]!)} ms, twice, on ${show(inputs[over]!)}`
  return slowInputs(worker, source, flags, from + over + 1)
}

/**
 * The index of the first input that outran its budget, as the worker timed it (its start-up does
 * not count); a match still running at ten times the budget is stopped and counts too.
 */
function firstOverrun(worker: {current: Worker}, source: string, flags: string, inputs: InputSpec[]): Promise<number | undefined> {
  return new Promise((resolve) => {
    let done = 0
    let timer: NodeJS.Timeout
    const stop = (result: number | undefined) => {
      clearTimeout(timer)
      worker.current.removeAllListeners('message')
      if (result !== undefined) {
        void worker.current.terminate()
        worker.current = new Worker(WORKER)
      }
      resolve(result)
    }
    const arm = () => {
      clearTimeout(timer)
      timer = setTimeout(() => stop(done), 10 * budgetMs(inputs[done]!))
    }
    worker.current.on('message', (ms: number) => {
      if (ms > budgetMs(inputs[done]!)) stop(done)
      else if (++done === inputs.length) stop(undefined)
      else arm()
    })
    arm()
    worker.current.postMessage({source, flags, inputs})
  })
}

const WORKER = fileURLToPath(new URL('regex-worker.mjs', import.meta.url))

describe('regular expressions on long runs of whitespace, repeated prefixes and 1 MB lines', () => {
  it('finds the literal stretches of a pattern', () => {
    expect(literalPieces("Could not open '([^']*)': (.+)$")).toEqual(["Could not open '", "': "])
    expect(literalPieces('\\bip=(?:[^:\\s]*:){4}')).toEqual(['ip='])
    expect(literalPieces('(?<![\\w.])BAR (\\d+)\\/x')).toEqual(['BAR ', '/x'])
  })

  it('every pattern in src and in the knowledge base stays linear', async () => {
    const patterns = everyPattern(repoRoot)
    expect(patterns.length).toBeGreaterThan(500)
    const unanalysed = [...new Set(patterns.filter((p) => !(patternKey(p.source, p.flags) in ATTACKS)).map((p) => p.at))]
    expect(unanalysed, `no entry in ${ATTACKS_FILE}: run npm run regex-attacks`).toEqual([])
    const worker = {current: new Worker(WORKER)}
    const slow: string[] = []
    try {
      for (const p of patterns) {
        const over = await slowInputs(worker, p.source, p.flags)
        if (over) slow.push(`${p.at} /${p.source}/${p.flags}: ${over}`)
      }
    } finally {
      await worker.current.terminate()
    }
    expect(slow).toEqual([])
  }, 900_000)
})
