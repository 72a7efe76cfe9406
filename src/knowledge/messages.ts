/**
 * The messages that prove a failure mode, kept as data beside its page (`knowledge/<id>.messages.yaml`):
 * the words the kernel, qemu, libvirt, Windows, Looking Glass, kvm-ok, virt-host-validate or an
 * initramfs tool print. One matcher runs them over every text the evidence holds, so a check whose
 * structured evidence is missing can still decide from a pasted line, and adding a known message is
 * an edit of that data, not of a parser.
 */
import {readdirSync} from 'node:fs'
import {join} from 'node:path'
import type {Severity} from '../engine/types.js'
import type {Source} from '../sources/types.js'
import {parseYaml, readBuilt} from './data-file.js'
import type {LineSearch} from '../parse/line-finder.js'
import {WordAutomaton} from '../parse/word-automaton.js'
import type {Finder} from '../parse/line-walk.js'
import {frontMatterById, knowledgeDir, severityOf} from './page.js'
import {byCodePoint} from '../util/order.js'

export interface KnownMessage {
  /** The knowledge id it proves. */
  id: string
  /** A JavaScript regular expression, matched case-insensitively against one line; named groups become fix values. */
  pattern: RegExp
  /** Who prints it: kernel, qemu, libvirt, windows, looking-glass, kvm-ok, virt-host-validate, initramfs, ... */
  where: string
  /** What the line proves, in words for the report. */
  proves: string
  /** A real line it matches, as people see it (shown by `explain`). */
  example: string
  severity: Severity
  /** Fix placeholders this message settles ({{setting}} for "VT-x" when the message names vmx). */
  values?: Record<string, string>
  /** A lower-case literal every matching line holds: the pattern runs only on lines that have it. */
  needle: string
}

export interface MessageHit {
  message: KnownMessage
  origin: string
  /** 1-based line in the file. */
  n: number
  text: string
  values: Record<string, string>
}

/** A hit as evidence: "paste.txt line 3: kvm: disabled by bios". */
export function messageLine(hit: MessageHit): string {
  return `${hit.origin} line ${hit.n}: ${hit.text}`
}

const FILE_SUFFIX = '.messages.yaml'
/** A line is examined this far: a pasted 10 MB line costs no more. */
const MAX_LINE = 4096
/** Hits kept per message: a flood of one line proves no more than a few. */
const MAX_HITS = 5

let loaded: KnownMessage[] | undefined

/**
 * Every known message. The build compiles the YAML files into one JSON file (COMPILED), so a run
 * of the built tool does not load a YAML parser; from source (tests) the YAML files themselves are
 * read, never a stale build.
 */
export function knownMessages(): KnownMessage[] {
  loaded ??= Object.entries(readBuilt(COMPILED, yamlEntries))
    .sort(([a], [b]) => byCodePoint(a, b))
    .flatMap(([id, entries]) => toMessages(id, entries))
  return loaded
}

/** Where the build writes every id's entries, relative to the package root. */
export const COMPILED = 'dist/bundle/messages.json'

/** Each id's entries, read from knowledge/<id>.messages.yaml. */
export function yamlEntries(): Record<string, MessageEntry[]> {
  const files = readdirSync(knowledgeDir()).filter((f) => f.endsWith(FILE_SUFFIX))
  return Object.fromEntries(files.map((f) => [f.slice(0, -FILE_SUFFIX.length), parseYaml<MessageEntry[]>(join('knowledge', f))]))
}

export interface MessageEntry {
  pattern: string
  /** A real line that the pattern matches: documentation, and a test. */
  example: string
  where: string
  proves: string
  severity?: Severity
  values?: Record<string, string>
}

