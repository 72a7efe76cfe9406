import {execFileSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {renderJson} from '../../src/report/json.js'
import {renderJunit} from '../../src/report/junit.js'
import {repoRoot} from '../helpers/paths.js'
import {check, finding, report} from './fake-report.js'
import {reportSchemaErrors} from './report-schema.js'
import {hasXmllint} from '../helpers/tools.js'

const everything = report(
  [
    check('iommu-enabled', 'iommu', 'failed'),
    check('gpu-driver', 'isolation', 'passed', {passes: ['0000:01:00.0 uses vfio-pci']}),
    check('cpu-virtualization', 'host', 'skipped', {reason: 'no cpuinfo', hint: 'add cpuinfo.txt'}),
    check('domain-tpm', 'vm', 'warned'),
    check('shm', 'looking-glass', 'crashed', {reason: 'TypeError: cannot read "x" of <undefined> & more'}),
  ],
  [
    finding('iommu-firmware-off', 'iommu-enabled', 'error', {evidence: ['kernel log line 3: DMAR: IOMMU enabled', 'odd bytes: \u0001\u001b[31m\ud800 "quoted" <tag> & amp'], fix: {nixos: 'x', other: 'y'}, subject: '0000:01:00.0'}),
    finding('iommu-kernel-off', 'iommu-enabled', 'error'),
    finding('domain-tpm-missing', 'domain-tpm', 'warning'),
    finding('some-info', 'gpu-driver', 'info'),
  ],
)

function xmllint(xml: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'vfio-doctor-junit-')), 'report.xml')
  writeFileSync(file, xml)
  try {
    return execFileSync('xmllint', ['--noout', '--schema', join(repoRoot, 'test/schemas/junit.xsd'), file], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})
  } catch (err) {
    return String((err as {stderr?: string}).stderr ?? err)
  }
}

describe('junit report', () => {
  it.runIf(hasXmllint)('is valid against the JUnit schema, with every outcome and hostile characters', () => {
    expect(xmllint(renderJunit(everything))).toBe('')
    expect(xmllint(renderJunit(everything, 'warning'))).toBe('')
    expect(xmllint(renderJunit(report([], [])))).toBe('')
  })

  it('one testcase per check: failure for errors (all of them, in the text GitLab shows), error for a crash, skipped with the reason', () => {
    const xml = renderJunit(everything)
    expect(xml.match(/<testcase /g)?.length).toBe(5)
    expect(xml).toContain('<testsuites name="vfio-doctor" tests="5" failures="1" errors="1">')
    expect(xml).toMatch(/<failure type="iommu-firmware-off iommu-kernel-off" message="iommu-firmware-off message \(and 1 more\)">error: iommu-firmware-off message\n/)
    expect(xml).toContain('error: iommu-kernel-off message')
    expect(xml).toContain('<error type="crashed" message="the check crashed: TypeError: cannot read &quot;x&quot; of &lt;undefined&gt; &amp; more">')
    expect(xml).toContain('<skipped message="no cpuinfo (add cpuinfo.txt)"/>')
    // Warnings are not failures by default; they and the passes are in system-out.
    expect(xml).toContain('<system-out>warning: domain-tpm-missing message (domain-tpm-missing)</system-out>')
    expect(xml).toContain('<system-out>info: some-info message (some-info)\npassed: 0000:01:00.0 uses vfio-pci</system-out>')
  })

  it('follows --fail-on: warnings fail the build when asked', () => {
    const xml = renderJunit(everything, 'warning')
    expect(xml).toContain('<testsuites name="vfio-doctor" tests="5" failures="2" errors="1">')
    expect(xml).toContain('<failure type="domain-tpm-missing"')
  })
})

describe('json report', () => {
  it('validates against schema/report.schema.json with every status, severity and optional field', () => {
    expect(reportSchemaErrors(JSON.parse(renderJson(everything)))).toEqual([])
  })

  it('the schema catches what breaks the contract', () => {
    const broken = JSON.parse(renderJson(everything))
    broken.findings[0].severity = 'fatal'
    broken.checks[0].extra = 1
    delete broken.summary.errors
    expect(reportSchemaErrors(broken)).toEqual([
      '/checks/0 must NOT have additional properties: extra',
      '/findings/0/severity must be equal to one of the allowed values: "error", "warning", "info"',
      "/summary must have required property 'errors'",
    ])
  })

  it('rejects a finding with a severity outside the contract, saying where and what is allowed', () => {
    const report = JSON.parse(renderJson(everything))
    report.findings[1].severity = 'critical'
    expect(reportSchemaErrors(report)).toEqual(['/findings/1/severity must be equal to one of the allowed values: "error", "warning", "info"'])
  })
})
