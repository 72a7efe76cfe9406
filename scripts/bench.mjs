// `npm run bench`: start-up and throughput of the built CLI, against the floor of starting Node.
// Median of RUNS runs after one warm-up; peak RSS from the kernel (wait4 rusage via /usr/bin/time
// where present, else a preload that reports process.resourceUsage()).
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {generateHost} from './gen-host.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const bin = join(root, 'bin/run.js')
const RUNS = Number(process.env.BENCH_RUNS ?? 5)
const work = mkdtempSync(join(tmpdir(), 'vfio-doctor-bench-'))
const rssFile = join(work, 'rss')
const preload = join(work, 'rss.cjs')
writeFileSync(preload, `process.on('exit', () => require('fs').appendFileSync(${JSON.stringify(rssFile)}, process.resourceUsage().maxRSS + '\\n'))\n`)

function once(args) {
  rmSync(rssFile, {force: true})
  const start = process.hrtime.bigint()
  const r = spawnSync(process.execPath, args, {env: {...process.env, NODE_OPTIONS: `--require ${preload}`, NO_COLOR: '1'}, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26})
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`)
  let rss = 0
  try {
    rss = Math.max(...require_('fs').readFileSync(rssFile, 'utf8').trim().split('\n').map(Number))
  } catch {}
  return {ms, rssMB: rss / 1024}
}

// ESM has no require; this keeps the preload CommonJS and the script ESM.
import {createRequire} from 'node:module'
const require_ = createRequire(import.meta.url)

function measure(label, args) {
  once(args) // warm-up: file cache, JIT caches
  const runs = Array.from({length: RUNS}, () => once(args))
  const ms = runs.map((r) => r.ms).sort((a, b) => a - b)
  return {label, median: ms[Math.floor(ms.length / 2)], min: ms[0], rssMB: Math.max(...runs.map((r) => r.rssMB))}
}

const rows = []
const floor = measure('node -e 0 (the floor)', ['-e', '0'])
rows.push(floor)
rows.push(measure('vfio-doctor --version', [bin, '--version']))
const seed = join(root, 'fixtures/seed-000-vtd-off')
// On a terminal the text report is not redacted; piped (as here) it is: both are measured.
rows.push(measure('check --input seed-000 (text as on a terminal)', [bin, 'check', '--input', seed, '--no-redact']))
rows.push(measure('check --input seed-000 (text piped: redacted)', [bin, 'check', '--input', seed]))

const series = [
  ['IOMMU groups', [10, 100, 1000], (n) => ({groups: n, logMB: 0, domains: 0})],
  ['MB kernel log', [1, 10, 50], (n) => ({groups: 10, logMB: n, domains: 0})],
  ['libvirt domains', [1, 10, 100], (n) => ({groups: 10, logMB: 0, domains: n})],
]
const growth = []
for (const [what, sizes, spec] of series) {
  let previous
  for (const n of sizes) {
    const dir = await generateHost(join(work, `${what.replace(/\W+/g, '-')}-${n}`), spec(n))
    const row = measure(`check --input: ${n} ${what}`, [bin, 'check', '--input', dir, '--format', 'json'])
    rows.push(row)
    if (previous) growth.push(`${what} ${previous.n} -> ${n} (x${n / previous.n}): time above floor x${((row.median - floor.median) / Math.max(1, previous.row.median - floor.median)).toFixed(2)}`)
    previous = {n, row}
  }
}
const big = await generateHost(join(work, 'big'), {groups: 1000, logMB: 50, domains: 100})
rows.push(measure('check --input: 1,000 groups + 50 MB log + 100 domains', [bin, 'check', '--input', big, '--format', 'json']))
rows.push(measure('check (live, this machine)', [bin, 'check', '--quiet', '--format', 'json']))

const pad = (s, n) => String(s).padEnd(n)
console.log(`\nvfio-doctor bench: median of ${RUNS} runs after a warm-up; node ${process.version}; ${process.arch}\n`)
console.log(`${pad('what', 58)} ${pad('median ms', 10)} ${pad('x floor', 8)} ${pad('peak RSS MB', 11)}`)
for (const r of rows) console.log(`${pad(r.label, 58)} ${pad(r.median.toFixed(0), 10)} ${pad((r.median / floor.median).toFixed(2), 8)} ${pad(r.rssMB.toFixed(0), 11)}`)
console.log('\nGrowth (ten times the input should cost at most ten times the time above the floor):')
for (const g of growth) console.log(`  ${g}`)
rmSync(work, {recursive: true, force: true})
await import('./bench-parsers.mjs')
