/** --baseline: each finding new, unchanged or gone against an earlier JSON report; only new ones fail. */
import {cpSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {cli} from './helpers/cli.js'
import {fixturesDir} from './helpers/paths.js'
import {reportSchemaErrors} from './report/report-schema.js'

interface Json {
  findings: Array<{id: string; severity: string; change?: string; evidence: string[]}>
  baseline?: {new: number; unchanged: number; gone: Array<{id: string}>}
}

/** A copy of a fixture host to change, and its report as a baseline file. */
async function hostWithBaseline(fixture: string, ...flags: string[]): Promise<{dir: string; baseline: string}> {
  const work = mkdtempSync(join(tmpdir(), 'vfio-doctor-baseline-'))
  const dir = join(work, 'host')
  cpSync(join(fixturesDir, fixture), dir, {recursive: true})
  const earlier = await cli(['check', '--input', dir, '--format', 'json', ...flags])
  expect(earlier.stderr).toBe('')
  const baseline = join(work, 'baseline.json')
  writeFileSync(baseline, earlier.stdout)
  return {dir, baseline}
}

function edit(file: string, from: string | RegExp, to: string): void {
  const text = readFileSync(file, 'utf8')
  const changed = text.replace(from, to)
  expect(changed, `${file} has no ${from}`).not.toBe(text)
  writeFileSync(file, changed)
}

describe('check --baseline', () => {
  it('a report as its own baseline: every finding unchanged, none new, exit 0 although it holds an error (redacted or not)', async () => {
    for (const redact of [[], ['--no-redact']]) {
      const {dir, baseline} = await hostWithBaseline('seed-001-iso-permission', ...redact)
      expect((JSON.parse(readFileSync(baseline, 'utf8')) as Json).findings.some((f) => f.severity === 'error')).toBe(true)
      const r = await cli(['check', '--input', dir, '--format', 'json', '--baseline', baseline])
      expect(r.code).toBe(0)
      const json = JSON.parse(r.stdout) as Json
      expect(reportSchemaErrors(json)).toEqual([])
      expect(json.findings.map((f) => f.change)).toEqual(json.findings.map(() => 'unchanged'))
      expect(json.baseline).toEqual({new: 0, unchanged: json.findings.length, gone: []})
      // Without the baseline the same run fails.
      expect((await cli(['check', '--input', dir, '--format', 'json'])).code).toBe(1)
    }
  })

  it('a fixed fault is gone; findings on lines that moved are unchanged; a new fault is new and fails', async () => {
    const {dir, baseline} = await hostWithBaseline('seed-001-iso-permission')
    const nix = join(dir, 'configuration.nix')
    // Fixed: vfio_virqfd no longer asked for. Moved: a line above shifts every later line by one.
    edit(nix, ' "vfio_virqfd"', '')
    edit(nix, /^(\{ pkgs, config, \.\.\. \}:\n)/, '$1  # reviewed\n')
    const fixed = await cli(['check', '--input', dir, '--format', 'json', '--baseline', baseline, '--fail-on', 'info'])
    expect(fixed.code).toBe(0)
    const json = JSON.parse(fixed.stdout) as Json
    expect(json.baseline!.gone.map((g) => g.id)).toEqual(['kernel-module-obsolete'])
    expect(json.findings.every((f) => f.change === 'unchanged')).toBe(true)
    expect(json.findings.find((f) => f.id === 'iommu-param-wrong')!.evidence[0]).toMatch(/^configuration\.nix line 13: /)
    const text = await cli(['check', '--input', dir, '--baseline', baseline], {COLUMNS: '1000'})
    expect(text.stdout).toContain('Against the baseline: 0 new, 4 unchanged, 1 gone.\n  - gone: vfio_virqfd is asked for;')
    const markdown = await cli(['check', '--input', dir, '--baseline', baseline, '--format', 'markdown'])
    expect(markdown.stdout).toMatch(/^Against the baseline: 0 new, 4 unchanged, 1 gone\.\n\n- gone: vfio\\_virqfd is asked for;.*\(`kernel-module-obsolete`\)$/m)
    // New: an id for vfio-pci that names no device of this host.
    edit(nix, '"kvm.ignore_msrs=1"', '"kvm.ignore_msrs=1" "vfio-pci.ids=10de:1b81"')
    const added = await cli(['check', '--input', dir, '--format', 'json', '--baseline', baseline, '--fail-on', 'info'])
    expect(added.code).toBe(1)
    expect((JSON.parse(added.stdout) as Json).findings.filter((f) => f.change === 'new').map((f) => f.id)).toEqual(['vfio-ids-wrong'])
  })

  it('--fail-on counts only new findings: a new error fails, the known ones do not', async () => {
    // The earlier report: the same host before host-display-lost could be reported.
    const {dir, baseline} = await hostWithBaseline('seed-000-boot-freeze', '--skip', 'host-display-lost')
    const r = await cli(['check', '--input', dir, '--format', 'junit', '--baseline', baseline])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('<failure type="host-display-lost"')
    const github = await cli(['check', '--input', dir, '--format', 'github', '--baseline', baseline])
    expect(github.stdout.split('\n').filter((l) => l.startsWith('::error'))).toHaveLength(1)
    expect(github.stdout).toContain('::notice title=vfio-doctor%3A against the baseline::1 new, 1 unchanged, 0 gone')
  })

  it('a baseline kept in the folder it reads (a configuration repository) is not read as evidence', async () => {
    const {dir, baseline} = await hostWithBaseline('seed-001-iso-permission')
    const inside = join(dir, '.vfio-doctor-baseline.json')
    writeFileSync(inside, readFileSync(baseline))
    const r = await cli(['check', '--input', dir, '--format', 'json', '--baseline', inside])
    expect(r.code).toBe(0)
    const json = JSON.parse(r.stdout) as Json & {sources: Array<{origin: string}>}
    expect(json.sources.map((s) => s.origin)).not.toContain('.vfio-doctor-baseline.json')
    expect(json.baseline).toEqual({new: 0, unchanged: json.findings.length, gone: []})
  })

  it('a file that is no report is one line and exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vfio-doctor-baseline-'))
    const notJson = join(dir, 'x.json')
    writeFileSync(notJson, '<testsuites/>')
    const host = join(fixturesDir, 'seed-000-working')
    expect(await cli(['check', '-i', host, '--baseline', notJson])).toMatchObject({code: 2, stderr: `vfio-doctor: --baseline ${notJson}: not JSON (give it an earlier \`vfio-doctor check --format json\` report)\n`})
    writeFileSync(notJson, '{"findings": [{"id": 1}]}')
    expect(await cli(['check', '-i', host, '--baseline', notJson])).toMatchObject({code: 2, stderr: `vfio-doctor: --baseline ${notJson}: not a vfio-doctor JSON report (it needs findings[] or hosts[])\n`})
    expect(await cli(['check', '-i', host, '--baseline', join(dir, 'none.json')])).toMatchObject({code: 2, stderr: `vfio-doctor: --baseline ${join(dir, 'none.json')}: no such file\n`})
  })

  it('several hosts against a report of the same hosts, each by its name', async () => {
    const hosts = ['-i', 'fixtures/seed-000-working', '-i', 'fixtures/seed-000-boot-freeze']
    const dir = mkdtempSync(join(tmpdir(), 'vfio-doctor-baseline-'))
    const baseline = join(dir, 'hosts.json')
    writeFileSync(baseline, (await cli(['check', ...hosts, '--format', 'json'])).stdout)
    const r = await cli(['check', ...hosts, '--format', 'json', '--baseline', baseline])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).hosts.map((h: {report: Json}) => h.report.baseline)).toEqual([
      {new: 0, unchanged: 1, gone: []},
      {new: 0, unchanged: 2, gone: []},
    ])
    // A one-host baseline cannot say which host it was.
    const one = join(dir, 'one.json')
    writeFileSync(one, (await cli(['check', '-i', 'fixtures/seed-000-working', '--format', 'json'])).stdout)
    expect((await cli(['check', ...hosts, '--baseline', one])).code).toBe(2)
  })
})
