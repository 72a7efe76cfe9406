// `npm run golden`: the one way to rewrite test/golden/. It runs the golden test with UPDATE_GOLDEN=1,
// then prints, fixture by fixture, how the findings in each <host>.json changed, and fails when a
// host's new findings are not the ones its fixtures/<host>.expected.json lists (with their reasons):
// a golden may follow the tool only where the independent expectation already says so.
import {spawnSync} from 'node:child_process'
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const goldenDir = join(root, 'test/golden')
const fixturesDir = join(root, 'fixtures')

/** host -> "severity id subject" lines of its golden JSON report. */
function goldenFindings() {
  const out = new Map()
  if (!existsSync(goldenDir)) return out
  for (const file of readdirSync(goldenDir).filter((f) => f.endsWith('.json'))) {
    const report = JSON.parse(readFileSync(join(goldenDir, file), 'utf8'))
    out.set(file.slice(0, -'.json'.length), report.findings.map((f) => `${f.severity} ${f.id}${f.subject ? ` ${f.subject}` : ''}`).sort())
  }
  return out
}

/** The expected findings, compared as fixtures.test.ts compares them: the subject only where the list gives one. */
function disagreement(host, found) {
  const file = join(fixturesDir, `${host}.expected.json`)
  if (!existsSync(file)) return `${host} has no fixtures/${host}.expected.json`
  const expected = JSON.parse(readFileSync(file, 'utf8')).findings
  const withSubject = expected.some((e) => e.subject)
  const want = expected.map((e) => `${e.severity} ${e.id}${e.subject ? ` ${e.subject}` : ''}`).sort()
  const got = found.map((f) => (withSubject ? f : f.split(' ').slice(0, 2).join(' '))).sort()
  return JSON.stringify(got) === JSON.stringify(want) ? undefined : `${host}: the golden report has ${JSON.stringify(got)}, ${host}.expected.json lists ${JSON.stringify(want)}`
}

const before = goldenFindings()
const run = spawnSync('npx', ['vitest', 'run', 'test/report/golden.test.ts'], {cwd: root, stdio: 'inherit', env: {...process.env, UPDATE_GOLDEN: '1'}})
if (run.status !== 0) process.exit(run.status ?? 1)
const after = goldenFindings()

let changed = 0
for (const [host, now] of [...after].sort()) {
  const was = before.get(host) ?? []
  const gone = was.filter((f) => !now.includes(f))
  const added = now.filter((f) => !was.includes(f))
  if (!gone.length && !added.length) continue
  changed++
  console.log(`\n${host}: findings changed`)
  for (const f of gone) console.log(`  - ${f}`)
  for (const f of added) console.log(`  + ${f}`)
}
console.log(changed ? `\n${changed} fixture host(s) with changed findings: review them with git diff test/golden` : '\nno finding changed in any golden report (git diff test/golden shows what else did)')

const disagreements = [...after].flatMap(([host, found]) => disagreement(host, found) ?? [])
if (disagreements.length) {
  console.error(`\nThe new goldens disagree with the fixtures' expected findings. Change the tool, or change the expected list\nwith the seed line that justifies it (docs/testing.md); then run npm run golden again:\n${disagreements.map((d) => `  ${d}`).join('\n')}`)
  process.exit(1)
}
