/**
 * The golden reports hold exactly the findings their fixtures' expected lists hold: a golden cannot
 * follow the tool to a finding that the independent expectation (fixtures/<host>.expected.json, each
 * finding with the seed line it rests on) does not list. `npm run golden` rewrites the goldens and
 * prints how each host's findings changed.
 */
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {fixturesDir, repoRoot} from '../helpers/paths.js'

interface Expected {
  findings: Array<{id: string; severity: string; subject?: string}>
}

const goldenDir = join(repoRoot, 'test/golden')
const hosts = readdirSync(goldenDir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -'.json'.length))
  .sort()

describe(`the findings of ${hosts.length} golden reports`, () => {
  for (const host of hosts) {
    it(`${host}: the ones fixtures/${host}.expected.json lists`, () => {
      const expectedFile = join(fixturesDir, `${host}.expected.json`)
      expect(existsSync(expectedFile), `${expectedFile} is missing`).toBe(true)
      const expected = JSON.parse(readFileSync(expectedFile, 'utf8')) as Expected
      const golden = JSON.parse(readFileSync(join(goldenDir, `${host}.json`), 'utf8')) as Expected
      const withSubject = expected.findings.some((e) => e.subject)
      const line = (f: Expected['findings'][number]) => `${f.severity} ${f.id}${withSubject && f.subject ? ` ${f.subject}` : ''}`
      expect(golden.findings.map(line).sort(), `${host}.json's findings changed without ${host}.expected.json: see docs/testing.md`).toEqual(expected.findings.map(line).sort())
    })
  }
})
