/** Many hosts in one run: --input again, or a folder of evidence folders; each format per host; the worst exit status. */
import {execFileSync} from 'node:child_process'
import {cpSync, mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {cli} from './helpers/cli.js'
import {fixturesDir, repoRoot} from './helpers/paths.js'
import {hasXmllint} from './helpers/tools.js'
import {hostsSchemaErrors} from './report/report-schema.js'

const working = 'fixtures/seed-000-working'
const frozen = 'fixtures/seed-000-boot-freeze'
const both = ['check', '--input', working, '--input', frozen]

describe('check with several hosts', () => {
  it('text, Markdown and BBCode: a section per host under its name, and a line for the run; exit 1 from the host with an error', async () => {
    const text = await cli([...both], {COLUMNS: '1000'})
    expect(text.code).toBe(1)
    expect(text.stderr).toBe('')
    const sections = text.stdout.split(/^━━ Host: (.+) ━━$/m)
    expect([sections[1], sections[3]]).toEqual([working, frozen])
    expect(sections[2]).toContain('No issues found')
    expect(sections[4]).toContain('vfio-doctor explain host-display-lost')
    expect(text.stdout.trimEnd().split('\n').at(-1)).toBe('2 hosts: 1 with errors.')
    const markdown = await cli([...both, '--format', 'markdown'])
    expect(markdown.stdout.match(/^### Host `.+`$/gm)).toEqual([`### Host \`${working}\``, `### Host \`${frozen}\``])
    const bbcode = await cli([...both, '--format', 'bbcode'])
    expect(bbcode.stdout.match(/^\[size=150\]\[b\]Host: .+\[\/b\]\[\/size\]$/gm)).toHaveLength(2)
  })

  it('JSON: hosts[] of whole reports (schema/hosts.schema.json)', async () => {
    const r = await cli([...both, '--format', 'json'])
    expect(r.code).toBe(1)
    const json = JSON.parse(r.stdout)
    expect(hostsSchemaErrors(json)).toEqual([])
    expect(json.hosts.map((h: {name: string; report: {findings: Array<{id: string}>}}) => [h.name, h.report.findings.map((f) => f.id)])).toEqual([
      [working, ['gpu-reset-bug']],
      [frozen, ['host-display-lost', 'gpu-reset-bug']],
    ])
  })

  it('JUnit: a testsuite per host; SARIF: a run per host; annotations and code quality name the host', async () => {
    const junit = (await cli([...both, '--format', 'junit'])).stdout
    expect([...junit.matchAll(/<testsuite name="([^"]+)" tests="\d+" failures="(\d+)"/g)].map((m) => [m[1], m[2]])).toEqual([
      [working, '0'],
      [frozen, '1'],
    ])
    if (hasXmllint) {
      const file = join(mkdtempSync(join(tmpdir(), 'vfio-doctor-junit-')), 'report.xml')
      writeFileSync(file, junit)
      execFileSync('xmllint', ['--noout', '--schema', join(repoRoot, 'test/schemas/junit.xsd'), file], {stdio: 'pipe'})
    }
    const sarif = JSON.parse((await cli([...both, '--format', 'sarif'])).stdout)
    expect(sarif.runs.map((r: {automationDetails: {id: string}; results: unknown[]}) => [r.automationDetails.id, r.results.length])).toEqual([
      [`vfio-doctor/${working}/`, 1],
      [`vfio-doctor/${frozen}/`, 2],
    ])
    const github = (await cli([...both, '--format', 'github'])).stdout
    expect(github).toContain(`::error file=${frozen}/virtualisation.nix,line=17,title=vfio-doctor host-display-lost (${frozen})%3A `)
    const codequality = JSON.parse((await cli([...both, '--format', 'codequality'])).stdout)
    expect(codequality.map((i: {description: string}) => i.description.split(':')[0])).toEqual([working, frozen, frozen])
  })

  it('the exit status is the worst of the hosts', async () => {
    expect((await cli(['check', '-i', working, '-i', 'fixtures/seed-001-healthy', '--format', 'json'])).code).toBe(0)
    expect((await cli(['check', '-i', working, '-i', frozen, '-i', 'fixtures/seed-001-healthy', '--format', 'junit'])).code).toBe(1)
    expect((await cli([...both, '--fail-on', 'never'])).code).toBe(0)
  })

  it('a folder of evidence folders is a host per folder; notes beside them and hidden folders are not hosts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vfio-doctor-hosts-'))
    cpSync(join(fixturesDir, 'seed-000-working'), join(dir, 'desktop'), {recursive: true})
    cpSync(join(fixturesDir, 'seed-000-boot-freeze'), join(dir, 'server'), {recursive: true})
    mkdirSync(join(dir, '.git'))
    writeFileSync(join(dir, 'README.md'), 'Our captured hosts.\n')
    writeFileSync(join(dir, 'desktop.expected.json'), '{}\n')
    const r = await cli(['check', '--input', dir, '--format', 'json'])
    expect(r.code).toBe(1)
    expect(JSON.parse(r.stdout).hosts.map((h: {name: string}) => h.name)).toEqual([join(dir, 'desktop'), join(dir, 'server')])
    // A file of evidence beside the folders makes the folder one host, as before.
    writeFileSync(join(dir, 'dmesg.txt'), '[    0.035707] DMAR: IOMMU enabled\n')
    expect(JSON.parse((await cli(['check', '--input', dir, '--format', 'json'])).stdout).hosts).toBeUndefined()
  })

  it('--gpu, --share and an HTML page name one host: with several, one line and exit 2; so is a host with nothing to judge', async () => {
    const gpu = await cli([...both, '--gpu', '01:00.0'])
    expect([gpu.code, gpu.stderr]).toEqual([2, "vfio-doctor: --gpu names one host's GPU: give a single --input with it\n"])
    const html = await cli([...both, '--format', 'html'])
    expect([html.code, html.stderr, html.stdout]).toEqual([2, "vfio-doctor: --format html writes one host's page: give a single --input with it\n", ''])
    const empty = mkdtempSync(join(tmpdir(), 'vfio-doctor-empty-'))
    const r = await cli(['check', '-i', working, '-i', empty])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(`vfio-doctor: nothing to judge in ${empty}: it is empty. Gather the evidence with \`sudo vfio-doctor capture DIR\`, or paste the output of: ${r.stderr.split('paste the output of: ')[1]!.trimEnd()}\n`)
  })
})
