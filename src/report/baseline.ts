import {readRegularFile} from '../sources/regular-file.js'
import {UsageError} from '../util/errors.js'
import {findingIdentity} from './identity.js'
import type {Report, ReportFinding} from './model.js'

/** A baseline is a JSON report: a few hundred kilobytes; past this it is not one. */
export const MAX_BASELINE_BYTES = 64 * 1024 * 1024

type BaselineFinding = Pick<ReportFinding, 'id' | 'evidence'> & Partial<ReportFinding>

/** The findings of an earlier run, per host name; `only` when the report was of a single host (it has no name). */
export interface Baseline {
  hosts: Map<string, BaselineFinding[]>
  only?: BaselineFinding[]
}

/** Reads `--baseline FILE`: a JSON report of one host, or of several (`hosts[]`). Anything else is one line and exit 2. */
export async function readBaseline(file: string): Promise<Baseline> {
  const bytes = await readRegularFile(file, {maxBytes: MAX_BASELINE_BYTES}).catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(`--baseline ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.code === 'EFBIG' ? `larger than ${MAX_BASELINE_BYTES / 1024 / 1024} MiB: not a report` : err.message}`)
  })
  let data: unknown
  try {
    data = JSON.parse(bytes.toString('utf8'))
  } catch {
    throw new UsageError(`--baseline ${file}: not JSON (give it an earlier \`vfio-doctor check --format json\` report)`)
  }
  const notReport = () => new UsageError(`--baseline ${file}: not a vfio-doctor JSON report (it needs findings[] or hosts[])`)
  if (!isObject(data)) throw notReport()
  if (Array.isArray(data.hosts)) {
    const hosts = new Map<string, BaselineFinding[]>()
    for (const host of data.hosts) {
      if (!isObject(host) || typeof host.name !== 'string' || !isObject(host.report)) throw notReport()
      hosts.set(host.name, findingsOf(host.report, notReport))
    }
    return {hosts}
  }
  return {hosts: new Map(), only: findingsOf(data, notReport)}
}

function findingsOf(report: Record<string, unknown>, notReport: () => Error): BaselineFinding[] {
  if (!Array.isArray(report.findings)) throw notReport()
  return report.findings.map((f) => {
    if (!isObject(f) || typeof f.id !== 'string' || !Array.isArray(f.evidence) || !f.evidence.every((e) => typeof e === 'string')) throw notReport()
    if (f.subject !== undefined && typeof f.subject !== 'string') throw notReport()
    return f as BaselineFinding
  })
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** The earlier findings of one host of this run: by its name, or those of a one-host baseline (check.ts allows that for a one-host run only). */
export function baselineFor(baseline: Baseline, name: string): BaselineFinding[] | undefined {
  return baseline.hosts.get(name) ?? baseline.only
}

/**
 * Each finding marked new or unchanged against the earlier ones, and the earlier ones no longer
 * found listed as gone. `alsoKnownAs` gives a finding's identity as a redacted report wrote it, so
 * a redacted baseline (the default JSON) matches this run's findings before redaction.
 */
export function compareWithBaseline(report: Report, earlier: BaselineFinding[], alsoKnownAs: (f: ReportFinding) => string = findingIdentity): Report {
  const before = new Map<string, number>()
  for (const f of earlier) before.set(findingIdentity(f), (before.get(findingIdentity(f)) ?? 0) + 1)
  const take = (key: string) => {
    const n = before.get(key) ?? 0
    if (n > 0) before.set(key, n - 1)
    return n > 0
  }
  const findings = report.findings.map((f): ReportFinding => ({...f, change: take(findingIdentity(f)) || take(alsoKnownAs(f)) ? 'unchanged' : 'new'}))
  const gone = earlier.filter((f) => take(findingIdentity(f))).map(goneFinding)
  const count = (c: ReportFinding['change']) => findings.filter((f) => f.change === c).length
  return {...report, findings, baseline: {new: count('new'), unchanged: count('unchanged'), gone}}
}

/** An earlier finding as the report lists it, with only the fields a report finding has. */
function goneFinding(f: BaselineFinding): ReportFinding {
  const text = (v: unknown, or: string) => (typeof v === 'string' ? v : or)
  const severity = f.severity === 'error' || f.severity === 'warning' || f.severity === 'info' ? f.severity : 'error'
  return {
    id: f.id,
    severity,
    title: text(f.title, f.id),
    message: text(f.message, f.id),
    check: text(f.check, f.id),
    ...(typeof f.subject === 'string' ? {subject: f.subject} : {}),
    evidence: f.evidence,
    fix: {},
  }
}
