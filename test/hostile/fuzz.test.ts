/**
 * Property: any evidence folder made of real corpus files (dmesg, lspci, IOMMU listings, cpuinfo,
 * libvirt domains) or a fixture host, truncated, re-ended, corrupted or named as the wrong kind, goes through
 * sources -> facts -> checks -> report -> every format without an exception or a crashed check,
 * and the report is plain JSON. `npm run fuzz` runs ten thousand of these against dist/.
 */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {changedFiles, DECISIVE_LINES, describeCase, evidenceCase, loadCorpus, loadFixtureHosts, metamorphicCase, mutate, notJsonSafe, runCase, runMetamorphicCase, sameKindNames, withoutDecisiveLines} from '../../scripts/fuzz-evidence.mjs'
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

const hosts = loadFixtureHosts(fixturesDir)
const METAMORPHIC_RUNS = Number(process.env.VFIO_DOCTOR_FUZZ_RUNS ?? 200)

describe('metamorphic properties of the fixture hosts (in the repository: no ../shared needed)', () => {
  it(`${METAMORPHIC_RUNS} cases: unrelated log lines, reordered files, CRLF line ends and renamed files leave the findings as they are`, () => {
    fc.assert(fc.property(metamorphicCase(hosts), (c) => runMetamorphicCase(c, hosts, pipeline)), {numRuns: METAMORPHIC_RUNS})
  }, 120_000)

  it.each(DECISIVE_LINES.map((d) => [`${d.host}: without ${d.remove.map((r) => `${r.file}'s ${r.line}`).join(' and ')}, no ${d.finding}`, d] as const))('%s', (_name, d) => {
    const {before, after} = withoutDecisiveLines(d, hosts, pipeline)
    const target = (f: string) => f === d.finding || f.startsWith(`${d.finding} `)
    expect(before.filter(target)).toHaveLength(1)
    expect(after).toEqual(before.filter((f) => !target(f)))
  })

  it('the changes do what they say', () => {
    const files = [
      {name: 'dmesg.txt', text: '[    0.000000] Linux version 6.12.18\n[    0.035707] DMAR: IOMMU enabled\n'},
      {name: 'domain-win10.xml', text: '<domain/>\n'},
    ]
    const noisy = changedFiles(files, [{kind: 'unrelated-log-lines', lines: [[0, 0], [1, 2]]}], pipeline)
    expect(noisy[0]!.text.split('\n')[0]).toBe('[    0.000000] Linux version 6.12.18')
    expect(noisy[0]!.text.split('\n')).toHaveLength(5)
    expect(noisy[1]).toEqual(files[1])
    expect(changedFiles(files, [{kind: 'crlf'}], pipeline).map((f) => f.text)).toEqual(['[    0.000000] Linux version 6.12.18\r\n[    0.035707] DMAR: IOMMU enabled\r\n', '<domain/>\r\n'])
    expect(changedFiles(files, [{kind: 'reorder', keys: [5, 0]}], pipeline).map((f) => f.name)).toEqual(['domain-win10.xml', 'dmesg.txt'])
    expect(sameKindNames('dmesg.txt', pipeline)).toEqual(expect.arrayContaining(['DMESG.TXT', 'dmesg.log']))
    // A domain's label comes from its file name: only names that keep it.
    expect(sameKindNames('domain-win10.xml', pipeline)).not.toContain('domain-win10-2.xml')
  })
})
