// Per-file mutation scores, as the Markdown table docs/testing.md keeps, from Stryker's results: by
// default the committed incremental file (test/mutation/stryker-incremental.json, every mutant measured
// so far), or the JSON report named on the command line (reports/mutation/mutation.json, one run).
// Columns: killed (timeouts count as killed, as Stryker counts them), survived, no coverage, the score,
// the score without string-literal mutants (a finding's message wording, which the check tables assert
// only in part), and the mutants left out of the score: static ones not yet run (`npm run mutate`
// leaves them to `npm run mutate:static`), and those not mutated: the check definitions' meta
// (test/mutation/check-meta-ignorer.mjs) and equivalent mutants marked `// Stryker disable` with a reason.
// A total row per top folder (checks/, src/facts/) sums its measured files.
import {readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const file = process.argv.slice(2).find((a) => !a.startsWith('--'))
const report = JSON.parse(readFileSync(file ?? join(root, 'test/mutation/stryker-incremental.json'), 'utf8'))
const KILLED = new Set(['Killed', 'Timeout'])
const COUNTED = new Set(['Killed', 'Timeout', 'Survived', 'NoCoverage'])
const pct = (n, d) => (d ? `${((100 * n) / d).toFixed(1)}%` : '-')

function row(name, mutants) {
  const counted = mutants.filter((m) => COUNTED.has(m.status))
  const killed = counted.filter((m) => KILLED.has(m.status)).length
  const logic = counted.filter((m) => m.mutatorName !== 'StringLiteral')
  const logicKilled = logic.filter((m) => KILLED.has(m.status)).length
  const count = (status) => mutants.filter((m) => m.status === status).length
  const isStatic = (m) => m.status === 'Ignored' && /static/i.test(m.statusReason ?? '')
  const staticLeft = mutants.filter(isStatic).length
  const notMutated = count('Ignored') - staticLeft
  return `| ${name} | ${counted.length} | ${killed} | ${count('Survived')} | ${count('NoCoverage')} | ${pct(killed, counted.length)} | ${pct(logicKilled, logic.length)} | ${staticLeft} | ${notMutated} |`
}

const files = Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))
console.log('| file | mutants | killed | survived | no coverage | score | without string literals | static, not run | not mutated (meta, equivalent) |')
console.log('|---|---|---|---|---|---|---|---|---|')
for (const [name, {mutants}] of files) console.log(row(name, mutants))
for (const top of ['checks/', 'src/facts/']) {
  const inTop = files.filter(([name]) => name.startsWith(top))
  if (inTop.length) console.log(row(`**${top} (${inTop.length} files measured)**`, inTop.flatMap(([, {mutants}]) => mutants)))
}
if (process.argv.includes('--survivors')) {
  for (const [name, {mutants}] of files) {
    for (const m of mutants.filter((x) => x.status === 'Survived' || x.status === 'NoCoverage')) {
      console.log(`${name}:${m.location.start.line}:${m.location.start.column} ${m.status} ${m.mutatorName} ${JSON.stringify(m.replacement ?? '').slice(0, 90)}`)
    }
  }
}
