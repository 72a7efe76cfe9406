/**
 * A configuration repository as evidence (.nix files and domain XML only): judged for what
 * configuration can show, and said plainly in every format; no host evidence is not a failure,
 * and never a false all-clear.
 */
import {copyFileSync, mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {cli} from './helpers/cli.js'
import {fixturesDir} from './helpers/paths.js'
import {reportSchemaErrors} from './report/report-schema.js'

/** A configuration repository made of a fixture host's configuration files and nothing else. */
function configRepo(fixture: string, files: string[]): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'vfio-doctor-config-')), 'nixos-config')
  mkdirSync(dir)
  for (const f of files) copyFileSync(join(fixturesDir, fixture, f), join(dir, f))
  return dir
}

const NOTE = 'Judged from configuration alone: the evidence holds nothing of the running host'

describe('check --input on a configuration repository', () => {
  it('judges the configuration, says the running host was not judged and how to gather it; warnings alone exit 0', async () => {
    const dir = configRepo('seed-001-iso-permission', ['configuration.nix', 'domain-win10.xml'])
    const r = await cli(['check', '--input', dir], {COLUMNS: '1000'})
    expect(r.code).toBe(0)
    expect(r.stdout.split('\n')[0]).toMatch(/^vfio-doctor \S+: a configuration \(no evidence of the running host\)$/)
    // What the configuration shows is judged, on its lines.
    expect(r.stdout).toContain('amd_iommu=pt is not an option of the AMD IOMMU')
    expect(r.stdout).toContain('configuration.nix line 12: "${platform}_iommu=pt" (= amd_iommu=pt)')
    expect(r.stdout).toContain('0 errors, 1 warning in 1 area')
    expect(r.stdout).toContain(`${NOTE}, so what it does (its kernel, IOMMU groups, drivers and logs) was not judged`)
    expect(r.stdout).toContain("for c in 'cat /proc/cmdline'")
    expect(r.stdout).not.toContain('No issues found')
    const json = JSON.parse((await cli(['check', '--input', dir, '--format', 'json'])).stdout)
    expect(reportSchemaErrors(json)).toEqual([])
    expect(json.host.configurationOnly).toBe(true)
  })

  it('a checkout: its version control folder is not read (a kernel line in it would be taken for the host)', async () => {
    const dir = configRepo('seed-001-iso-permission', ['configuration.nix'])
    mkdirSync(join(dir, '.git', 'logs'), {recursive: true})
    writeFileSync(join(dir, '.git', 'logs', 'HEAD'), '[    0.035707] DMAR: IOMMU enabled\n')
    const json = JSON.parse((await cli(['check', '--input', dir, '--format', 'json'])).stdout)
    expect(json.sources.map((s: {origin: string}) => s.origin)).toEqual(['configuration.nix'])
    expect(json.host.configurationOnly).toBe(true)
  })

  it('a configuration with nothing wrong is no all-clear: "in what the configuration says", then the note', async () => {
    const dir = configRepo('seed-000-working', ['virtualisation.nix'])
    const r = await cli(['check', '--input', dir], {COLUMNS: '1000'})
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^No problem found in what the configuration says; \d+ checks skipped \(-v shows why\)\.$/m)
    expect(r.stdout).toContain(NOTE)
    expect(r.stdout).not.toContain('No issues found')
    const markdown = (await cli(['check', '--input', dir, '--format', 'markdown'])).stdout
    expect(markdown).toContain('read from a configuration (nothing of the running host)')
    expect(markdown).toContain(NOTE)
    const github = (await cli(['check', '--input', dir, '--format', 'github'])).stdout
    expect(github).toMatch(/^::notice title=vfio-doctor%3A configuration alone::Judged from configuration alone: /m)
    const sarif = JSON.parse((await cli(['check', '--input', dir, '--format', 'sarif'])).stdout)
    expect(sarif.runs[0].invocations[0].toolExecutionNotifications[0].message.text).toMatch(/^Judged from configuration alone: /)
  })

  it('evidence of the running host beside the configuration is a host, not a configuration', async () => {
    const json = JSON.parse((await cli(['check', '--input', join(fixturesDir, 'seed-001-iso-permission'), '--format', 'json'])).stdout)
    expect(json.host.configurationOnly).toBeUndefined()
    const dir = configRepo('seed-000-boot-freeze', ['virtualisation.nix', 'dmesg.txt'])
    const r = await cli(['check', '--input', dir], {COLUMNS: '1000'})
    expect(r.stdout).not.toContain(NOTE)
    expect(r.stdout.split('\n')[0]).toMatch(/: the evidence folder/)
  })
})
