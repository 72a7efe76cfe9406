/**
 * GitHub Actions annotations and GitLab code quality for a fixture whose findings are in two files
 * (configuration.nix and the domain's qemu log), and the escaping GitHub's runner documents.
 */
import {join, relative} from 'node:path'
import {describe, expect, it} from 'vitest'
import {diagnose} from '../../src/engine/pipeline.js'
import {compareWithBaseline} from '../../src/report/baseline.js'
import {renderCodequality} from '../../src/report/codequality.js'
import {data, property, renderGithub} from '../../src/report/github.js'
import {readEvidenceFolder} from '../../src/sources/evidence.js'
import {fixturesDir} from '../helpers/paths.js'
import {check, finding, report} from './fake-report.js'

const HOST = 'seed-001-iso-permission'

async function fixtureRun(host: string) {
  const {report} = diagnose(await readEvidenceFolder(join(fixturesDir, host)))
  return {name: host, root: relative(process.cwd(), join(fixturesDir, host)), report}
}

describe('GitHub Actions annotations', () => {
  it('one workflow command per finding, on the file line to change; a finding without a file on the run', async () => {
    const lines = renderGithub([await fixtureRun(HOST)]).trimEnd().split('\n')
    // The last line says what the host showed, annotated or not.
    expect(lines.pop()).toBe(
      '::notice title=vfio-doctor%3A summary::1 error, 1 warning, 3 notes; 13 checks skipped. Not judged: Host CPU, firmware and kernel, Device isolation; gather the evidence with sudo vfio-doctor capture DIR.',
    )
    const where = lines.map((l) => /^::(\w+) (?:file=([^,]+),line=(\d+),)?title=vfio-doctor ([a-z0-9-]+)%3A /.exec(l)?.slice(1))
    expect(where).toEqual([
      ['notice', 'fixtures/seed-001-iso-permission/configuration.nix', '11', 'kernel-module-obsolete'],
      ['notice', 'fixtures/seed-001-iso-permission/configuration.nix', '12', 'iommu-param-wrong'],
      ['warning', 'fixtures/seed-001-iso-permission/configuration.nix', '12', 'iommu-param-wrong'],
      ['notice', undefined, undefined, 'gpu-reset-bug'],
      ['error', 'fixtures/seed-001-iso-permission/qemu-win10.log', '1', 'iso-permissions'],
    ])
    // The message is the finding's one line and where to read more, on one physical line.
    expect(lines[2]).toMatch(/::amd_iommu=pt is not an option of the AMD IOMMU \(amd_iommu=\) driver: .*%0AMore: vfio-doctor explain iommu-param-wrong$/)
    // The title's comma is escaped: unescaped, it would start a property.
    expect(lines[1]).toContain('title=vfio-doctor iommu-param-wrong%3A An IOMMU kernel parameter is for the other CPU vendor%2C or')
  })

  it('escapes as the runner reads them: % \\r \\n in the message, and : , as well in a property', () => {
    expect(data('100% done\r\nnext: a, b')).toBe('100%25 done%0D%0Anext: a, b')
    expect(property('100% done\r\nnext: a, b')).toBe('100%25 done%0D%0Anext%3A a%2C b')
    // % first, so an escape is never escaped twice.
    expect(property('%3A')).toBe('%253A')
    const r = report([check('c', 'nixos', 'failed')], [finding('kernel-module-obsolete', 'c', 'error', {message: 'line one\nline two: 50%', evidence: ['a,b:c.nix line 2: x']})])
    r.sources = [{kind: 'nixConfig', origin: 'a,b:c.nix', status: 'ok'}]
    expect(renderGithub([{name: 'h', root: 'h', report: r}]).split('\n')[0]).toBe('::error file=h/a%2Cb%3Ac.nix,line=2,title=vfio-doctor kernel-module-obsolete%3A kernel-module-obsolete::line one%0Aline two: 50%25%0AMore: vfio-doctor explain kernel-module-obsolete')
  })

  it('with a baseline, only new findings are annotated, and a notice counts the rest', () => {
    const earlier = [finding('iommu-firmware-off', 'c', 'error', {evidence: ['kernel log line 3: DMAR: x']}), finding('gpu-reset-bug', 'c', 'info')]
    const now = compareWithBaseline(report([check('c', 'iommu', 'failed')], [earlier[0]!, finding('host-display-lost', 'c', 'error')]), earlier)
    expect(renderGithub([{name: 'h', root: 'h', report: now}]).trimEnd().split('\n')).toEqual([
      '::error title=vfio-doctor host-display-lost%3A host-display-lost::host-display-lost message%0AMore: vfio-doctor explain host-display-lost',
      '::notice title=vfio-doctor%3A against the baseline::1 new, 1 unchanged, 1 gone: gpu-reset-bug',
      '::notice title=vfio-doctor%3A summary::2 errors, 0 warnings, 0 notes; 0 checks skipped.',
    ])
  })

  it('a host without findings still says what it saw, and what it could not judge', () => {
    const r = report([check('cpu-virtualization', 'host', 'skipped'), check('iommu-enabled', 'iommu', 'passed'), check('gpu-driver', 'isolation', 'skipped')], [])
    expect(renderGithub([{name: 'h', root: 'h', report: r}])).toBe(
      '::notice title=vfio-doctor%3A summary::0 errors, 0 warnings, 0 notes; 2 checks skipped. Not judged: Host CPU, firmware and kernel, Device isolation; gather the evidence with sudo vfio-doctor capture DIR.\n',
    )
  })
})

