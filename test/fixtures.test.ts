/** Every fixture host gives exactly the findings written beside it. */
import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {diagnose} from '../src/engine/pipeline.js'
import {readEvidenceFolder} from '../src/sources/evidence.js'
import {fixturesDir} from './helpers/paths.js'

interface Expected {
  source: string
  description: string
  gpu?: string
  findings: Array<{id: string; severity: string; subject?: string}>
}

const hosts = readdirSync(fixturesDir).filter((n) => statSync(join(fixturesDir, n)).isDirectory()).sort()

describe(`${hosts.length} fixture hosts`, () => {
  it('each has its expected findings beside it', () => {
    expect(hosts.filter((h) => !existsSync(join(fixturesDir, `${h}.expected.json`)))).toEqual([])
  })
  for (const host of hosts) {
    const expectedFile = join(fixturesDir, `${host}.expected.json`)
    if (!existsSync(expectedFile)) continue
    const expected = JSON.parse(readFileSync(expectedFile, 'utf8')) as Expected
    it(`${host}: ${expected.findings.map((f) => f.id).join(', ') || 'no findings'}`, async () => {
      const set = await readEvidenceFolder(join(fixturesDir, host))
      expect(set.sources.filter((s) => s.status !== 'ok')).toEqual([])
      const {report} = diagnose(set, expected.gpu ? {gpu: expected.gpu} : {})
      expect(report.checks.filter((c) => c.status === 'crashed')).toEqual([])
      const got = report.findings.map((f) => `${f.severity} ${f.id}${f.subject && expected.findings.some((e) => e.subject) ? ` ${f.subject}` : ''}`).sort()
      const want = expected.findings.map((f) => `${f.severity} ${f.id}${f.subject ? ` ${f.subject}` : ''}`).sort()
      expect(got).toEqual(want)
    })
  }
})
