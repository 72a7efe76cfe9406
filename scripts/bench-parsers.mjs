// Parser throughput (MB/s) on real-shaped input, and the 50 MB kernel log: time and memory above
// the input itself. Each parser runs in a child process so one's heap does not count for another.
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {generateHost} from './gen-host.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const corpus = join(root, '../shared/corpus')
const work = mkdtempSync(join(tmpdir(), 'vfio-doctor-parsers-'))

// One child: read the input, note RSS, parse RUNS times, print time and peak RSS above the input.
const child = `
const [module, fn, file, runs] = process.argv.slice(1)
const parse = (await import(module))[fn]
const {readFileSync} = await import('node:fs')
const text = readFileSync(file, 'utf8')
globalThis.gc?.()
const before = process.memoryUsage().rss
const times = []
for (let i = 0; i < Number(runs); i++) {
  const t = process.hrtime.bigint()
  parse(text, file)
  times.push(Number(process.hrtime.bigint() - t) / 1e6)
}
times.sort((a, b) => a - b)
const peak = process.resourceUsage().maxRSS * 1024
console.log(JSON.stringify({ms: times[Math.floor(times.length / 2)], extraMB: Math.max(0, peak - before) / 1048576, peakMB: peak / 1048576, inputMB: Buffer.byteLength(text) / 1048576}))
`
function run(module, fn, file, runs = 5) {
  const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', child, join(root, module), fn, file, String(runs)], {encoding: 'utf8', maxBuffer: 1 << 24})
  if (r.status !== 0) throw new Error(`${module} ${fn}: ${r.stderr}`)
  return JSON.parse(r.stdout)
}

/** A file of about `mb` MB made by repeating real text, so throughput is measured on real shapes. */
function repeated(name, sources, mb) {
  const text = sources.map((f) => readFileSync(f, 'utf8')).join('\n')
  const copies = Math.max(1, Math.round((mb * 1048576) / Buffer.byteLength(text)))
  const file = join(work, name)
  writeFileSync(file, Array(copies).fill(text).join('\n'))
  return file
}

const hasCorpus = existsSync(corpus)
if (!hasCorpus) console.log(`\nNo ${corpus}: only the NixOS parser (on a fixture) is measured.`)
const parsers = [
  ...(hasCorpus
    ? [
        ['kernel log', 'dist/src/parse/kernel-log.js', 'parseKernelLog', repeated('dmesg', [join(corpus, 'dmesg/Crany-web__log__dmesg.txt')], 10)],
        ['lspci', 'dist/src/parse/lspci.js', 'parseLspci', repeated('lspci', [join(corpus, 'lspci/kitakar5525__note-linux-on-surface-book-1__lspci-nnvvv.log')], 5)],
        ['IOMMU listing', 'dist/src/parse/iommu-listing.js', 'parseIommuListing', repeated('iommu', [join(corpus, 'iommu-groups/alshdavid-labs__vfio-log__iommu-groups.txt')], 5)],
        ['domain XML', 'dist/src/parse/domain-xml.js', 'parseDomainXml', repeated('domain.xml', [join(corpus, 'libvirt-domains-real/bryansteiner__gpu-passthrough-tutorial__kvm_win10.xml')], 1)],
      ]
    : []),
  ['NixOS configuration', 'dist/src/parse/nix-config.js', 'parseNixConfig', repeated('config.nix', [join(root, 'fixtures/seed-003-healthy/configuration.nix')], 0.5)],
  ...(hasCorpus ? [['free-form log', 'dist/src/parse/free-log.js', 'scanFreeLog', repeated('qemu.log', [join(corpus, 'dmesg/VenRoot__logs__journalctl.log')], 5)]] : []),
]

const pad = (s, n) => String(s).padEnd(n)
console.log(`\nParsers (median of 5, in-process, one child each):\n`)
console.log(`${pad('parser', 22)} ${pad('input MB', 9)} ${pad('median ms', 10)} ${pad('MB/s', 8)}`)
for (const [label, module, fn, file] of parsers) {
  const r = run(module, fn, file)
  console.log(`${pad(label, 22)} ${pad(r.inputMB.toFixed(1), 9)} ${pad(r.ms.toFixed(0), 10)} ${pad((r.inputMB / (r.ms / 1000)).toFixed(0), 8)}`)
}
const big = join(await generateHost(join(work, 'big'), {groups: 2, logMB: 50, domains: 0}), 'dmesg.txt')
const r = run('dist/src/parse/kernel-log.js', 'parseKernelLog', big, 3)
console.log(`\n50 MB kernel log: ${r.ms.toFixed(0)} ms (target < 1,000 ms); peak RSS of the whole process ${r.peakMB.toFixed(0)} MB = ${(r.peakMB / r.inputMB).toFixed(2)}x the input (target < 3x), of which parsing adds ${r.extraMB.toFixed(0)} MB`)
rmSync(work, {recursive: true, force: true})
