// The last step of the build: runs the built commands once, in one Node.js process with no flags of
// its own (V8 accepts a cache only under the flags that made it), and has src/util/code-cache.cjs
// write V8's code cache of every bundle file they loaded into dist/bundle/code-cache/<node>-<arch>.
// The runs read the repository's fixtures and print nowhere; none writes a file, and the one live
// check reads an empty folder as its root and asks only libvirt's test:/// driver.
import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {FORMATS} from '../dist/src/report/render.js'

const root = resolve(import.meta.dirname, '..')
const fixture = (name) => join(root, 'fixtures', name)
const emptyRoot = mkdtempSync(join(tmpdir(), 'vfio-doctor-build-'))

const runs = [
  ['--version'],
  ['--help'],
  ['check', '--help'],
  ['list'],
  ['list', '--json'],
  ['explain', 'iommu-firmware-off'],
  ['explain', 'iommu-firmware-off', '--json'],
  // The host with the most kinds of evidence, in every format. Training on every host as well made
  // the caches a fifth larger and a check slower (V8 reads a file's whole cache), so the rest is
  // compiled as it runs.
  ...FORMATS.map((format) => ['check', '--input', fixture('secrets-host'), '--format', format]),
  ['check', '--input', fixture('seed-001-looking-glass'), '--verbose'],
  ['groups', '--input', fixture('seed-001-healthy')],
  ['groups', '--input', fixture('seed-001-healthy'), '--format', 'svg'],
  ['plan', '--input', fixture('seed-004-igpu-bound')],
  // A live check under an empty root reads nothing of this machine and runs only virsh (execa's path).
  ['check', '--root', emptyRoot, '--quiet', '--libvirt-uri', 'test:///default'],
]

const bundle = join(root, 'dist/bundle')
rmSync(join(bundle, 'code-cache'), {recursive: true, force: true})
const program = `
process.env.OCLIF_DISABLE_ENGINE_WARNING = '1'
require(${JSON.stringify(join(bundle, 'code-cache.cjs'))}).recordCodeCache()
const {run, settings} = require(${JSON.stringify(join(bundle, 'run.cjs'))})
settings.enableAutoTranspile = false
;(async () => {
  for (const argv of ${JSON.stringify(runs)}) await run(argv, ${JSON.stringify(join(root, 'bin/run.cjs'))})
  // A check with findings sets exit status 1; the build only fails when a run throws.
  process.exitCode = 0
})()
`
try {
  execFileSync(process.execPath, ['-e', program], {cwd: root, stdio: ['ignore', 'ignore', 'inherit'], env: {...process.env, NO_COLOR: '1'}})
} finally {
  rmSync(emptyRoot, {recursive: true, force: true})
}
