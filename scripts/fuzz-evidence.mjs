// Random evidence folders made of real corpus files (../shared/corpus, read in place, never copied)
// and of the fixture hosts (whole, so that the checks needing many facts run too), mutated the ways
// pastes and broken hosts mutate them, and the property every one must satisfy when run through
// the whole pipeline. Shared by test/hostile/fuzz.test.ts (a few hundred cases, from src/) and
// scripts/fuzz.mjs (`npm run fuzz`: ten thousand and more, from the built dist/).
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import fc from 'fast-check'

/** Corpus folder -> the file name that folder's texts are given when they are not renamed. */
const FOLDERS = {
  dmesg: ['dmesg.txt', 'journalctl-k.log'],
  lspci: ['lspci-nnk.txt', 'lspci.txt'],
  'iommu-groups': ['iommu-groups.txt'],
  cpuinfo: ['cpuinfo.txt'],
  'libvirt-domains-real': ['domain-win10.xml'],
  'libvirt-domains': ['domain-test.xml', 'vm.xml'],
}

/** Every name the evidence-folder contract knows, for texts renamed to the wrong kind. */
const ANY_NAME = [
  'dmesg.txt', 'journalctl.log', 'cmdline.txt', 'cpuinfo.txt', 'iommu-groups.txt', 'lspci-nnk.txt', 'pci-sysfs.txt', 'modules.txt',
  'os-release.txt', 'uname.txt', 'proc-version.txt', 'permissions.txt', 'dev-nodes.txt', 'groups.txt', 'domain-win11.xml',
  'qemu-win11.log', 'virt-manager-error.txt', 'configuration.nix', 'modprobe-vfio.conf', 'current-system-kernel-params.txt',
  'booted-system-kernel-params.txt', 'current-system-target.txt', 'booted-system-target.txt', 'kvm-params.txt', 'virsh-list.txt',
  'acpi-tables.txt', 'sys-class-iommu.txt', 'systemd-detect-virt.txt', 'notes.txt',
]

/** Characters that break parsers when they land in the wrong place. */
const HOSTILE_CHARS = ['\0', '\r', '\n', '\r\n', '<', '>', '&', '&lol;', '"', "'", '[', ']', '{', '}', '(', ')', ':', '=', ',', '.', ' ', '\t', '\\', '\ufffd', '\u001b[2J', '\ud800', '${', "''", '/*', 'é', '💥', '0000:01:00.0', '10de:1b81', '-1', '99999999999999999999']

const readFolder = (dir) =>
  readdirSync(dir)
    .sort()
    .filter((name) => statSync(join(dir, name)).isFile())
    .map((name) => ({name, text: readFileSync(join(dir, name), 'utf8')}))

/** The corpus and the fixture hosts, read once: {texts: {folder: [{name, text}]}, hosts: [{name, files}]}. */
export function loadCorpus(corpusDir, fixturesDir) {
  const texts = {}
  for (const folder of Object.keys(FOLDERS)) texts[folder] = readFolder(join(corpusDir, folder))
  const hosts = fixturesDir
    ? readdirSync(fixturesDir)
        .sort()
        .filter((name) => statSync(join(fixturesDir, name)).isDirectory())
        .map((name) => ({name, files: readFolder(join(fixturesDir, name))}))
    : []
  return {texts, hosts}
}

const fraction = fc.integer({min: 0, max: 1_000_000}).map((n) => n / 1_000_000)

/** One mutation of a text: what truncation, line-end conversion, corruption and pasting do. */
const mutation = fc.oneof(
  {weight: 4, arbitrary: fc.constant({kind: 'none'})},
  {weight: 3, arbitrary: fraction.map((at) => ({kind: 'truncate', at}))},
  {weight: 2, arbitrary: fc.tuple(fraction, fraction).map(([a, b]) => ({kind: 'slice', from: Math.min(a, b), to: Math.max(a, b)}))},
  {weight: 1, arbitrary: fc.constant({kind: 'crlf'})},
  {weight: 1, arbitrary: fc.constant({kind: 'cr'})},
  {weight: 3, arbitrary: fc.array(fc.tuple(fraction, fc.constantFrom(...HOSTILE_CHARS)), {minLength: 1, maxLength: 30}).map((flips) => ({kind: 'flip', flips}))},
  {weight: 1, arbitrary: fc.tuple(fraction, fc.integer({min: 1, max: 5000})).map(([at, length]) => ({kind: 'nul-run', at, length}))},
  {weight: 1, arbitrary: fc.constant({kind: 'double'})},
  {weight: 1, arbitrary: fc.constant({kind: 'empty'})},
)

export function mutate(text, m) {
  const at = (f) => Math.floor(text.length * f)
  switch (m.kind) {
    case 'truncate':
      return text.slice(0, at(m.at))
    case 'slice':
      return text.slice(at(m.from), at(m.to))
    case 'crlf':
      return text.replace(/\r?\n/g, '\r\n')
    case 'cr':
      return text.replace(/\r?\n/g, '\r')
    case 'flip': {
      let t = text
      for (const [f, ch] of m.flips) {
        const i = Math.floor(t.length * f)
        t = `${t.slice(0, i)}${ch}${t.slice(i + 1)}`
      }
      return t
    }
    case 'nul-run':
      return `${text.slice(0, at(m.at))}${'\0'.repeat(m.length)}${text.slice(at(m.at))}`
    case 'double':
      return `${text}${text}`
    case 'empty':
      return ''
    default:
      return text
  }
}

const mutations = fc.array(mutation, {maxLength: 3})
const rename = fc.oneof({weight: 3, arbitrary: fc.constant(null)}, {weight: 1, arbitrary: fc.constantFrom(...ANY_NAME)})

