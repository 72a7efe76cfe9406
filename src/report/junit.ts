import {AREAS, type Area, type Severity} from '../engine/types.js'
import type {FailOn, Report, ReportFinding} from './model.js'
import {xmlAttr as attr, xmlText as text} from './xml-text.js'

const RANK: Record<Severity, number> = {error: 3, warning: 2, info: 1}

/**
 * JUnit XML as GitLab and Jenkins read it: one <testsuite> per area, one <testcase> per check.
 * Findings at or above --fail-on (errors when it is "never") are one <failure>; a crashed check
 * is an <error>, a skipped one <skipped>; lesser findings and passes go to <system-out>.
 * GitLab shows the failure's text, not its message attribute, so the text says everything.
 */
export function renderJunit(report: Report, failOn: FailOn = 'error'): string {
  const threshold = RANK[failOn === 'never' ? 'error' : failOn]
  const failing = (f: ReportFinding) => RANK[f.severity] >= threshold
  const areas = (Object.keys(AREAS) as Area[]).filter((a) => report.checks.some((c) => c.area === a))
  const suites = areas.map((area) => {
    const checks = report.checks.filter((c) => c.area === area)
    let failures = 0
    let errors = 0
    let skipped = 0
    const cases = checks.map((c) => {
      const findings = report.findings.filter((f) => f.check === c.id)
      const failed = findings.filter(failing)
      const body: string[] = []
      if (c.status === 'crashed') {
        errors++
        body.push(`      <error type="crashed" message="${attr(`the check crashed: ${c.reason ?? 'unknown error'}`)}">${text(`The check crashed: ${c.reason ?? 'unknown error'}. This is a bug in vfio-doctor; please report it.`)}</error>`)
      } else if (c.status === 'skipped') {
        skipped++
        body.push(`      <skipped message="${attr(`${c.reason ?? 'no evidence'}${c.hint ? ` (${c.hint})` : ''}`)}"/>`)
      } else if (failed.length) {
        failures++
        const message = failed.length === 1 ? failed[0]!.message : `${failed[0]!.message} (and ${failed.length - 1} more)`
        body.push(`      <failure type="${attr(failed.map((f) => f.id).join(' '))}" message="${attr(message)}">${text(failed.map((f) => findingText(f, report.host.nixos)).join('\n\n'))}</failure>`)
      }
      const out = [...findings.filter((f) => !failing(f)).map((f) => `${f.severity}: ${f.message} (${f.id})`), ...c.passes.map((p) => `passed: ${p}`)]
      if (out.length) body.push(`      <system-out>${text(out.join('\n'))}</system-out>`)
      const open = `    <testcase classname="vfio-doctor.${area}" name="${attr(`${c.id}: ${c.title}`)}"`
      return body.length ? `${open}>\n${body.join('\n')}\n    </testcase>` : `${open}/>`
    })
    const counts = `tests="${checks.length}" failures="${failures}" errors="${errors}" skipped="${skipped}"`
    return {xml: `  <testsuite name="${attr(AREAS[area])}" ${counts}>\n${cases.join('\n')}\n  </testsuite>`, failures, errors, skipped, tests: checks.length}
  })
  const sum = (k: 'tests' | 'failures' | 'errors') => suites.reduce((n, s) => n + s[k], 0)
  // Jenkins' schema has no `skipped` on <testsuites>: the suites carry it.
  const head = `<testsuites name="vfio-doctor" tests="${sum('tests')}" failures="${sum('failures')}" errors="${sum('errors')}">`
  return ['<?xml version="1.0" encoding="UTF-8"?>', head, ...suites.map((s) => s.xml), '</testsuites>', ''].join('\n')
}

function findingText(f: ReportFinding, nixos: boolean): string {
  const lines = [`${f.severity}: ${f.message}`, `${f.title} (${f.id}; vfio-doctor explain ${f.id})`]
  if (f.evidence.length) lines.push('Evidence:', ...f.evidence.map((e) => `  ${e}`))
  const fix = nixos ? f.fix.nixos : (f.fix.other ?? f.fix.nixos)
  if (fix) lines.push(nixos ? 'Fix on NixOS:' : 'Fix:', fix)
  return lines.join('\n')
}
