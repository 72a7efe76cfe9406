/**
 * Golden files: every fixture host rendered in every format, compared with test/golden/<host>.<format>.
 * `npm run golden` rewrites them (UPDATE_GOLDEN=1) and prints each host's findings diff; review the diff
 * like code. golden-findings.test.ts holds their findings to the fixtures' expected lists. The tool's version is masked so a
 * release does not touch them; nothing else may vary between runs (no dates, timings or paths).
 */
import {execFileSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {diagnose} from '../../src/engine/pipeline.js'
import {FORMATS, renderReport, type Format} from '../../src/report/render.js'
import {readEvidenceFolder} from '../../src/sources/evidence.js'
import {toolVersion} from '../../src/util/version.js'
import {fixtureGpu, fixtureHosts} from '../helpers/fixture-hosts.js'
import {fixturesDir, repoRoot} from '../helpers/paths.js'
import {reportSchemaErrors} from './report-schema.js'
import {hasXmllint} from '../helpers/tools.js'

const goldenDir = join(repoRoot, 'test/golden')
const update = process.env.UPDATE_GOLDEN === '1'
const hosts = fixtureHosts

async function renderHost(host: string): Promise<Record<Format, string>> {
  const gpu = fixtureGpu(host)
  const set = await readEvidenceFolder(join(fixturesDir, host))
  const {facts, report} = diagnose(set, gpu ? {gpu} : {})
  const out = {} as Record<Format, string>
  for (const format of FORMATS) out[format] = await renderReport(report, {format, set, facts, failOn: 'error', color: false, verbose: false, width: 100})
  return out
}

function masked(text: string): string {
  return text.split(toolVersion()).join('<version>')
}

describe(`golden reports of ${hosts.length} fixture hosts`, () => {
  if (update) mkdirSync(goldenDir, {recursive: true})
  const junitDir = mkdtempSync(join(tmpdir(), 'vfio-doctor-junit-'))

  for (const host of hosts) {
    it(`${host}: ${FORMATS.join(', ')}`, async () => {
      const outputs = await renderHost(host)
      for (const format of FORMATS) {
        const file = join(goldenDir, `${host}.${format}`)
        const got = masked(outputs[format])
        if (update) writeFileSync(file, got)
        else {
          expect(existsSync(file), `${file} is missing: run npm run golden`).toBe(true)
          expect(got, `${host}.${format} differs from its golden file (npm run golden rewrites it)`).toBe(readFileSync(file, 'utf8'))
        }
      }
      expect(reportSchemaErrors(JSON.parse(outputs.json))).toEqual([])
      expect(outputs.markdown.length).toBeLessThanOrEqual(65_536)
      writeFileSync(join(junitDir, `${host}.xml`), outputs.junit)
      // Twice the same: no dates, timings or run-dependent ordering.
      expect(await renderHost(host)).toEqual(outputs)
    })
  }

  it.runIf(hosts.length > 0 && hasXmllint)('every JUnit report is valid against test/schemas/junit.xsd (xmllint)', () => {
    const files = readdirSync(junitDir).map((f) => join(junitDir, f))
    expect(files.length).toBe(hosts.length)
    const out = execFileSync('xmllint', ['--noout', '--schema', join(repoRoot, 'test/schemas/junit.xsd'), ...files], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})
    expect(out).toBe('')
  })

  it('has no golden file without its fixture host', () => {
    const stale = existsSync(goldenDir) ? readdirSync(goldenDir).filter((f) => !hosts.includes(f.replace(/\.[^.]+$/, ''))) : []
    expect(stale).toEqual([])
  })
})
