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
  return {texts, hosts: fixturesDir ? loadFixtureHosts(fixturesDir) : []}
}

/** The fixture hosts (in the repository, so the metamorphic properties run without ../shared): [{name, files}]. */
export function loadFixtureHosts(fixturesDir) {
  return readdirSync(fixturesDir)
    .sort()
    .filter((name) => statSync(join(fixturesDir, name)).isDirectory())
    .map((name) => ({name, files: readFolder(join(fixturesDir, name))}))
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

// Metamorphic properties: changes that say nothing about the host must not change its findings, and
// taking out the line a finding rests on must take the finding away.

/** Kernel lines about nothing any check reads: USB, file systems, network, audit, Bluetooth. */
const UNRELATED_LOG_LINES = [
  '[   12.345678] usb 1-4: new high-speed USB device number 3 using xhci_hcd',
  '[   12.456789] usb 1-4: New USB device found, idVendor=046d, idProduct=c52b, bcdDevice=12.11',
  '[   15.001122] EXT4-fs (nvme0n1p2): mounted filesystem with ordered data mode. Quota mode: none.',
  '[   20.500000] wlp3s0: associated',
  '[   21.000000] Bluetooth: hci0: Firmware revision 0.0 build 14 week 44 2021',
  '[   30.111111] audit: type=1400 audit(1700000000.000:42): apparmor="STATUS" operation="profile_load" name="/usr/bin/man"',
  '[   31.222222] r8169 0000:03:00.0 enp3s0: Link is Up - 1Gbps/Full - flow control rx/tx',
  '[   40.333333] systemd-journald[412]: Received client request to flush runtime journal.',
]

/** A fixture host whole, and one change that must leave its findings as they are. */
export function metamorphicCase(hosts) {
  const change = fc.oneof(
    fc.array(fc.tuple(fraction, fc.nat(UNRELATED_LOG_LINES.length - 1)), {minLength: 1, maxLength: 20}).map((lines) => ({kind: 'unrelated-log-lines', lines})),
    fc.array(fc.nat(), {minLength: 1, maxLength: 20}).map((keys) => ({kind: 'reorder', keys})),
    fc.constant({kind: 'crlf'}),
    fc.tuple(fc.nat(), fc.nat()).map(([file, variant]) => ({kind: 'rename', file, variant})),
  )
  return fc.record({host: fc.nat(hosts.length - 1), changes: fc.array(change, {minLength: 1, maxLength: 3})})
}

/** Other names the evidence-folder contract reads as the same kind with the same label: case, extension, a suffix. */
export function sameKindNames(name, {kindOfFileName, labelFor}) {
  const kind = kindOfFileName(name)
  const label = labelFor(kind, name)
  const dot = name.lastIndexOf('.')
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, '']
  const candidates = [name.toUpperCase(), `${stem}.log`, `${stem}.txt`, `${stem}-2${ext}`, `${stem}.old${ext}`]
  return [...new Set(candidates)].filter((n) => n !== name && kindOfFileName(n) === kind && labelFor(kind, n) === label)
}

/** The host's files after the changes. */
export function changedFiles(files, changes, pipeline) {
  let out = files.map((f) => ({...f}))
  for (const change of changes) {
    if (change.kind === 'crlf') out = out.map((f) => ({...f, text: f.text.replace(/\r?\n/g, '\r\n')}))
    if (change.kind === 'reorder') {
      const key = (i) => change.keys[i % change.keys.length] * 31 + i
      out = out.map((f, i) => [key(i), f]).sort((a, b) => a[0] - b[0]).map(([, f]) => f)
    }
    if (change.kind === 'rename') {
      const i = change.file % out.length
      const names = sameKindNames(out[i].name, pipeline).filter((n) => !out.some((f) => f.name.toLowerCase() === n.toLowerCase()))
      if (names.length) out[i] = {...out[i], name: names[change.variant % names.length]}
    }
    if (change.kind === 'unrelated-log-lines') {
      out = out.map((f) => {
        if (pipeline.kindOfFileName(f.name) !== 'kernelLog') return f
        const eol = f.text.includes('\r\n') ? '\r\n' : '\n'
        const lines = f.text.split(eol)
        // After the first line, so a log's opening line stays where it was.
        for (const [at, which] of change.lines) lines.splice(1 + Math.floor(at * Math.max(0, lines.length - 1)), 0, UNRELATED_LOG_LINES[which])
        return {...f, text: lines.join(eol)}
      })
    }
  }
  return out
}