/** One id's entries as messages. A malformed entry is a bug in the knowledge base, so it throws. */
export function toMessages(id: string, entries: MessageEntry[]): KnownMessage[] {
  if (!Array.isArray(entries)) throw new Error(`knowledge/${id}${FILE_SUFFIX}: not a list`)
  // From the compiled front matter: reading each page's body here cost a run 30 file reads.
  const pageSeverity = severityOf(frontMatterById()[id])
  return entries.map((e, i) => {
    if (typeof e?.pattern !== 'string' || typeof e.where !== 'string' || typeof e.proves !== 'string') throw new Error(`knowledge/${id}${FILE_SUFFIX} entry ${i + 1}: needs pattern, where and proves`)
    const needle = literalNeedle(e.pattern)
    if (needle === undefined) throw new Error(`knowledge/${id}${FILE_SUFFIX} entry ${i + 1}: the pattern needs a plain run of 4 characters outside any group and alternation`)
    if (typeof e.example !== 'string') throw new Error(`knowledge/${id}${FILE_SUFFIX} entry ${i + 1}: needs an example, a real line it matches`)
    const message: KnownMessage = {id, pattern: new RegExp(e.pattern, 'i'), where: e.where, proves: e.proves, example: e.example, severity: e.severity ?? pageSeverity, needle}
    if (e.values) message.values = e.values
    return message
  })
}

/**
 * The longest plain run of a pattern outside its groups (at least 4 characters), lower-cased: every
 * matching line holds it, so one search for all needles finds the lines worth matching. A pattern
 * that is an alternation at its top has none. Runs next to an escape, a class or a quantifier are cut
 * back so the needle is always in a matching line.
 */
export function literalNeedle(source: string): string | undefined {
  const runs: string[] = []
  let run = ''
  // Text inside a group may be optional or repeated: only runs outside every group count.
  let depth = 0
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!
    if (c === '|' && depth === 0) return undefined
    if ('*+?{'.includes(c)) run = run.slice(0, -1)
    if ('\\[]().^$*+?{}|'.includes(c)) {
      if (depth === 0) runs.push(run)
      run = ''
      if (c === '\\') i++
      else if (c === '[') i = classEnd(source, i)
      else if (c === '{') i = Math.max(i, source.indexOf('}', i))
      else if (c === ')') depth = Math.max(0, depth - 1)
      else if (c === '(') {
        depth++
        if (source[i + 1] === '?') i = source[i + 2] === '<' && /\w/.test(source[i + 3] ?? '') ? source.indexOf('>', i) : i + 2
      }
    } else run += c
  }
  runs.push(run)
  const best = runs.sort((x, y) => y.length - x.length)[0]!
  return best.length >= 4 ? best.toLowerCase() : undefined
}

/** The index of the `]` that closes the class opened at `open`. */
function classEnd(source: string, open: number): number {
  for (let i = open + 1; i < source.length; i++) {
    if (source[i] === '\\') i++
    else if (source[i] === ']' && i > open + 1) return i
  }
  return source.length
}

/** Every known message in every readable text of the evidence; a log read as a stream brings its own. */
export function scanMessages(sources: Source[], messages = knownMessages()): MessageHit[] {
  const scanner = new MessageScanner(messages)
  for (const source of sources) {
    if (source.status !== 'ok') continue
    if (source.digest) for (const hit of source.digest.read?.messages ?? []) scanner.add(hit)
    else if (source.text) scanner.feed(source.text, source.origin, source.recognised?.from ?? 1)
  }
  return scanner.hits
}

/** Finds known messages in texts fed to it, keeping MAX_HITS of each. */
export class MessageScanner {
  readonly hits: MessageHit[] = []
  private readonly counts = new Map<KnownMessage, number>()
  private readonly finder: RegExp
  private readonly needles: Needles
  /** Lines found so far: the automaton is built for a big text only, where it pays for itself. */
  private lines = 0

  constructor(private readonly messages = knownMessages()) {
    this.needles = needlesOf(messages)
    this.finder = needleFinder(this.needles.words)
  }

  /** The lines worth reading as a line search (line-finder.ts): any message's needle. */
  get search(): LineSearch {
    return {pattern: this.finder, words: this.needles.words, exact: true}
  }

