import {hostname, userInfo} from 'node:os'
import type {Report} from '../report/model.js'
import type {Source, SourceKind, SourceSet} from '../sources/types.js'
import {HOME_PATH, HOST_CONTEXTS, learnNames} from './learn.js'
import {Redactor} from './redactor.js'

export {Redactor} from './redactor.js'

/** Sources whose words are the kernel's, not the person's: a learnt name found there is a word. */
const VOCABULARY_KINDS: SourceKind[] = ['kernelLog', 'lspci', 'cpuinfo', 'modules', 'pciSysfs']

/**
 * A redactor for one run: it learns the names the evidence gives away (and, on a live run, this
 * machine's own host and user names), so every output of the run uses the same pseudonyms.
 */
export function redactorFor(set: SourceSet): Redactor {
  const texts = set.sources.flatMap((s) => [s.origin, s.text ?? ''])
  const names = learnNames(texts, set.mode === 'live' ? liveNames() : {})
  return new Redactor(names, wordsAmong([...names.users, ...names.hosts], set.sources))
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
  const names = learnNames(texts, set.mode === 'live' ? liveNames() : {})
  return new Redactor(names, wordsAmong([...names.users, ...names.hosts], small))
}

function liveNames(): {hosts: string[]; users: string[]} {
  const users = [process.env.SUDO_USER, safe(() => userInfo().username)].filter((u): u is string => !!u)
  return {hosts: [safe(hostname)].filter((h): h is string => !!h), users}
}

function safe(f: () => string): string | undefined {
  try {
    return f()
  } catch {
    return undefined
  }
}

/**
 * Names that the kernel's own text uses as plain words ("max UDMA/133", "display"): replacing
 * them everywhere would garble the evidence, so they are replaced only where they are names.
 */
function wordsAmong(names: string[], sources: Source[]): Set<string> {
  const vocabulary = sources
    .filter((s) => VOCABULARY_KINDS.includes(s.kind) && s.text)
    .map((s) => [HOME_PATH, ...HOST_CONTEXTS].reduce((t, re) => t.replace(re, '$1'), s.text!))
  const words = new Set<string>()
  for (const name of names) {
    const re = new RegExp(`(?<![\\w-])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`, 'i')
    if (vocabulary.some((t) => re.test(t))) words.add(name.toLowerCase())
  }
  return words
}

export function redactSourceSet(set: SourceSet, redactor: Redactor): SourceSet {
  return {...set, sources: set.sources.map((s) => redactStrings(s, redactor))}
}

export function redactReport(report: Report, redactor: Redactor): Report {
  return redactStrings(report, redactor)
}

/** Every string in a plain-data value, redacted; keys and structure stay. */
function redactStrings<T>(value: T, redactor: Redactor): T {
  if (typeof value === 'string') return redactor.redact(value) as T
  if (Array.isArray(value)) return value.map((v) => redactStrings(v, redactor)) as T
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'kind' || k === 'status' ? v : redactStrings(v, redactor)])) as T
  }
  return value
}
