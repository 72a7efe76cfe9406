// `npm run fuzz`: random evidence folders made of real corpus files and fixture hosts, mutated, through the whole
// built pipeline (dist/): sources -> facts -> checks -> report -> a rendered format. Every case
// must finish without an exception or a crashed check, with a plain-JSON report.
// FUZZ_RUNS (default 10000) and FUZZ_SEED or FC_SEED (to replay a failure) tune it. Then the metamorphic
// properties on the fixture hosts (no ../shared needed): unrelated log lines, reordered files, CRLF and
// renamed files leave the findings as they are, and removing a finding's decisive lines removes it.
import {existsSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import fc from 'fast-check'
import {DECISIVE_LINES, describeCase, evidenceCase, loadCorpus, loadFixtureHosts, metamorphicCase, runCase, runMetamorphicCase, withoutDecisiveLines} from './fuzz-evidence.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const dist = (p) => import(join(root, 'dist/src', p))
const [{diagnose}, {kindOfFileName}, {labelFor}, {renderReport, FORMATS}] = await Promise.all([
  dist('engine/pipeline.js'),
  dist('sources/kinds.js'),
  dist('sources/evidence.js'),
  dist('report/render.js'),
])
const pipeline = {diagnose, kindOfFileName, labelFor, renderReport, formats: FORMATS}

const runs = Number(process.env.FUZZ_RUNS ?? 10_000)
const chosenSeed = process.env.FUZZ_SEED ?? process.env.FC_SEED
const seed = chosenSeed === undefined ? Date.now() ^ (Math.random() * 0x7fffffff) : Number(chosenSeed)
const corpusDir = join(root, '../shared/corpus')

await metamorphic()
if (!existsSync(corpusDir)) {
  console.log(`vfio-doctor fuzz: no ${corpusDir}, no corpus to fuzz; skipped`)
  process.exit(0)
}
const corpus = loadCorpus(corpusDir, join(root, 'fixtures'))
const corpusFiles = Object.values(corpus.texts).reduce((n, list) => n + list.length, 0)

console.log(`vfio-doctor fuzz: ${runs} cases, seed ${seed}, ${corpusFiles} corpus files and ${corpus.hosts.length} fixture hosts, node ${process.version}`)
const started = performance.now()
let cases = 0
let lastReport = started
const result = await fc.check(
  fc.asyncProperty(evidenceCase(corpus), fc.nat(), async (c, format) => {
    cases++
    if (performance.now() - lastReport > 10_000) {
      lastReport = performance.now()
      console.log(`  ${cases} cases, ${((lastReport - started) / 1000).toFixed(0)} s`)
    }
    await runCase(c, pipeline, format)
  }),
  {numRuns: runs, seed, endOnFailure: false},
)
const seconds = (performance.now() - started) / 1000
console.log(`${cases} cases (${result.numRuns} generated, ${result.numShrinks} shrinks) in ${seconds.toFixed(1)} s: ${(seconds * 1000 / Math.max(1, cases)).toFixed(1)} ms a case`)
if (result.failed) {
  const [c] = result.counterexample ?? []
  console.error(`\nFAILED after ${result.numRuns} cases: ${result.errorInstance instanceof Error ? result.errorInstance.message : String(result.error)}`)
  console.error(`replay: FUZZ_SEED=${result.seed} FUZZ_RUNS=${runs} npm run fuzz   (fast-check path ${result.counterexamplePath})`)
  if (c) console.error(JSON.stringify(describeCase(c), null, 2))
  process.exit(1)
}
console.log('no failure')

/** The metamorphic properties on the fixture hosts; exits 1 on the first that fails. */
async function metamorphic() {
  const hosts = loadFixtureHosts(join(root, 'fixtures'))
  const runs = Math.max(100, Math.floor(Number(process.env.FUZZ_RUNS ?? 10_000) / 10))
  console.log(`vfio-doctor fuzz: metamorphic, ${runs} cases on ${hosts.length} fixture hosts, seed ${seed}`)
  const result = fc.check(fc.property(metamorphicCase(hosts), (c) => runMetamorphicCase(c, hosts, pipeline)), {numRuns: runs, seed})
  const decisive = DECISIVE_LINES.flatMap((d) => {
    const {before, after} = withoutDecisiveLines(d, hosts, pipeline)
    const target = (f) => f === d.finding || f.startsWith(`${d.finding} `)
    const ok = before.filter(target).length === 1 && JSON.stringify(after) === JSON.stringify(before.filter((f) => !target(f)))
    return ok ? [] : [`${d.host}: without its decisive lines ${JSON.stringify(before)} became ${JSON.stringify(after)}`]
  })
  if (result.failed || decisive.length) {
    if (result.failed) console.error(`FAILED: ${result.errorInstance instanceof Error ? result.errorInstance.message : String(result.error)}\nreplay: FUZZ_SEED=${result.seed} npm run fuzz`)
    for (const d of decisive) console.error(`FAILED: ${d}`)
    process.exit(1)
  }
  console.log(`  ${runs} metamorphic cases and ${DECISIVE_LINES.length} decisive-line cases: no failure`)
}
