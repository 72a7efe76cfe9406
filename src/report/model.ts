import {AREAS, type Area, type CheckResult, type Finding, type Severity} from '../engine/types.js'
import type {Facts} from '../facts/types.js'
import {fixFor, loadPage} from '../knowledge/page.js'
import type {Source, SourceSet} from '../sources/types.js'
import {toolVersion} from '../util/version.js'

export const SCHEMA_VERSION = 1

export interface ReportFinding {
  id: string
  severity: Severity
  title: string
  message: string
  check: string
  subject?: string
  evidence: string[]
  fix: {nixos?: string; other?: string}
}

export interface Report {
  schemaVersion: number
  tool: {name: 'vfio-doctor'; version: string}
  host: {
    mode: 'live' | 'input'
    os?: string
    nixos: boolean
    kernel?: string
    cpu?: string
    virtualization?: string
  }
  sources: Array<Omit<Source, 'text' | 'digest'> & {bytes?: number}>
  checks: Array<Omit<CheckResult, 'findings'> & {findings: number}>
  findings: ReportFinding[]
  summary: {
    errors: number
    warnings: number
    infos: number
    passed: number
    failed: number
    warned: number
    skipped: number
    crashed: number
  }
}

export function buildReport(set: SourceSet, facts: Facts, results: CheckResult[]): Report {
  const findings = results.flatMap((r) => r.findings.map(toReportFinding))
  const count = (s: CheckResult['status']) => results.filter((r) => r.status === s).length
  const sev = (s: Severity) => findings.filter((f) => f.severity === s).length
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: {name: 'vfio-doctor', version: toolVersion()},
    host: hostOf(facts),
    sources: set.sources.map(({text, digest, command: _command, ...rest}) => {
      const bytes = digest?.bytes ?? (text === undefined ? undefined : Buffer.byteLength(text))
      return bytes === undefined ? rest : {...rest, bytes}
    }),
    checks: results.map(({findings: list, ...rest}) => ({...rest, findings: list.length})),
    findings,
    summary: {
      errors: sev('error'),
      warnings: sev('warning'),
      infos: sev('info'),
      passed: count('passed'),
      failed: count('failed'),
      warned: count('warned'),
      skipped: count('skipped'),
      crashed: count('crashed'),
    },
  }
}

function toReportFinding(f: Finding): ReportFinding {
  const page = loadPage(f.id)
  const out: ReportFinding = {
    id: f.id,
    severity: f.severity,
    title: page?.title ?? f.id,
    message: f.message,
    check: f.check,
    evidence: f.evidence,
    fix: fixFor(f.id, f.values),
  }
  if (f.subject) out.subject = f.subject
  return out
}

function hostOf(facts: Facts): Report['host'] {
  const host: Report['host'] = {mode: facts.mode, nixos: facts.os?.id === 'nixos' || facts.nixos !== undefined}
  const os = facts.os?.prettyName ?? facts.os?.name
  if (os) host.os = os
  if (facts.kernel) host.kernel = facts.kernel.release
  if (facts.cpu) host.cpu = facts.cpu.model ?? facts.cpu.vendor
  if (facts.virt) host.virtualization = facts.virt.kind === 'none' ? 'none' : `${facts.virt.kind}${facts.virt.name ? ` (${facts.virt.name})` : ''}`
  return host
}

export type FailOn = Severity | 'never'

/** 0: nothing at or above --fail-on; 1: findings at or above it, or a check crashed. */
export function exitCodeOf(report: Report, failOn: FailOn): 0 | 1 {
  if (report.summary.crashed > 0 && failOn !== 'never') return 1
  const {errors, warnings, infos} = report.summary
  if (failOn === 'error') return errors > 0 ? 1 : 0
  if (failOn === 'warning') return errors + warnings > 0 ? 1 : 0
  if (failOn === 'info') return errors + warnings + infos > 0 ? 1 : 0
  return 0
}

/** The areas every diagnosis needs; when one could not be judged, "no issues" would be a false all-clear. */
const MAIN_AREAS: Area[] = ['host', 'iommu', 'isolation']

/** Titles of the main areas the evidence could not judge. */
export function unjudgedAreas(report: Report): string[] {
  return MAIN_AREAS.filter((area) => {
    const checks = report.checks.filter((c) => c.area === area)
    // As the area's line says: its lead check (the first) skipped, and nothing else in it found a
    // problem. Other checks passing alone often means only "nothing bad in the logs".
    return checks[0]?.status === 'skipped' && checks.every((c) => c.status === 'skipped' || c.status === 'passed')
  }).map((area) => AREAS[area])
}

/** Why a source was not read, or not all of it: "denied, permission denied (run with sudo)", "read in part: ...". */
export function sourceProblem(source: Pick<Source, 'status' | 'reason' | 'hint' | 'truncated'>): string {
  if (source.status === 'ok') return `read in part: ${source.truncated ?? ''}`
  return `${source.status}${source.reason ? `, ${source.reason}` : ''}${source.hint ? ` (${source.hint})` : ''}`
}
