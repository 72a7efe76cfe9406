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
  /** With --baseline: whether the earlier report had this finding (src/report/baseline.ts). */
  change?: 'new' | 'unchanged'
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
    /** The evidence is configuration alone (NixOS .nix files, domain XML, modprobe.d): nothing of the running host. */
    configurationOnly?: boolean
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
  /** With --baseline: how many findings are new and unchanged, and the earlier findings no longer found. */
  baseline?: {new: number; unchanged: number; gone: ReportFinding[]}
}

export function buildReport(set: SourceSet, facts: Facts, results: CheckResult[]): Report {
  const findings = results.flatMap((r) => r.findings.map(toReportFinding))
  const count = (s: CheckResult['status']) => results.filter((r) => r.status === s).length
  const sev = (s: Severity) => findings.filter((f) => f.severity === s).length
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: {name: 'vfio-doctor', version: toolVersion()},
    host: hostOf(facts, set),
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

/** What a configuration repository holds: what the host is told to do, not what it does. */
const CONFIGURATION_KINDS = new Set<Source['kind']>(['nixConfig', 'domainXml', 'modprobe'])

/**
 * Evidence of configuration alone (`check --input ./nixos-config`): every file read is configuration,
 * and no text anywhere in it is output of the running host (a kernel or qemu log line, a known message).
 */
function configurationOnly(set: SourceSet, facts: Facts): boolean {
  if (set.mode !== 'input' || facts.kernelLog || facts.logSignals?.length || facts.messages?.length) return false
  const structured = set.sources.filter((s) => s.status === 'ok' && s.kind !== 'log')
  return structured.length > 0 && structured.every((s) => CONFIGURATION_KINDS.has(s.kind))
}

function hostOf(facts: Facts, set: SourceSet): Report['host'] {
  const host: Report['host'] = {mode: facts.mode, nixos: facts.os?.id === 'nixos' || facts.nixos !== undefined}
  if (configurationOnly(set, facts)) host.configurationOnly = true
  const os = facts.os?.prettyName ?? facts.os?.name
  if (os) host.os = os
  if (facts.kernel) host.kernel = facts.kernel.release
  if (facts.cpu) host.cpu = facts.cpu.model ?? facts.cpu.vendor
  if (facts.virt) host.virtualization = facts.virt.kind === 'none' ? 'none' : `${facts.virt.kind}${facts.virt.name ? ` (${facts.virt.name})` : ''}`
  return host
}

export type FailOn = Severity | 'never'

const RANK: Record<FailOn, number> = {error: 3, warning: 2, info: 1, never: 4}

/**
 * 0: nothing at or above --fail-on; 1: findings at or above it, or a check crashed. With a
 * baseline only new findings count: CI fails on what a change brought, not on what was known.
 */
export function exitCodeOf(report: Report, failOn: FailOn): 0 | 1 {
  if (report.summary.crashed > 0 && failOn !== 'never') return 1
  const counted = report.baseline ? report.findings.filter((f) => f.change === 'new') : report.findings
  return counted.some((f) => RANK[f.severity] >= RANK[failOn]) ? 1 : 0
}

/** The worst exit status of several hosts' reports. */
export function worstExitCode(reports: Report[], failOn: FailOn): 0 | 1 {
  return reports.some((r) => exitCodeOf(r, failOn) === 1) ? 1 : 0
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

/**
 * What a report of configuration alone must say whatever it found: the running host was not judged.
 * Followed by how to gather the host's evidence (GATHER_COMMANDS), like every report that could not judge an area.
 */
export function configurationOnlyNote(report: Report): string | undefined {
  if (!report.host.configurationOnly) return undefined
  const unjudged = unjudgedAreas(report)
  return `Judged from configuration alone: the evidence holds nothing of the running host, so what it does (its kernel, IOMMU groups, drivers and logs) was not judged${unjudged.length ? `, nor ${unjudged.join(', ')} beyond what the configuration says` : ''}. Run vfio-doctor check on the host, or gather its evidence with sudo vfio-doctor capture DIR, or without the tool:`
}

/** Why a source was not read, or not all of it: "denied, permission denied (run with sudo)", "read in part: ...". */
export function sourceProblem(source: Pick<Source, 'status' | 'reason' | 'hint' | 'truncated'>): string {
  if (source.status === 'ok') return `read in part: ${source.truncated ?? ''}`
  return `${source.status}${source.reason ? `, ${source.reason}` : ''}${source.hint ? ` (${source.hint})` : ''}`
}
