// Parser throughput (MB/s, 1 MB = 2^20 bytes as in gen-host.mjs) on real-shaped input, and the
// 50 MB kernel log. Input is the repository's own evidence (fixtures/ and test/devset/cases/)
// repeated to size; when ../shared/corpus is next to the checkout, its files add rows marked
// "corpus". Each parser runs in a child process so one's heap does not count for another.
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {generateHost} from './gen-host.mjs'
import {median} from './bench/stats.mjs'
import {printTable} from './bench/table.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const corpus = join(root, '../shared/corpus')
const EVIDENCE_DIRS = ['fixtures', 'test/devset/cases']
export const PARSE_RUNS = 5

/** `files`: evidence file names to gather; `corpusFile`: the corpus file for the corpus row. */
const PARSERS = [
  {label: 'kernel log', module: 'dist/src/parse/kernel-log.js', fn: 'parseKernelLog', args: [], mb: 10, files: ['dmesg.txt'], corpusFile: 'dmesg/Crany-web__log__dmesg.txt'},
  {label: 'lspci', module: 'dist/src/parse/lspci.js', fn: 'parseLspci', args: [], mb: 5, files: ['lspci-nnk.txt', 'lspci-nn.txt', 'lspci.txt'], corpusFile: 'lspci/kitakar5525__note-linux-on-surface-book-1__lspci-nnvvv.log'},
  {label: 'IOMMU listing', module: 'dist/src/parse/iommu-listing.js', fn: 'parseIommuListing', args: [], mb: 5, files: ['iommu-groups.txt'], corpusFile: 'iommu-groups/alshdavid-labs__vfio-log__iommu-groups.txt'},
  {label: 'domain XML', module: 'dist/src/parse/domain-xml.js', fn: 'parseDomainXml', args: ['domain.xml'], mb: 1, files: ['domain-win10.xml', 'win10.xml', 'vm.xml'], corpusFile: 'libvirt-domains-real/bryansteiner__gpu-passthrough-tutorial__kvm_win10.xml'},
  {label: 'NixOS configuration', module: 'dist/src/parse/nix-config.js', fn: 'parseNixConfig', args: ['configuration.nix'], mb: 0.5, files: ['configuration.nix']},
  {label: 'free-form log', module: 'dist/src/parse/free-log.js', fn: 'scanFreeLog', args: ['qemu.log'], mb: 5, files: ['journal.txt', 'qemu-win10.log', 'win10.log'], corpusFile: 'dmesg/VenRoot__logs__journalctl.log'},
]

// One child: read the input, parse it `runs` times, print the median time and the peak RSS.
const child = `
const [module, fn, file, runs, args] = process.argv.slice(1)
const parse = (await import(module))[fn]
const {readFileSync} = await import('node:fs')
const text = readFileSync(file, 'utf8')
const times = []
for (let i = 0; i < Number(runs); i++) {
  const start = process.hrtime.bigint()
  parse(text, ...JSON.parse(args))
  times.push(Number(process.hrtime.bigint() - start) / 1e6)
}
console.log(JSON.stringify({times, rssMiB: process.resourceUsage().maxRSS / 1024, inputMB: Buffer.byteLength(text) / 1048576}))
`
function parseInChild(parser, file, runs) {
  const argv = ['--input-type=module', '-e', child, join(root, parser.module), parser.fn, file, String(runs), JSON.stringify(parser.args)]
  const result = spawnSync(process.execPath, argv, {encoding: 'utf8', maxBuffer: 1 << 24})
  if (result.status !== 0) throw new Error(`${parser.module} ${parser.fn}: ${result.stderr}`)
  const {times, rssMiB, inputMB} = JSON.parse(result.stdout)
  const ms = median(times)
  return {inputMB, ms, mbPerSecond: inputMB / (ms / 1000), rssMiB}
}

/** Every distinct file of these names in the repository's evidence folders. */
function evidenceTexts(names) {
  const texts = new Set()
  for (const dir of EVIDENCE_DIRS.map((d) => join(root, d))) {
    for (const host of readdirSync(dir)) {
      for (const name of names) {
        const file = join(dir, host, name)
        if (existsSync(file)) texts.add(readFileSync(file, 'utf8'))
      }
    }
  }
  return [...texts]
}

/** A file of about `mb` MB made by repeating real text, so throughput is measured on real shapes. */
function repeated(file, texts, mb) {
  const text = texts.join('\n')
  const copies = Math.max(1, Math.round((mb * 1048576) / Buffer.byteLength(text)))
  writeFileSync(file, Array(copies).fill(text).join('\n'))
  return file
}

/** Throughput rows (one per parser and input source) and the 50 MB kernel log's figures. */
export async function measureParsers(work) {
  const hasCorpus = existsSync(corpus)
  const rows = []
  for (const parser of PARSERS) {
    const name = parser.label.replace(/\W+/g, '-')
    const own = repeated(join(work, name), evidenceTexts(parser.files), parser.mb)
    rows.push({what: parser.label, source: 'fixtures + devset', ...parseInChild(parser, own, PARSE_RUNS)})
    if (!hasCorpus || !parser.corpusFile) continue
    const fromCorpus = repeated(join(work, `${name}-corpus`), [readFileSync(join(corpus, parser.corpusFile), 'utf8')], parser.mb)
    rows.push({what: parser.label, source: `corpus: ${parser.corpusFile}`, ...parseInChild(parser, fromCorpus, PARSE_RUNS)})
  }
  const log = join(await generateHost(join(work, 'kernel-log-50'), {groups: 2, logMB: 50, domains: 0}), 'dmesg.txt')
  const kernelLog = parseInChild(PARSERS[0], log, 3)
  return {rows, kernelLog, corpusNote: hasCorpus ? `corpus rows from ${corpus}` : `no ${corpus}: repository evidence only`}
}

export const parserTable = (rows) => ({
  header: ['parser', 'input', 'input MB', 'median ms', 'MB/s', 'peak RSS MiB'],
  rows: rows.map((r) => [r.what, r.source, r.inputMB.toFixed(1), r.ms.toFixed(0), r.mbPerSecond.toFixed(0), r.rssMiB.toFixed(0)]),
})

// `node scripts/bench-parsers.mjs` (after a build): the parser table alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  const work = mkdtempSync(join(tmpdir(), 'vfio-doctor-parsers-'))
  try {
    const {rows, kernelLog, corpusNote} = await measureParsers(work)
    console.log(`Parsers (median of ${PARSE_RUNS}, in-process, one child each; ${corpusNote}):\n`)
    printTable(parserTable(rows))
    console.log(`\n50 MB kernel log: ${kernelLog.ms.toFixed(0)} ms, ${kernelLog.mbPerSecond.toFixed(0)} MB/s, peak RSS ${kernelLog.rssMiB.toFixed(0)} MiB`)
  } finally {
    rmSync(work, {recursive: true, force: true})
  }
}