describe('GitLab code quality', () => {
  it('one issue per finding with the fields GitLab needs, at the file line to change', async () => {
    const issues = JSON.parse(renderCodequality([await fixtureRun(HOST)])) as Array<Record<string, unknown>>
    expect(issues.map((i) => [i.check_name, i.severity, i.location])).toEqual([
      ['kernel-module-obsolete', 'info', {path: 'fixtures/seed-001-iso-permission/configuration.nix', lines: {begin: 11}}],
      ['iommu-param-wrong', 'info', {path: 'fixtures/seed-001-iso-permission/configuration.nix', lines: {begin: 12}}],
      ['iommu-param-wrong', 'major', {path: 'fixtures/seed-001-iso-permission/configuration.nix', lines: {begin: 12}}],
      // No file line: on the evidence folder, line 1 (GitLab needs a path).
      ['gpu-reset-bug', 'info', {path: 'fixtures/seed-001-iso-permission', lines: {begin: 1}}],
      ['iso-permissions', 'critical', {path: 'fixtures/seed-001-iso-permission/qemu-win10.log', lines: {begin: 1}}],
    ])
    for (const issue of issues) {
      expect(Object.keys(issue).sort()).toEqual(['check_name', 'description', 'fingerprint', 'location', 'severity'])
      expect(issue.description).toMatch(/\S/)
      expect(issue.fingerprint).toMatch(/^[0-9a-f]{64}$/)
    }
    expect(new Set(issues.map((i) => i.fingerprint)).size).toBe(issues.length)
  })

  it('fingerprints stay when a line moves or a message is reworded, and differ between hosts', async () => {
    const r = (line: number, message: string) => report([check('c', 'nixos', 'warned')], [finding('kernel-module-obsolete', 'c', 'warning', {message, evidence: [`c.nix line ${line}: "vfio_virqfd"`]})])
    const fp = (name: string, line: number, message: string) => (JSON.parse(renderCodequality([{name, root: name, report: r(line, message)}])) as Array<{fingerprint: string}>)[0]!.fingerprint
    expect(fp('a', 11, 'one')).toBe(fp('a', 30, 'two'))
    expect(fp('a', 11, 'one')).not.toBe(fp('b', 11, 'one'))
  })
})
