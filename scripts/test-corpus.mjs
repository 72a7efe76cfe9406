// The corpus tier: every test file that reads ../shared (the real public data and the seed
// documents), found through its imports, run with that data required. `npm test` runs the same
// files too, skipping their corpus cases where ../shared is absent (a fresh clone elsewhere).
import {spawnSync} from 'node:child_process'
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'

const root = resolve(dirname(new URL(import.meta.url).pathname), '..')
for (const dir of ['corpus', 'seeds']) {
  if (!existsSync(join(root, '..', 'shared', dir))) {
    console.error(`test:corpus: ../shared/${dir} is not next to this checkout; the corpus tier needs it`)
    process.exit(1)
  }
}

const READS_SHARED = /\b(hasShared|corpusDir|seedsDir|readShared)\b/
const IMPORT = /^import\s[^'"]*['"](\.{1,2}\/[^'"]+)['"]/gm

function testFiles(dir) {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : []))
}

const verdicts = new Map()
/** Whether a test module, or a module of the repository it imports, reads ../shared. */
function readsShared(file) {
  if (verdicts.has(file)) return verdicts.get(file)
  verdicts.set(file, false)
  const text = readFileSync(file, 'utf8')
  const imported = [...text.matchAll(IMPORT)].map((m) => resolve(dirname(file), m[1].replace(/\.js$/, '.ts'))).filter((f) => f.startsWith(join(root, 'test')) && existsSync(f))
  const verdict = READS_SHARED.test(text) || imported.some(readsShared)
  verdicts.set(file, verdict)
  return verdict
}

const files = testFiles(join(root, 'test')).filter(readsShared).map((f) => relative(root, f))
console.error(`test:corpus: ${files.length} test files read ../shared`)
const run = spawnSync('npx', ['vitest', 'run', ...files], {cwd: root, stdio: 'inherit'})
process.exit(run.status ?? 1)