/** A report's findings, comparable across runs: "severity id subject", sorted. */
export function findingsOf(report) {
  return report.findings.map((f) => `${f.severity} ${f.id}${f.subject ? ` ${f.subject}` : ''}`).sort()
}

function findingsOfFiles(files, pipeline) {
  const c = {files: files.map((f) => ({...f, from: f.name, mutations: []})), unreadable: [], mode: 'input', gpu: null}
  return findingsOf(pipeline.diagnose(sourceSetOf(c, pipeline), {}).report)
}

/** The property: the changed host has exactly the findings of the host. Throws with both lists when not. */
export function runMetamorphicCase(c, hosts, pipeline) {
  const host = hosts[c.host % hosts.length]
  const before = findingsOfFiles(host.files, pipeline)
  const changed = changedFiles(host.files, c.changes, pipeline)
  const after = findingsOfFiles(changed, pipeline)
  if (JSON.stringify(before) !== JSON.stringify(after)) {
    const names = changed.map((f) => f.name).join(', ')
    throw new Error(`${host.name} after ${c.changes.map((x) => x.kind).join(', ')} (files: ${names}): findings ${JSON.stringify(before)} became ${JSON.stringify(after)}`)
  }
}

/**
 * Lines each fixture finding rests on: without them the finding goes, and nothing else changes.
 * {host, remove: [{file, line: a pattern every removed line matches}], finding: "severity id" (findingsOf's prefix)}.
 */
export const DECISIVE_LINES = [
  {host: 'seed-003-host-aspm-errors', remove: [{file: 'dmesg.txt', line: /AER|PCIe Bus Error|device \[10de|error status\/mask|\[ ?0\] RxErr/}], finding: 'warning pcie-aspm-errors'},
  {host: 'seed-003-host-kernel-6.12', remove: [{file: 'configuration.nix', line: /^\s*"vfio_virqfd"\s*$/}], finding: 'warning kernel-module-obsolete'},
  {host: 'seed-003-host-healthy', remove: [{file: 'configuration.nix', line: /DEVS="0000:0f:00\.0 0000:0f:00\.1"/}], finding: 'warning vfio-ids-wrong'},
  // The ISO's ls line and qemu's refusal both prove it.
  {host: 'seed-001-iso-permission', remove: [{file: 'ls-l.txt', line: /my-windows-installer\.iso$/}, {file: 'qemu-win10.log', line: /Permission denied/}], finding: 'error iso-permissions'},
  {host: 'seed-002-wiki-example', remove: [{file: 'configuration.nix', line: /"vfio-pci\.ids=1002:67b0,1002:aac8,144d:a80a"/}], finding: 'info vfio-ids-wrong'},
]

/** Removes the decisive lines and returns {before, after} findings; throws when a line is not there. */
export function withoutDecisiveLines(d, hosts, pipeline) {
  const host = hosts.find((h) => h.name === d.host)
  if (!host) throw new Error(`no fixture host ${d.host}`)
  let files = host.files
  for (const {file, line} of d.remove) {
    const f = files.find((x) => x.name === file)
    if (!f) throw new Error(`${d.host} has no ${file}`)
    const lines = f.text.split('\n')
    const kept = lines.filter((l) => !line.test(l))
    if (kept.length === lines.length) throw new Error(`${d.host}/${file} has no line matching ${line}`)
    files = files.map((x) => (x === f ? {...x, text: kept.join('\n')} : x))
  }
  return {before: findingsOfFiles(host.files, pipeline), after: findingsOfFiles(files, pipeline)}
}
