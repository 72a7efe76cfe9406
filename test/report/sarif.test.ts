/**
 * SARIF 2.1.0 for every fixture host, validated against the official schema (test/schemas/README.md
 * says where it comes from), and every evidence line that names a file line found again as a
 * physical location with that line.
 */
import {readdirSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'
import {describe, expect, it} from 'vitest'
import {diagnose} from '../../src/engine/pipeline.js'
import {knowledgeIds, loadPage} from '../../src/knowledge/page.js'
import {compareWithBaseline} from '../../src/report/baseline.js'
import {renderSarif} from '../../src/report/sarif.js'
import {readEvidenceFolder} from '../../src/sources/evidence.js'
import {fixturesDir} from '../helpers/paths.js'
import {check, finding, report} from './fake-report.js'
import {sarifSchemaErrors} from './sarif-schema.js'

const hosts = readdirSync(fixturesDir).filter((n) => statSync(join(fixturesDir, n)).isDirectory()).sort()

interface Sarif {
  runs: Array<{
    automationDetails: {id: string}
    tool: {driver: {rules: Array<{id: string; shortDescription: {text: string}; fullDescription: {text: string}; help: {text: string}}>}}
    results: Array<{
      ruleId: string
      level: string
      message: {text: string}
      baselineState?: string
      locations: Array<{physicalLocation?: {artifactLocation: {uri: string}; region?: {startLine: number}}; logicalLocations?: Array<{name: string; fullyQualifiedName: string}>}>
    }>
  }>
}

async function fixtureRun(host: string) {
  const set = await readEvidenceFolder(join(fixturesDir, host))
  const {report} = diagnose(set)
  return {name: host, root: relative(process.cwd(), join(fixturesDir, host)), report}
}

describe('SARIF', () => {
  let fileLines = 0
  for (const host of hosts) {
    it(`${host}: valid SARIF 2.1.0; every evidence line naming a file line is a physical location with that line`, async () => {
      const run = await fixtureRun(host)
      const sarif = JSON.parse(renderSarif([run])) as Sarif
      expect(sarifSchemaErrors(sarif)).toEqual([])
      const results = sarif.runs[0]!.results
      expect(results.map((r) => r.ruleId)).toEqual(run.report.findings.map((f) => f.id))
      const origins = run.report.sources.filter((s) => s.status === 'ok').map((s) => s.origin)
      run.report.findings.forEach((f, i) => {
        for (const evidence of f.evidence) {
          for (const origin of origins) {
            const m = new RegExp(`(?:^|[ (])${origin.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} line (\\d+)`).exec(evidence)
            if (!m) continue
            fileLines++
            const where = results[i]!.locations.map((l) => l.physicalLocation).filter((p) => p?.artifactLocation.uri.endsWith(`/${origin}`))
            expect(where.map((p) => p!.region?.startLine), `${f.id}: ${evidence}`).toContain(Number(m[1]))
            expect(where[0]!.artifactLocation.uri).toBe(`${run.root}/${origin}`)
          }
        }
      })
    })
  }

  it('the fixtures hold evidence that names file lines (the test above is not vacuous)', () => {
    expect(fileLines).toBeGreaterThan(10)
  })

  it('one rule per knowledge page: its title, its cause, and how to read it', async () => {
    const sarif = JSON.parse(renderSarif([await fixtureRun('seed-000-boot-freeze')])) as Sarif
    const rules = sarif.runs[0]!.tool.driver.rules
    expect(rules.map((r) => r.id)).toEqual(knowledgeIds())
    const rule = rules.find((r) => r.id === 'host-display-lost')!
    expect(rule.shortDescription.text).toBe(loadPage('host-display-lost')!.title)
    expect(rule.fullDescription.text).toMatch(/^vfio-pci takes the card at boot and the host never draws on it again/)
    expect(rule.help.text).toBe('vfio-doctor explain host-display-lost')
  })

  it('the NixOS line, then the kernel command line file; the subject as a logical location', async () => {
    const sarif = JSON.parse(renderSarif([await fixtureRun('seed-000-boot-freeze')])) as Sarif
    const lost = sarif.runs[0]!.results.find((r) => r.ruleId === 'host-display-lost')!
    expect(lost.level).toBe('error')
    expect(lost.locations.map((l) => [l.physicalLocation?.artifactLocation.uri, l.physicalLocation?.region?.startLine])).toEqual([
      ['fixtures/seed-000-boot-freeze/virtualisation.nix', 17],
      ['fixtures/seed-000-boot-freeze/cmdline.txt', 1],
    ])
    expect(lost.locations[0]!.logicalLocations).toEqual([{name: '0000:01:00.0', kind: 'object', fullyQualifiedName: 'pci-device:0000:01:00.0'}])
    // The reset-bug note names no file: only its device.
    const reset = sarif.runs[0]!.results.find((r) => r.ruleId === 'gpu-reset-bug')!
    expect(reset.level).toBe('note')
    expect(reset.locations).toEqual([{logicalLocations: [{name: '0000:01:00.0', kind: 'object', fullyQualifiedName: 'pci-device:0000:01:00.0'}]}])
  })

  it('a finding about a domain whose evidence names no file is located in the domain XML file', async () => {
    const sarif = JSON.parse(renderSarif([await fixtureRun('secrets-host')])) as Sarif
    const code43 = sarif.runs[0]!.results.find((r) => r.ruleId === 'nvidia-error-43')!
    expect(code43.locations[0]!.physicalLocation).toEqual({artifactLocation: {uri: 'fixtures/secrets-host/domain-win10.xml'}})
    expect(code43.locations[0]!.logicalLocations![0]!.fullyQualifiedName).toBe('domain:win10')
  })

  it('one run per host, each with its own automation id; a baseline gives each result its state and lists what is gone', async () => {
    const earlier = report([check('c', 'iommu', 'failed')], [finding('iommu-firmware-off', 'c', 'error', {evidence: ['kernel log line 3: DMAR: x']}), finding('gpu-reset-bug', 'c', 'info', {subject: '0000:01:00.0'})])
    const now = compareWithBaseline(report([check('c', 'iommu', 'failed')], [finding('iommu-firmware-off', 'c', 'error', {evidence: ['kernel log line 9: DMAR: x'], message: 'reworded'}), finding('host-display-lost', 'c', 'error')]), earlier.findings)
    const sarif = JSON.parse(renderSarif([{name: 'a', root: 'a', report: now}, {name: 'b/c', root: 'b/c', report: earlier}])) as Sarif
    expect(sarifSchemaErrors(sarif)).toEqual([])
    expect(sarif.runs.map((r) => r.automationDetails.id)).toEqual(['vfio-doctor/a/', 'vfio-doctor/b/c/'])
    expect(sarif.runs[0]!.results.map((r) => [r.ruleId, r.baselineState])).toEqual([
      ['iommu-firmware-off', 'unchanged'],
      ['host-display-lost', 'new'],
      ['gpu-reset-bug', 'absent'],
    ])
    expect(sarif.runs[1]!.results.every((r) => r.baselineState === undefined)).toBe(true)
  })

  it('a file name that is no URI as it stands is percent-encoded', async () => {
    const r = report([check('c', 'nixos', 'failed')], [finding('kernel-module-obsolete', 'c', 'warning', {evidence: ['my config #1.nix line 4: boot.kernelModules']})])
    r.sources = [{kind: 'nixConfig', origin: 'my config #1.nix', status: 'ok'}]
    const sarif = JSON.parse(renderSarif([{name: 'x', root: 'x', report: r}])) as Sarif
    expect(sarifSchemaErrors(sarif)).toEqual([])
    expect(sarif.runs[0]!.results[0]!.locations[0]!.physicalLocation).toEqual({artifactLocation: {uri: 'x/my%20config%20%231.nix'}, region: {startLine: 4}})
  })
})
