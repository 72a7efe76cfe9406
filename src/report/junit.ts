import {AREAS, type Area, type Severity} from '../engine/types.js'
import type {HostReport} from './hosts.js'
import type {FailOn, Report, ReportFinding} from './model.js'
import {xmlAttr as attr, xmlText as text} from './xml-text.js'

const RANK: Record<Severity, number> = {error: 3, warning: 2, info: 1}

/**
 * JUnit XML as GitLab and Jenkins read it: one <testsuite> per area (per host when there are
 * several), one <testcase> per check.
 * Findings at or above --fail-on (errors when it is "never") are one <failure>; a crashed check
 * is an <error>, a skipped one <skipped>; lesser findings and passes go to <system-out>.
 * GitLab shows the failure's text, not its message attribute, so the text says everything.
 */
export function renderJunit(report: Report, failOn: FailOn = 'error'): string {
  const areas = (Object.keys(AREAS) as Area[]).filter((a) => report.checks.some((c) => c.area === a))
  return document(areas.map((area) => suite(AREAS[area], testcases(report, failOn, (c) => c.area === area))))
}

/** Several hosts: one <testsuite> per host, named as the host was given, its areas in the testcases' classname. */
export function renderJunitHosts(hosts: HostReport[], failOn: FailOn = 'error'): string {
  return document(hosts.map((h) => suite(h.name, testcases(h.report, failOn, () => true))))
}

interface Cases {
  xml: string[]
  tests: number
  failures: number
  errors: number
  skipped: number
}

function testcases(report: Report, failOn: FailOn, which: (c: Report['checks'][number]) => boolean): Cases {
  const threshold = RANK[failOn === 'never' ? 'error' : failOn]
  // With a baseline, what was already there is not a failure (the exit status agrees).
  const failing = (f: ReportFinding) => RANK[f.severity] >= threshold && f.change !== 'unchanged'
  const checks = report.checks.filter(which)
  const out: Cases = {xml: [], tests: checks.length, failures: 0, errors: 0, skipped: 0}
  for (const c of checks) {
    const findings = report.findings.filter((f) => f.check === c.id)
    const failed = findings.filter(failing)
    const body: string[] = []
    if (c.status === 'crashed') {
      out.errors++
      body.push(`      <error type="crashed" message="${attr(`the check crashed: ${c.reason ?? 'unknown error'}`)}">${text(`The check crashed: ${c.reason ?? 'unknown error'}. This is a bug in vfio-doctor; please report it.`)}</error>`)
    } else if (c.status === 'skipped') {
      out.skipped++
      body.push(`      <skipped message="${attr(`${c.reason ?? 'no evidence'}${c.hint ? ` (${c.hint})` : ''}`)}"/>`)
    } else if (failed.length) {
      out.failures++
      const message = failed.length === 1 ? failed[0]!.message : `${failed[0]!.message} (and ${failed.length - 1} more)`
      body.push(`      <failure type="${attr(failed.map((f) => f.id).join(' '))}" message="${attr(message)}">${text(failed.map((f) => findingText(f, report.host.nixos)).join('\n\n'))}</failure>`)
    }
    const lesser = [...findings.filter((f) => !failing(f)).map((f) => `${f.severity}: ${f.message} (${f.id}${f.change === 'unchanged' ? ', unchanged since the baseline' : ''})`), ...c.passes.map((p) => `passed: ${p}`)]
    if (lesser.length) body.push(`      <system-out>${text(lesser.join('\n'))}</system-out>`)
    const open = `    <testcase classname="vfio-doctor.${c.area}" name="${attr(`${c.id}: ${c.title}`)}"`
    out.xml.push(body.length ? `${open}>\n${body.join('\n')}\n    </testcase>` : `${open}/>`)
  }
  return out
}

function suite(name: string, cases: Cases): Cases & {suite: string} {
  const counts = `tests="${cases.tests}" failures="${cases.failures}" errors="${cases.errors}" skipped="${cases.skipped}"`
  return {...cases, suite: `  <testsuite name="${attr(name)}" ${counts}>\n${cases.xml.join('\n')}\n  </testsuite>`}
}

function document(suites: Array<Cases & {suite: string}>): string {
  const sum = (k: 'tests' | 'failures' | 'errors') => suites.reduce((n, s) => n + s[k], 0)
  // Jenkins' schema has no `skipped` on <testsuites>: the suites carry it.
  const head = `<testsuites name="vfio-doctor" tests="${sum('tests')}" failures="${sum('failures')}" errors="${sum('errors')}">`
  return ['<?xml version="1.0" encoding="UTF-8"?>', head, ...suites.map((s) => s.suite), '</testsuites>', ''].join('\n')
}

function findingText(f: ReportFinding, nixos: boolean): string {
  const lines = [`${f.severity}: ${f.message}`, `${f.title} (${f.id}; vfio-doctor explain ${f.id})`]
  if (f.evidence.length) lines.push('Evidence:', ...f.evidence.map((e) => `  ${e}`))
  const fix = nixos ? f.fix.nixos : (f.fix.other ?? f.fix.nixos)
  if (fix) lines.push(nixos ? 'Fix on NixOS:' : 'Fix:', fix)
  return lines.join('\n')
}