  /**
   * `text` holds whole lines of `origin`, the first of them its line `firstLine`. `finder` stands for
   * the needles' pattern when a LineFinder found its lines already.
   */
  feed(text: string, origin: string, firstLine: number, finder: Finder = this.finder): void {
    const lines = new LineCounter(text, firstLine - 1)
    // One pass of one pattern over the whole text finds the few lines worth reading.
    finder.lastIndex = 0
    for (let found = finder.exec(text); found; found = finder.exec(text)) {
      const start = text.lastIndexOf('\n', found.index) + 1
      let end = text.indexOf('\n', found.index)
      if (end < 0) end = text.length
      finder.lastIndex = end + 1
      const line = text.slice(start, Math.min(end, start + MAX_LINE)).replace(/\r$/, '')
      for (const message of this.candidates(line)) {
        if (this.full(message)) continue
        const match = message.pattern.exec(line)
        if (match) this.add({message, origin, n: lines.lineOf(start), text: line.trim().slice(0, 300), values: {...message.values, ...definedGroups(match.groups)}})
      }
      if (finder.lastIndex > text.length) break
    }
  }

  /** The messages whose needle `line` holds, in their order. */
  private candidates(line: string): KnownMessage[] {
    const automaton = ++this.lines > AUTOMATON_AFTER ? automatonOf(this.needles) : undefined
    if (!automaton) {
      const lower = line.toLowerCase()
      return this.messages.filter((m) => lower.includes(m.needle))
    }
    const found = automaton.wordsIn(line).flatMap((needle) => this.needles.messagesOf[needle]!)
    return found.sort((a, b) => a - b).map((i) => this.messages[i]!)
  }

  add(hit: MessageHit): void {
    if (this.full(hit.message)) return
    this.counts.set(hit.message, (this.counts.get(hit.message) ?? 0) + 1)
    this.hits.push(hit)
  }

  private full(message: KnownMessage): boolean {
    return (this.counts.get(message) ?? 0) >= MAX_HITS
  }
}

interface Needles {
  words: string[]
  /** To tell which needles a line holds: built when first asked for; null when a needle is a word it cannot hold. */
  automaton?: WordAutomaton | null
  /** For each needle, the messages (their indices) with it. */
  messagesOf: number[][]
}

/**
 * Lines a scanner tries every message on before it asks the automaton which needles a line holds:
 * building it costs what trying every message on a few thousand lines does.
 */
const AUTOMATON_AFTER = 2000

const needlesByMessages = new WeakMap<KnownMessage[], Needles>()

/** The messages' needles, built once for a list of messages (every scanner of a run shares it). */
function needlesOf(messages: KnownMessage[]): Needles {
  let needles = needlesByMessages.get(messages)
  if (!needles) {
    const words = [...new Set(messages.map((m) => m.needle))]
    needles = {words, messagesOf: words.map((needle) => messages.flatMap((m, i) => (m.needle === needle ? [i] : [])))}
    needlesByMessages.set(messages, needles)
  }
  return needles
}

function automatonOf(needles: Needles): WordAutomaton | undefined {
  if (needles.automaton === undefined) needles.automaton = needles.words.every(WordAutomaton.holds) ? new WordAutomaton(needles.words) : null
  return needles.automaton ?? undefined
}

/** A case-insensitive pattern for any of the needles. */
function needleFinder(needles: string[]): RegExp {
  const escaped = needles.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
  return new RegExp(escaped.length ? escaped.join('|') : '(?!)', 'gi')
}

/** Line numbers for offsets visited in increasing order: each newline is counted once. */
class LineCounter {
  private at = 0
  private n: number

  constructor(
    private readonly text: string,
    offset: number,
  ) {
    this.n = offset + 1
  }

  lineOf(position: number): number {
    for (let eol = this.text.indexOf('\n', this.at); eol >= 0 && eol < position; eol = this.text.indexOf('\n', eol + 1)) {
      this.n++
      this.at = eol + 1
    }
    return this.n
  }
}

function definedGroups(groups: Record<string, string | undefined> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(groups ?? {}).filter((e): e is [string, string] => e[1] !== undefined))
}