function mutated(text, name, from, ms, newName) {
  return {name: newName ?? name, from, mutations: ms.map((m) => m.kind), text: ms.reduce(mutate, text)}
}

/** One file of the folder: a corpus text, mutated 0-3 times, under its own name or another kind's. */
function fileArbitrary(corpus) {
  const folders = Object.keys(FOLDERS)
  return fc.record({folder: fc.constantFrom(...folders), pick: fc.nat(), mutations, rename, ownName: fc.nat()}).map(({folder, pick, mutations: ms, rename: newName, ownName}) => {
    const source = corpus.texts[folder][pick % corpus.texts[folder].length]
    const names = FOLDERS[folder]
    return mutated(source.text, names[ownName % names.length], `corpus/${folder}/${source.name}`, ms, newName)
  })
}

/** A fixture host whole, some files mutated, renamed or dropped, and corpus files added to it. */
function hostFiles(corpus) {
  return fc
    .record({
      host: fc.nat(),
      changes: fc.array(fc.record({file: fc.nat(), mutations, rename, drop: fc.boolean()}), {maxLength: 3}),
      added: fc.array(fileArbitrary(corpus), {maxLength: 2}),
    })
    .map(({host, changes, added}) => {
      const {name: hostName, files} = corpus.hosts[host % corpus.hosts.length]
      const out = files.map((f) => mutated(f.text, f.name, `fixtures/${hostName}/${f.name}`, [], null))
      for (const change of changes) {
        const i = change.file % out.length
        if (change.drop) out.splice(i, 1)
        else out[i] = mutated(out[i].text, out[i].name, out[i].from, change.mutations, change.rename)
        if (out.length === 0) break
      }
      return [...out, ...added]
    })
}

const STATUSES = ['missing', 'denied', 'timeout', 'error']
const UNREADABLE_KINDS = ['kernelLog', 'cmdline', 'cpuinfo', 'iommuListing', 'pciSysfs', 'lspci', 'domainXml', 'virshList', 'userGroups', 'permissions', 'nixSystem', 'devNodes', 'modules']

/** A whole case: 1-8 corpus files or a fixture host, some sources the "host" could not read, live or input mode, maybe a --gpu. */
export function evidenceCase(corpus) {
  const loose = fc.array(fileArbitrary(corpus), {minLength: 1, maxLength: 8})
  return fc.record({
    files: corpus.hosts.length ? fc.oneof(loose, hostFiles(corpus)) : loose,
    unreadable: fc.array(
      fc.record({kind: fc.constantFrom(...UNREADABLE_KINDS), status: fc.constantFrom(...STATUSES)}).map((s) => ({...s, origin: `${s.kind} (fuzz)`, reason: `${s.kind} could not be read`})),
      {maxLength: 3},
    ),
    mode: fc.constantFrom('input', 'live'),
    gpu: fc.oneof({weight: 4, arbitrary: fc.constant(null)}, {weight: 1, arbitrary: fc.constantFrom('01:00.0', '0000:01:00.0', '0000:0a:00.0', 'ff:1f.7', '1:2', 'not-an-address', '')}),
  })
}

/** The SourceSet a case stands for, built the way test/helpers/check-tester.ts builds one from inline files. */
export function sourceSetOf(c, {kindOfFileName, labelFor}) {
  const sources = c.files.map((f) => {
    const kind = kindOfFileName(f.name)
    const label = labelFor(kind, f.name)
    return {kind, origin: f.name, ...(label ? {label} : {}), status: 'ok', text: f.text}
  })
  return {mode: c.mode, root: 'fuzz', sources: [...sources, ...c.unreadable]}
}

/** The first thing in a value JSON cannot carry faithfully (NaN, a Map, a function...), as a path. */
export function notJsonSafe(value, path = 'report') {
  if (value === null || value === undefined || typeof value === 'string' || typeof value === 'boolean') return undefined
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `${path} is ${value}`
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const bad = notJsonSafe(v, `${path}[${i}]`)
      if (bad) return bad
    }
    return undefined
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value)) {
      const bad = notJsonSafe(v, `${path}.${k}`)
      if (bad) return bad
    }
    return undefined
  }
  return `${path} is a ${value?.constructor?.name ?? typeof value}`
}

/**
 * The property: sources -> facts -> checks -> report never throws, no check crashes, the report is
 * plain JSON, and it renders in the format the case picks. Throws with what went wrong.
 */
export async function runCase(c, pipeline, formatIndex = 0) {
  const set = sourceSetOf(c, pipeline)
  const {facts, report} = pipeline.diagnose(set, c.gpu === null ? {} : {gpu: c.gpu})
  const crashed = report.checks.filter((x) => x.status === 'crashed')
  if (crashed.length) throw new Error(`crashed: ${crashed.map((x) => `${x.id}: ${x.reason}`).join('; ')}`)
  const bad = notJsonSafe(report)
  if (bad) throw new Error(`not JSON-serialisable: ${bad}`)
  JSON.parse(JSON.stringify(report))
  if (pipeline.renderReport) {
    const format = pipeline.formats[formatIndex % pipeline.formats.length]
    const out = await pipeline.renderReport(report, {format, set, facts, failOn: 'error', verbose: true})
    if (typeof out !== 'string' || out.length === 0) throw new Error(`${format}: empty output`)
  }
  return report
}

/** What a failing case was made of, short enough to print. */
export function describeCase(c) {
  return {
    files: c.files.map((f) => `${f.name} <- ${f.from}${f.mutations.length ? ` [${f.mutations.join(', ')}]` : ''} (${f.text.length} chars)`),
    unreadable: c.unreadable.map((u) => `${u.kind}: ${u.status}`),
    mode: c.mode,
    gpu: c.gpu,
  }
}
