// Per-file mutation scores from Stryker's JSON report (reports/mutation/mutation.json, written by
// `npm run mutate`), as the Markdown table docs/testing.md keeps: killed (timeouts count as killed,
// as Stryker counts them), survived, no coverage, the score, and the score without string-literal
// mutants (a finding's message wording, which the check tables assert only in part).
import {readFileSync} from 'node:fs'
import {dirname, join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const file = process.argv.slice(2).find((a) => !a.startsWith('--'))
const report = JSON.parse(readFileSync(file ?? join(root, 'reports/mutation/mutation.json'), 'utf8'))
const KILLED = new Set(['Killed', 'Timeout'])
const COUNTED = new Set(['Killed', 'Timeout', 'Survived', 'NoCoverage'])
const pct = (n, d) => (d ? `${((100 * n) / d).toFixed(1)}%` : '-')

console.log('| file | mutants | killed | survived | no coverage | score | without string literals |')
console.log('|---|---|---|---|---|---|---|')
for (const [file, {mutants}] of Object.entries(report.files).sort()) {
  const counted = mutants.filter((m) => COUNTED.has(m.status))
  const killed = counted.filter((m) => KILLED.has(m.status)).length
  const logic = counted.filter((m) => m.mutatorName !== 'StringLiteral')
  const logicKilled = logic.filter((m) => KILLED.has(m.status)).length
  const count = (status) => counted.filter((m) => m.status === status).length
  console.log(`| ${relative(root, join(root, file))} | ${counted.length} | ${killed} | ${count('Survived')} | ${count('NoCoverage')} | ${pct(killed, counted.length)} | ${pct(logicKilled, logic.length)} |`)
}
if (process.argv.includes('--survivors')) {
  for (const [file, {mutants}] of Object.entries(report.files).sort()) {
    for (const m of mutants.filter((x) => x.status === 'Survived' || x.status === 'NoCoverage')) {
      console.log(`${file}:${m.location.start.line} ${m.status} ${m.mutatorName} ${JSON.stringify(m.replacement ?? '').slice(0, 90)}`)
    }
  }
}
