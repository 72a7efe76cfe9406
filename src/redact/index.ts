import {hostname, userInfo} from 'node:os'
import type {Report} from '../report/model.js'
import type {SourceSet} from '../sources/types.js'
import {learnNames} from './learn.js'
import {Redactor} from './redactor.js'

export {Redactor} from './redactor.js'

/**
 * A redactor for one run: it learns the names the evidence gives away (and, on a live run, this
 * machine's own host and user names), so every output of the run uses the same pseudonyms.
 */
export function redactorFor(set: SourceSet): Redactor {
  const texts = set.sources.flatMap((s) => [s.origin, s.text ?? ''])
  const names = learnNames(texts, set.mode === 'live' ? liveNames() : {})
  return new Redactor(names)
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
  return new Redactor(names)
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
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'kind' || k === 'status' || k === 'change' ? v : redactStrings(v, redactor)])) as T
  }
  return value
}
