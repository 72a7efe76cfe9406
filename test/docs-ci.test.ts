/**
 * docs/ci.md: its GitHub Actions workflow and GitLab CI job parse, and every vfio-doctor command they
 * run gives what the page promises, run as the runner would (bash, in a checkout of a configuration
 * repository made from fixtures, with `vfio-doctor` on PATH) on the built tool.
 */
import {execFile} from 'node:child_process'
import {chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'
import {fixturesDir, repoRoot} from './helpers/paths.js'
import {sarifSchemaErrors} from './report/sarif-schema.js'

const page = readFileSync(join(repoRoot, 'docs/ci.md'), 'utf8')
const [github, gitlab] = [...page.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => parse(m[1]!) as Record<string, any>)

/** A configuration repository: a NixOS module with warnings on its lines, and a domain whose evdev input is wrong (an error). */
function checkout(): {dir: string; temp: string; bin: string} {
  const root = mkdtempSync(join(tmpdir(), 'vfio-doctor-ci-'))
  const dir = join(root, 'checkout')
  const temp = join(root, 'runner-temp')
  const bin = join(root, 'bin')
  for (const d of [dir, temp, bin, join(dir, '.git')]) mkdirSync(d)
  copyFileSync(join(fixturesDir, 'seed-001-iso-permission/configuration.nix'), join(dir, 'configuration.nix'))
  copyFileSync(join(fixturesDir, 'seed-003-looking-glass-evdev-not-event/domain-win10.xml'), join(dir, 'domain-win10.xml'))
  writeFileSync(join(dir, '.git', 'HEAD'), 'ref: refs/heads/main\n')
  // What `npm link` puts on PATH, for the built tool of this repository.
  writeFileSync(join(bin, 'vfio-doctor'), `#!/bin/sh\nexec "${process.execPath}" "${join(repoRoot, 'bin/run.cjs')}" "$@"\n`)
  chmodSync(join(bin, 'vfio-doctor'), 0o755)
  return {dir, temp, bin}
}

/** A step's shell, as the runners run it: bash, stopping at the first failing command. */
function bash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{code: number; stdout: string; stderr: string}> {
  const {NODE_ENV: _vitest, ...rest} = process.env
  return new Promise((resolve) => {
    execFile('bash', ['-eo', 'pipefail', '-c', script], {cwd, env: {...rest, NO_COLOR: '1', ...env}}, (err, stdout, stderr) => resolve({code: err ? Number(err.code ?? 1) : 0, stdout, stderr}))
  })
}

describe('docs/ci.md', () => {
  it('holds a GitHub Actions workflow and a GitLab CI job, and README links it', () => {
    expect(github).toBeDefined()
    expect(gitlab).toBeDefined()
    expect(readFileSync(join(repoRoot, 'README.md'), 'utf8')).toContain('(docs/ci.md)')
  })

  it('GitHub Actions: SARIF for code scanning that is valid and on the lines, then annotations that fail the job on an error', async () => {
    const steps = github!.jobs['vfio-doctor'].steps as Array<{run?: string; uses?: string; with?: Record<string, string>}>
    expect(steps[0]!.uses).toMatch(/^actions\/checkout@/)
    const upload = steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'))!
    expect(upload.with!.sarif_file).toBe('${{ runner.temp }}/vfio-doctor.sarif')
    const runs = steps.filter((s) => s.run?.includes('vfio-doctor check')).map((s) => s.run!)
    expect(runs).toHaveLength(2)
    const {dir, temp, bin} = checkout()
    const env = {PATH: `${bin}:${process.env.PATH}`, RUNNER_TEMP: temp}

    const sarifStep = await bash(runs[0]!, dir, env)
    expect(sarifStep).toMatchObject({code: 0, stderr: ''})
    const sarif = JSON.parse(readFileSync(join(temp, 'vfio-doctor.sarif'), 'utf8'))
    expect(sarifSchemaErrors(sarif)).toEqual([])
    const located = sarif.runs[0].results.map((r: any) => [r.ruleId, r.level, r.locations[0]?.physicalLocation?.artifactLocation.uri, r.locations[0]?.physicalLocation?.region?.startLine])
    expect(located).toContainEqual(['iommu-param-wrong', 'warning', 'configuration.nix', 12])
    expect(located).toContainEqual(['kernel-module-obsolete', 'note', 'configuration.nix', 11])
    expect(located.find((r: string[]) => r[0] === 'evdev-input-invalid')?.slice(1, 3)).toEqual(['error', 'domain-win10.xml'])

    const annotate = await bash(runs[1]!, dir, env)
    expect(annotate.code).toBe(1)
    const lines = annotate.stdout.trimEnd().split('\n')
    expect(lines).toContainEqual(expect.stringMatching(/^::warning file=configuration\.nix,line=12,title=vfio-doctor iommu-param-wrong%3A /))
    expect(lines).toContainEqual(expect.stringMatching(/^::error file=domain-win10\.xml,(line=\d+,)?title=vfio-doctor evdev-input-invalid%3A /))
    expect(lines).toContainEqual(expect.stringMatching(/^::notice title=vfio-doctor%3A configuration alone::Judged from configuration alone: /))
  })

  it('GitLab CI: the code quality and JUnit reports the job keeps, on the lines, and the job fails on an error', async () => {
    const job = gitlab!['vfio-doctor'] as {script: string[]; artifacts: {when: string; reports: Record<string, string>}}
    expect(job.artifacts.when).toBe('always')
    const first = job.script.findIndex((l) => l.startsWith('vfio-doctor '))
    expect(job.script.slice(0, first).join('\n')).toMatch(/npm ci && npm run build && npm link/)
    const {dir, bin} = checkout()
    const r = await bash(job.script.slice(first).join('\n'), dir, {PATH: `${bin}:${process.env.PATH}`})
    expect(r.code).toBe(1)
    const quality = JSON.parse(readFileSync(join(dir, job.artifacts.reports.codequality!), 'utf8'))
    expect(quality.map((i: any) => [i.check_name, i.severity, i.location.path, i.location.lines.begin])).toContainEqual(['iommu-param-wrong', 'major', 'configuration.nix', 12])
    expect(quality.find((i: any) => i.check_name === 'evdev-input-invalid')).toMatchObject({severity: 'critical', location: {path: 'domain-win10.xml'}})
    const junit = readFileSync(join(dir, job.artifacts.reports.junit!), 'utf8')
    expect(junit).toMatch(/<failure type="evdev-input-invalid"/)
    // The reports were written outside the folder read, and copied in only at the end.
    expect(existsSync(join(dir, 'gl-code-quality-report.json'))).toBe(true)
  })
})
