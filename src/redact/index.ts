import {hostname, userInfo} from 'node:os'
import type {Report} from '../report/model.js'
import type {KeptLine} from '../sources/log-digest.js'
import type {Source, SourceSet} from '../sources/types.js'
import {learnNames, mergeNames, NO_NAMES, type KnownNames} from './learn.js'
import {Redactor} from './redactor.js'

export {Redactor} from './redactor.js'

/**
 * A redactor for one run: it learns the names the evidence gives away (and, on a live run, this
 * machine's own host and user names), so every output of the run uses the same pseudonyms.
 */
export function redactorFor(set: SourceSet): Redactor {
  const texts = set.sources.flatMap((s) => [s.origin, s.text ?? ''])
  return new Redactor(learnNames(texts, knownNames(set)))
}

/** Names learnt before the texts are read: this machine's own on a live run, and what each log read as a stream learnt. */
function knownNames(set: SourceSet): KnownNames {
  const streamed = set.sources.flatMap((s) => (s.digest?.read ? [s.digest.read.names] : []))
  return [set.mode === 'live' ? liveNames() : NO_NAMES, ...streamed].reduce(mergeNames, NO_NAMES)
}

/** Sources larger than this teach no names to a report-only redactor: their quoted lines are in the report. */
const REPORT_LEARN_LIMIT = 1024 * 1024

/**
 * A redactor for outputs that carry the report but no raw sources (text, JSON, JUnit): it learns
 * from the report's own strings and the small sources, so a 50 MB kernel log costs nothing here.
 */
export function redactorForReport(report: Report, set: SourceSet): Redactor {
  const small = set.sources.filter((s) => (s.text?.length ?? 0) <= REPORT_LEARN_LIMIT)
  const texts = [JSON.stringify(report), ...small.flatMap((s) => [s.origin, s.text ?? ''])]
  return new Redactor(learnNames(texts, knownNames(set)))
}

function liveNames(): KnownNames {
  const users = [process.env.SUDO_USER, safe(() => userInfo().username)].filter((u): u is string => !!u)
  return {hosts: [safe(hostname)].filter((h): h is string => !!h), users, ssids: []}
}

function safe(f: () => string): string | undefined {
  try {
    return f()
  } catch {
    return undefined
  }
}

/** The sources as a report or capture shows them, redacted; of a streamed log, the lines it kept. */
export function redactSourceSet(set: SourceSet, redactor: Redactor): SourceSet {
  return {
    ...set,
    sources: set.sources.map(({digest, ...s}) => {
      const source = redactStrings(s, redactor)
      return digest ? {...source, digest: {lineCount: digest.lineCount, bytes: digest.bytes, kept: redactKept(digest.kept, redactor)}} : source
    }),
  }
}

/**
 * A source's names, reasons and hints redacted, its text left for a report to redact where it shows
 * it (src/report/excerpt.ts redacts each run of lines it shows). A private key block is the one
 * secret that spans lines, and an excerpt may cut it: a text holding one is redacted whole first.
 */
export function redactSourceLabels(source: Source, redactor: Redactor): Source {
  const {text, digest, ...labels} = source
  const redacted: Source = redactStrings(labels, redactor)
  const keyIn = (t: string) => PRIVATE_KEY_BEGIN.test(t)
  if (text !== undefined) redacted.text = keyIn(text) ? redactor.redact(text) : text
  if (digest) redacted.digest = digest.kept.some((l) => keyIn(l.text)) ? {...digest, kept: redactKept(digest.kept, redactor)} : digest
  return redacted
}

const PRIVATE_KEY_BEGIN = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/

/**
 * A streamed log's kept lines, redacted run by run (consecutive lines as one text), so what spans
 * lines (a private key block) is seen whole. A run the redactor shortened keeps its first line's
 * number; its lines follow on.
 */
function redactKept(kept: KeptLine[], redactor: Redactor): KeptLine[] {
  const out: KeptLine[] = []
  for (let i = 0; i < kept.length; ) {
    let end = i + 1
    while (end < kept.length && kept[end]!.n === kept[end - 1]!.n + 1) end++
    const lines = redactor.redact(kept.slice(i, end).map((l) => l.text).join('\n')).split('\n')
    lines.forEach((text, j) => out.push({n: kept[i]!.n + j, text}))
    i = end
  }
  return out
}

export function redactReport(report: Report, redactor: Redactor): Report {
  return redactStrings(report, redactor)
}

/** Every string in a plain-data value, redacted; keys and structure stay. */
function redactStrings<T>(value: T, redactor: Redactor): T {
  if (typeof value === 'string') return redactor.redact(value) as T
  if (Array.isArray(value)) return value.map((v) => redactStrings(v, redactor)) as T
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'kind' || k === 'status' || k === 'change' ? v : redactStrings(v, redactor)])) as T
  }
  return value
}
