/**
 * A kernel log pasted as `dmesg | grep -i dmar` is an excerpt: every line the filter lets through is
 * there, and no other. So a line the filter would show, and that is missing, was never printed. This
 * reads the filter from the command on the prompt line, for the grep forms people paste.
 */

/** One `grep` stage of a pipeline: the lines it keeps. */
export interface GrepStage {
  patterns: string[]
  ignoreCase: boolean
  invert: boolean
  word: boolean
}

/** What the pipeline after the log command keeps: every stage must let a line through. */
export interface LineFilter {
  command: string
  stages: GrepStage[]
}

const LOG_COMMAND = /^(?:sudo\s+)?(?:dmesg|journalctl)\b/
/** Short options that keep matching lines whole; -m, -o, -c, -l and the like change what is printed. */
const LINE_OPTIONS = /^-[EGFPiwnsHhv]+$/
const LONG_OPTIONS = /^--(?:colou?r(?:=\w+)?|ignore-case|extended-regexp|word-regexp|line-number|invert-match)$/

/**
 * The filter of `dmesg [opts] | grep [opts] PATTERN [| grep ...]`, or undefined for any other
 * pipeline (a `head`, `tail`, `-m 5` or `-o` changes which lines are there: no absence means anything).
 */
export function grepFilterOf(command: string): LineFilter | undefined {
  const stages = pipelineStages(command)
  if (!stages) return undefined
  if (stages.length < 2 || !LOG_COMMAND.test(stages[0]!.trim())) return undefined
  const greps: GrepStage[] = []
  for (const stage of stages.slice(1)) {
    const grep = grepStage(stage.trim())
    if (!grep) return undefined
    greps.push(grep)
  }
  return {command, stages: greps}
}

function grepStage(stage: string): GrepStage | undefined {
  const words = shellWords(stage)
  if (!words || !/^(?:grep|egrep)$/.test(words[0] ?? '')) return undefined
  const options = words.filter((w) => w.startsWith('-'))
  const has = (letter: string, long: string) => options.some((o) => (LINE_OPTIONS.test(o) && o.includes(letter)) || o === long)
  const grep: GrepStage = {patterns: [], ignoreCase: has('i', '--ignore-case'), invert: has('v', '--invert-match'), word: has('w', '--word-regexp')}
  const fixed = has('F', '--fixed-strings')
  const extended = words[0] === 'egrep' || has('E', '--extended-regexp') || has('P', '--perl-regexp')
  for (let i = 1; i < words.length; i++) {
    const word = words[i]!
    if (word === '-e' || word === '--regexp') {
      const next = words[++i]
      if (next === undefined) return undefined
      grep.patterns.push(next)
    } else if (/^-[ABC]$/.test(word)) i++ // context lines only add lines
    else if (word.startsWith('-')) {
      if (!LINE_OPTIONS.test(word) && !LONG_OPTIONS.test(word) && !/^-[ABC]\d+$/.test(word)) return undefined
    } else if (grep.patterns.length === 0) grep.patterns.push(word)
    else return undefined // a file name: grep reads it, not the log
  }
  if (grep.patterns.length === 0) return undefined
  if (fixed) grep.patterns = grep.patterns.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
  else if (!extended) grep.patterns = grep.patterns.map(basicToExtended)
  grep.patterns = grep.patterns.map((p) => p.replace(/\\[<>]/g, '\\b'))
  return grep.patterns.every(safePattern) ? grep : undefined
}

/** A basic regular expression (grep without -E) in extended syntax: `\(` groups, a bare `(` is a character. */
function basicToExtended(pattern: string): string {
  let out = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!
    if (c === '\\' && i + 1 < pattern.length) {
      const next = pattern[++i]!
      out += '(){}+?|'.includes(next) ? next : `\\${next}`
    } else out += '(){}+?|'.includes(c) ? `\\${c}` : c
  }
  return out
}

/** The `|` stages of a command line, quotes honoured; undefined for `||` or an open quote. */
function pipelineStages(command: string): string[] | undefined {
  const stages: string[] = []
  let quote: string | undefined
  let current = ''
  for (const c of command) {
    if (quote) {
      if (c === quote) quote = undefined
    } else if (c === "'" || c === '"') quote = c
    else if (c === '|') {
      if (current.trim() === '') return undefined
      stages.push(current.trim())
      current = ''
      continue
    }
    current += c
  }
  if (quote || current.trim() === '') return undefined
  return [...stages, current.trim()]
}

/** Splits on blanks, honouring '…' and "…" quotes; undefined when a quote is left open. */
function shellWords(text: string): string[] | undefined {
  const words: string[] = []
  for (const m of text.matchAll(/'([^']*)'|"((?:\\.|[^"\\])*)"|(\S+)|(['"])/g)) {
    if (m[4] !== undefined) return undefined
    words.push(m[1] ?? m[2]?.replace(/\\(.)/g, '$1') ?? m[3]!)
  }
  return words
}

/**
 * A pattern that compiles and cannot backtrack without bound: a quantified group (`(a+)+`) is
 * refused, as no pasted grep needs one.
 */
function safePattern(pattern: string): boolean {
  if (pattern.length > 200 || /\)[*+?{]/.test(pattern)) return false
  try {
    new RegExp(pattern)
    return true
  } catch {
    return false
  }
}

/** Whether the filter lets `line` (a kernel message as dmesg prints it) through. */
export function filterShows(filter: LineFilter, line: string): boolean {
  return filter.stages.every((stage) => {
    const hit = stage.patterns.some((p) => new RegExp(stage.word ? `\\b(?:${p})\\b` : p, stage.ignoreCase ? 'i' : '').test(line))
    return hit !== stage.invert
  })
}
