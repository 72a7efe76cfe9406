/** Hand-made reports: every status and severity, without depending on which checks exist today. */
import type {CheckResult} from '../../src/engine/types.js'
import type {Report, ReportFinding} from '../../src/report/model.js'

type Check = Report['checks'][number]

export function check(id: string, area: CheckResult['area'], status: CheckResult['status'], extra: Partial<Check> = {}): Check {
  return {id, title: `${id} title`, area, status, passes: [], findings: 0, ...extra}
}

export function finding(id: string, checkId: string, severity: ReportFinding['severity'], extra: Partial<ReportFinding> = {}): ReportFinding {
  return {id, severity, title: id, message: `${id} message`, check: checkId, evidence: [], fix: {}, ...extra}
}

export function report(checks: Check[], findings: ReportFinding[]): Report {
  const count = (s: Check['status']) => checks.filter((c) => c.status === s).length
  const sev = (s: ReportFinding['severity']) => findings.filter((f) => f.severity === s).length
  return {
    schemaVersion: 1,
    tool: {name: 'vfio-doctor', version: '9.9.9'},
    host: {mode: 'input', nixos: true, os: 'NixOS 25.05 (Warbler)', kernel: '6.12.18'},
    sources: [{kind: 'kernelLog', origin: 'dmesg', status: 'denied', reason: 'the kernel log is restricted to root', hint: 'run vfio-doctor with sudo'}],
    checks,
    findings,
    summary: {errors: sev('error'), warnings: sev('warning'), infos: sev('info'), passed: count('passed'), failed: count('failed'), warned: count('warned'), skipped: count('skipped'), crashed: count('crashed')},
  }
}

