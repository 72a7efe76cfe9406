/**
 * Property: any evidence folder made of real corpus files (dmesg, lspci, IOMMU listings, cpuinfo,
 * libvirt domains) or a fixture host, truncated, re-ended, corrupted or named as the wrong kind, goes through
 * sources -> facts -> checks -> report -> every format without an exception or a crashed check,
 * and the report is plain JSON. `npm run fuzz` runs ten thousand of these against dist/.
 */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {describeCase, evidenceCase, loadCorpus, mutate, notJsonSafe, runCase} from '../../scripts/fuzz-evidence.mjs'
import {diagnose} from '../../src/engine/pipeline.js'
import {FORMATS, renderReport} from '../../src/report/render.js'
import {labelFor} from '../../src/sources/evidence.js'
import {kindOfFileName} from '../../src/sources/kinds.js'
import {corpusDir, fixturesDir, hasShared} from '../helpers/paths.js'

const RUNS = Number(process.env.VFIO_DOCTOR_FUZZ_RUNS ?? 200)
const pipeline = {diagnose, kindOfFileName, labelFor, renderReport, formats: FORMATS}

describe('the whole pipeline on random mutated corpus folders', () => {
  it.skipIf(!hasShared)(`${RUNS} cases: no exception, no crashed check, a plain-JSON report, every format renders`, async () => {
    const corpus = loadCorpus(corpusDir, fixturesDir)
    await fc.assert(
      fc.asyncProperty(evidenceCase(corpus), fc.nat(), async (c, format) => {
        try {
          await runCase(c, pipeline, format)
        } catch (err) {
          throw new Error(`${(err as Error).message}\n${JSON.stringify(describeCase(c), null, 2)}`)
        }
      }),
      {numRuns: RUNS},
    )
  }, 120_000)

  it('the mutations do what they say', () => {
    expect(mutate('a\nb\n', {kind: 'crlf'})).toBe('a\r\nb\r\n')
    expect(mutate('a\nb\n', {kind: 'cr'})).toBe('a\rb\r')
    expect(mutate('abcd', {kind: 'truncate', at: 0.5} as {kind: string})).toBe('ab')
    expect(mutate('abcd', {kind: 'empty'})).toBe('')
  })

  it('the JSON check finds what JSON.stringify would silently change', () => {
    expect(notJsonSafe({a: [1, 'x', {b: true, c: null, d: undefined}]})).toBeUndefined()
    expect(notJsonSafe({a: [1, Number.NaN]})).toBe('report.a[1] is NaN')
    expect(notJsonSafe({m: new Map()})).toBe('report.m is a Map')
  })
})
