// `npm run bench`: the built CLI against issue 15's targets (scripts/bench/targets.mjs). Each
// command alternates with the floor, `node -e 0`; its ratio is the median of run / floor run next
// to it. Prints the table, rewrites the measured block of docs/performance.md, exits 1 on a miss.
//   BENCH_RUNS=n        alternating runs per command (default 5; the 50 MB host takes at most 3)
//   BENCH_FIXTURES=all  every fixture host, not the subset that covers every kind of evidence
//   BENCH_HUGE=1        the 500 MB kernel log in every format, not JSON alone (minutes)
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {generateHost} from './gen-host.mjs'
import {measureParsers, parserTable} from './bench-parsers.mjs'
import {processRunner} from './bench/alternate.mjs'
import {fixtureHosts} from './bench/fixture-cover.mjs'
import {describeMachine, loadAverage} from './bench/machine.mjs'
import {measuredBlock, writeMeasuredBlock} from './bench/performance-doc.mjs'
import {median, summarize} from './bench/stats.mjs'
import {printTable} from './bench/table.mjs'
import {describeLimit, FORMATS, misses, TARGETS} from './bench/targets.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const bin = join(root, 'bin/run.cjs')
const runs = Number(process.env.BENCH_RUNS ?? 5)
const everyFixture = process.env.BENCH_FIXTURES === 'all'
const hugeFormats = process.env.BENCH_HUGE === '1' ? FORMATS : ['json']
const started = Date.now()
const loadBefore = loadAverage()
const work = mkdtempSync(join(tmpdir(), 'vfio-doctor-bench-'))

const generated = new Map()
const inputs = {
  fixtures: fixtureHosts(join(root, 'fixtures'), everyFixture),
  hugeFormats,
  host: (name, spec) => generated.get(name) ?? generated.set(name, generateHost(join(work, name), spec)).get(name),
}
/** The targets whose run count or warm-up the table sets apart from BENCH_RUNS. */
function exceptions() {
  const apart = TARGETS.filter((t) => t.runs && (t.runs(runs) !== runs || t.warmUp === false))
  const each = apart.map((t) => `${t.id} ${t.runs(runs)}${t.warmUp === false ? ' without warm-up' : ''}`)
  return each.length ? ` (${each.join('; ')})` : ''
}
const settings = {
  runsNote: `Each command: one warm-up, then ${runs} runs alternating with \`node -e 0\`${exceptions()}.`,
  fixturesNote: everyFixture ? 'Every fixture host.' : `Fixture hosts that together hold every kind of evidence file (BENCH_FIXTURES=all for all): ${inputs.fixtures.map((dir) => dir.split('/').at(-1)).join(', ')}.`,
  hugeNote: hugeFormats.length === FORMATS.length ? 'The 500 MB log in every format.' : 'The 500 MB log in JSON only (BENCH_HUGE=1 for every format).',
}

const columns = ['what', 'median ms', '× floor', 'target', 'peak RSS MiB', 'verdict']
const verdict = (r) => (r.limit === '' ? '' : r.misses.length ? `MISS ${r.misses.join(', ')}` : 'pass')
const judged = (target, what, figures) => ({target: target.id, what, ...figures, limit: describeLimit(target.limit), misses: misses(target.limit, figures)})
const cells = (r) => [r.what, r.ms.toFixed(0), r.ratio === undefined ? '-' : `${r.ratio.toFixed(2)}×`, r.limit, r.rssMiB.toFixed(0), verdict(r)]

try {
  const runner = processRunner(work)
  settings.rssSource = runner.rssSource
  console.log(`vfio-doctor bench: ${settings.runsNote}\n${settings.fixturesNote}\n${settings.hugeNote}\nPeak RSS from ${runner.rssSource}.\n`)
  console.log(columns.join('  '))
  const results = []
  const floorRuns = []
  for (const target of TARGETS.filter((t) => t.commands)) {
    for (const command of await target.commands(inputs)) {
      const {floor, command: runsOfCommand} = runner.alternate([bin, ...command.argv], target.runs(runs), target.warmUp ?? true)
      floorRuns.push(...floor)
      const result = judged(target, command.what, summarize(runsOfCommand, floor))
      results.push(result)
      console.log(cells(result).join('  '))
    }
  }

  const parsers = await measureParsers(work)
  const parseTarget = TARGETS.find((t) => t.id === 'kernel-log-parse')
  const {kernelLog} = parsers
  results.push(judged(parseTarget, `parse the 50 MB kernel log: ${kernelLog.mbPerSecond.toFixed(0)} MB/s`, kernelLog))
  const floorRow = {what: 'node -e 0 (the floor)', ms: median(floorRuns.map((r) => r.ms)), ratio: 1, limit: '', rssMiB: Math.max(...floorRuns.map((r) => r.rssMiB)), misses: []}
  const table = {header: columns, rows: [floorRow, ...results].map(cells)}

  console.log('')
  printTable(table)
  console.log(`\nParsers (${parsers.corpusNote}):\n`)
  printTable(parserTable(parsers.rows))

  const missed = results.filter((r) => r.misses.length).map((r) => `${r.what} (${r.target}): ${r.misses.join(', ')}`)
  Object.assign(settings, {loadBefore, loadAfter: loadAverage(), elapsed: `${((Date.now() - started) / 60000).toFixed(1)} min`})
  writeMeasuredBlock(join(root, 'docs/performance.md'), measuredBlock({machine: describeMachine(), settings, results: table, parsers: {corpusNote: parsers.corpusNote, table: parserTable(parsers.rows)}, misses: missed}))
  console.log(`\nLoad average ${loadBefore} before, ${settings.loadAfter} after; ${settings.elapsed}. Wrote docs/performance.md.`)
  if (missed.length) {
    console.log(`\n${missed.length} target(s) missed:\n${missed.map((m) => `  ${m}`).join('\n')}`)
    process.exitCode = 1
  } else {
    console.log('\nEvery target met.')
  }
} finally {
  rmSync(work, {recursive: true, force: true})
}
