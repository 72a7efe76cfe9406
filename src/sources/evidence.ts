import type {Stats} from 'node:fs'
import {lstat, readdir, stat} from 'node:fs/promises'
import {basename, join, relative} from 'node:path'
import {CaptureMeta, checkCaptureMeta, META_FILE} from './meta.js'
import {kindOfFileName} from './kinds.js'
import {readRegularFile} from './regular-file.js'
import {digestLog, STREAMED_KINDS} from './log-digest.js'
import {textParts} from './text-parts.js'
import {recogniseText} from './recognise/index.js'
import {parseDomainXml} from '../parse/domain-xml.js'
import {parseXmlTree, type XmlDocument} from '../parse/xml/tree.js'
import type {Source, SourceKind, SourceSet} from './types.js'
import {UsageError} from '../util/errors.js'

/** Files larger than this are marked unreadable rather than read (a 200 MB log is fine). */
export const MAX_EVIDENCE_FILE = 512 * 1024 * 1024
/** A file larger than this whose last output is a log reads that log as a stream (sources/log-digest.ts). */
export const STREAM_FROM = 8 * 1024 * 1024
/** What a big file holds is told from its first bytes. */
const HEAD_BYTES = 256 * 1024
/** A big file that is not a log is read whole only up to this size. */
export const MAX_WHOLE_FILE = 64 * 1024 * 1024
/** All the files of one folder together: past this, the rest are marked not read (memory follows what is read). */
export const MAX_EVIDENCE_RUN = 512 * 1024 * 1024
const MAX_DEPTH = 4
const MAX_FILES = 5000
/** A configuration repository's version control and tool folders: never evidence, and thousands of files. */
const NOT_EVIDENCE_FOLDERS = new Set(['.git', '.hg', '.svn', '.jj', '.direnv'])
const PARALLEL_READS = 16

/**
 * Reads an evidence folder (`--input DIR`): loose files named by what they hold, or a capture.
 * Symlinks are never followed (they could point outside the folder or loop); nothing is fatal
 * but a folder that cannot be read at all, or a capture from a newer tool.
 */
export async function readEvidenceFolder(dir: string, options: {streamFrom?: number; alreadyRead?: number} = {}): Promise<SourceSet> {
  // The folder named on the command line is followed if it is a link (the person chose it); what is inside never is.
  const top = await stat(dir).catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${dir}: ${err.code === 'ENOENT' ? 'no such file or directory' : err.message}`)
  })
  const {alreadyRead = 0, ...reading} = options
  if (top.isFile()) return {mode: 'input', root: dir, sources: await readEvidenceFile(dir, basename(dir), reading)}
  if (!top.isDirectory()) throw new UsageError(`${dir} is not a folder or a file`)

  const files = await listFiles(dir, MAX_EVIDENCE_RUN, alreadyRead)
  const metaEntry = files.find((f) => f.rel === META_FILE && !f.skipped)
  const meta: CaptureMeta | undefined = metaEntry ? checkCaptureMeta(await readRegularFile(metaEntry.path).then((b) => b.toString('utf8'), () => '')) : undefined
  // Only a file name meta.json recorded as read may be empty (an empty IOMMU listing, say); meta.json names nothing to read.
  const recordedEmpty = new Set(meta?.sources.filter((s) => s.status === 'ok' && typeof s.file === 'string').map((s) => s.file))
  const read = (entry: ListedFile): Promise<Source[]> | Source[] =>
    entry.skipped
      ? [{kind: kindOfFileName(basename(entry.rel)), origin: entry.rel, status: 'error', reason: entry.skipped}]
      : readEvidenceFile(entry.path, entry.rel, {...reading, emptyIsAnAnswer: recordedEmpty.has(entry.rel)})
  const sources: Source[] = []
  const toRead = files.filter((entry) => entry !== metaEntry)
  // A few files at a time: a capture of thousands of small files waits on the disk, not on us.
  for (let i = 0; i < toRead.length; i += PARALLEL_READS) {
    for (const part of await Promise.all(toRead.slice(i, i + PARALLEL_READS).map(read))) sources.push(...part)
  }
  // A capture records the sources the live run could not read, so replay skips the same checks.
  for (const recorded of meta?.sources ?? []) {
    if (recorded.status !== 'ok') sources.push(replayed(recorded))
  }
  return {mode: 'input', root: dir, sources}
}

/** A capture's record of a source it could not read: its words only, never a file to open. */
function replayed(recorded: CaptureMeta['sources'][number]): Source {
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined)
  const source: Source = {kind: recorded.kind, origin: recorded.origin, status: recorded.status}
  const [label, reason, hint] = [text(recorded.label), text(recorded.reason), text(recorded.hint)]
  return {...source, ...(label !== undefined && {label}), ...(reason !== undefined && {reason}), ...(hint !== undefined && {hint})}
}

export interface ListedFile {
  path: string
  rel: string
  skipped?: string
}

/**
 * The folder's files in name order, with the reason a file will not be read; `maxBytes` is for all
 * of them together, and for the folders read before it in the same run (`alreadyRead`: several hosts).
 */
export async function listFiles(root: string, maxBytes = MAX_EVIDENCE_RUN, alreadyRead = 0): Promise<ListedFile[]> {
  const out: ListedFile[] = []
  let cut = false
  let bytes = alreadyRead
  const walk = async (dir: string, depth: number): Promise<void> => {
    let names: string[]
    try {
      names = (await readdir(dir)).sort()
    } catch (err) {
      if (dir === root) throw new UsageError(`cannot read ${dir}: ${(err as Error).message}`)
      out.push({path: dir, rel: relative(root, dir), skipped: `${relative(root, dir)}: folder not readable (${(err as NodeJS.ErrnoException).code ?? 'error'})`})
      return
    }
    for (const name of names) {
      const path = join(dir, name)
      const rel = relative(root, path)
      if (cut || out.length >= MAX_FILES) {
        if (!cut) out.push({path, rel, skipped: `${rel}: more than ${MAX_FILES} files, this one and the rest were not read`})
        cut = true
        return
      }
      const st = await lstat(path).catch(() => undefined)
      if (!st) continue
      if (st.isSymbolicLink()) out.push({path, rel, skipped: `${rel}: symbolic link, not followed`})
      else if (st.isDirectory()) {
        if (NOT_EVIDENCE_FOLDERS.has(name)) continue
        if (depth < MAX_DEPTH) await walk(path, depth + 1)
        else out.push({path, rel, skipped: `${rel}: folder more than ${MAX_DEPTH} levels deep, not read`})
      } else if (st.isFile()) {
        if (st.size > MAX_EVIDENCE_FILE) out.push({path, rel, skipped: `${rel}: larger than ${MAX_EVIDENCE_FILE / 1024 / 1024} MB`})
        else if (bytes + st.size > maxBytes) out.push({path, rel, skipped: `${rel}: not read, the files before it hold ${mb(bytes)} of the ${mb(maxBytes)} read in one run`})
        else {
          bytes += st.size
          out.push({path, rel})
        }
      } else out.push({path, rel, skipped: `${rel}: ${fileType(st)}, not a regular file`})
    }
  }
  await walk(root, 0)
  return out
}

const mb = (bytes: number) => (bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MB` : `${bytes} bytes`)

function fileType(st: Stats): string {
  if (st.isFIFO()) return 'a named pipe'
  if (st.isSocket()) return 'a socket'
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device'
  return 'not a file'
}

/**
 * Kinds whose empty output is itself an answer: no IOMMU groups or units, no domains, an empty
 * config file. An empty /proc/cmdline, ACPI table list or kernel log is never real.
 */
const EMPTY_IS_AN_ANSWER = new Set<SourceKind>(['iommuListing', 'iommuClass', 'virshList', 'modprobe', 'nixConfig', 'qemuLog', 'log'])

/**
 * One evidence file as Sources: one per output it holds, each recognised by its lines (the file
 * name is a hint). Unreadable files are a source with a reason, not an error. An empty file or
 * binary data is not evidence: checks must skip, not pass, on "nothing" or on noise.
 */
export async function readEvidenceFile(path: string, rel: string, options: {emptyIsAnAnswer?: boolean; streamFrom?: number} = {}): Promise<Source[]> {
  const named: SourceKind = kindOfFileName(basename(rel))
  const label = labelFor(named, basename(rel))
  const base = {kind: named, origin: rel, ...(label ? {label} : {})}
  try {
    const size = await stat(path).then((st) => (st.isFile() ? st.size : 0))
    if (size > (options.streamFrom ?? STREAM_FROM) && size <= MAX_EVIDENCE_FILE) {
      const streamed = await readBigFile(path, rel, named, size)
      if (streamed) return streamed
    }
    const text = decodeText(await readRegularFile(path, {maxBytes: MAX_EVIDENCE_FILE}))
    if (!text.trim() && !options.emptyIsAnAnswer && !EMPTY_IS_AN_ANSWER.has(named)) return [{...base, status: 'missing', reason: `${rel} is empty`}]
    if (!text.trim()) return [{...base, status: 'ok', text}]
    // A log written during a crash can be NULs to its end: noise, like an empty file.
    if (!/[^\0\s]/.test(text)) return [{...base, status: 'missing', reason: `${rel} holds only NUL bytes`}]
    if (looksBinary(text)) return [{...base, status: 'error', reason: `${rel}: binary data, not text`}]
    return sourcesOfText(text, rel, named)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EACCES' || code === 'EPERM') return [{...base, status: 'denied', reason: `${rel}: permission denied`}]
    if (code === 'EISDIR') return [{...base, status: 'error', reason: `${rel}: is a folder`}]
    if (code === 'ENOTREG') return [{...base, status: 'error', reason: `${rel}: not a regular file`}]
    if (code === 'EFBIG') return [{...base, status: 'error', reason: `${rel}: larger than ${MAX_EVIDENCE_FILE / 1024 / 1024} MB`}]
    return [{...base, status: 'error', reason: `${rel}: ${(err as Error).message}`}]
  }
}

/**
 * A big file: its outputs told from its first HEAD_BYTES, its last output, when it is a log, read to
 * the end as a stream. Undefined when it is to be read whole (its last output is not a log, or it is
 * UTF-16); past MAX_WHOLE_FILE such a file is not read.
 */
async function readBigFile(path: string, rel: string, named: SourceKind, size: number): Promise<Source[] | undefined> {
  const head = await readRegularFile(path, {headBytes: HEAD_BYTES})
  const utf16 = (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)
  const headText = utf16 ? '' : decodeText(head.subarray(0, head.lastIndexOf(0x0a) + 1))
  // Empty, NUL-padded or binary: the whole-file reader says which.
  if (!/[^\0\s]/.test(headText) || looksBinary(headText)) return undefined
  const sources = sourcesOfText(headText, rel, named)
  const last = sources.at(-1)
  if (!last?.recognised || last.status !== 'ok' || !STREAMED_KINDS.has(last.kind)) {
    if (size <= MAX_WHOLE_FILE) return undefined
    return [{kind: named, origin: rel, status: 'error', reason: `${rel}: larger than ${MAX_WHOLE_FILE / 1024 / 1024} MB and not a log`}]
  }
  const {text: _whole, ...section} = last
  const from = last.recognised.from
  const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0
  const start = from === 1 ? 0 : bom + Buffer.byteLength(headText.slice(0, offsetOfLine(headText, from)))
  const digest = await digestLog(textParts(path, start), {kind: last.kind, origin: rel, from, ...(last.command !== undefined ? {command: last.command} : {})})
  return [...sources.slice(0, -1), {...section, recognised: {...last.recognised, to: from + digest.lineCount - 1}, digest}]
}

/** Where 1-based line `n` starts in `text`. */
function offsetOfLine(text: string, n: number): number {
  let at = 0
  for (let line = 1; line < n; line++) {
    const end = text.indexOf('\n', at)
    if (end < 0) return text.length
    at = end + 1
  }
  return at
}

/** The outputs a file's text holds, as sources; `named` is the kind its name suggests ('log' when none). */
export function sourcesOfText(text: string, rel: string, named: SourceKind): Source[] {
  const nameLabel = labelFor(named, basename(rel))
  const nameHint = named === 'log' ? undefined : {kind: named, ...(nameLabel ? {label: nameLabel} : {})}
  return recogniseText(text, nameHint).map((section): Source => {
    const label = section.label ?? labelFor(section.kind, basename(rel))
    const recognised = {format: section.format, by: section.by, from: section.from, to: section.to}
    // A domain's tree is read once here: whether it is a domain at all, and where a limit stopped it.
    const tree = section.kind === 'domainXml' ? parseXmlTree(section.text) : undefined
    const notDomain = tree && notADomain(section.text, tree)
    if (notDomain) return {kind: section.kind, origin: rel, status: 'error', recognised, ...(label ? {label} : {}), reason: `${rel}: not a libvirt domain (${notDomain})`}
    const {text, truncated} = tree ? xmlAsRead(section.text, tree, section.from) : {text: section.text, truncated: undefined}
    return {kind: section.kind, origin: rel, status: 'ok', text, recognised, ...(label ? {label} : {}), ...(truncated ? {truncated} : {}), ...(section.command !== undefined ? {command: section.command} : {})}
  })
}

/**
 * A domain XML as far as the XML reader's limits let it be read: the rest is dropped here, once, so
 * no later stage (facts, redaction, excerpts) carries megabytes nobody reads, and the source says so.
 */
function xmlAsRead(text: string, tree: XmlDocument, firstLine: number): {text: string; truncated?: string} {
  const stop = tree.stopped
  if (!stop) return {text}
  return {text: text.slice(0, stop.offset), truncated: `${stop.reason}: read to line ${firstLine + stop.line - 1}, the rest was not read`}
}

/**
 * Any *.xml is taken for a domain; a network, a pool or an HTML page saved as .xml is not one, and
 * must not be judged as an empty VM. The tree's root says it; a lone <hostdev> or <cpu> is half a
 * domain.
 */
function notADomain(text: string, tree: XmlDocument): string | undefined {
  const root = tree.root?.name
  if (root === 'domain' || parseDomainXml(text, '').fragment) return undefined
  return root ? `its root element is <${root}>` : 'no XML element in it'
}

/** UTF-8 unless a byte-order mark says UTF-16 (a paste saved on Windows); bytes that are not UTF-8 (a latin1 paste) become U+FFFD. */
function decodeText(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2))
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2))
  const text = bytes.toString('utf8')
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}

/**
 * Random bytes, an image, a core dump: mostly control characters and invalid UTF-8. NUL runs (a
 * log after a crash), tabs, form feeds and ANSI colour escapes are text, so they do not count.
 */
function looksBinary(text: string): boolean {
  const sample = text.slice(0, 64 * 1024)
  const odd = sample.match(/[\u0001-\u0008\u000e-\u001a\u001c-\u001f\ufffd]/g)?.length ?? 0
  return odd > sample.length * 0.3
}

export function labelFor(kind: SourceKind, name: string): string | undefined {
  switch (kind) {
    case 'nixKernelParams':
    case 'nixBootspec':
    case 'nixSystem':
      return /^booted/i.test(name) ? 'booted' : 'current'
    case 'domainXml':
      return name.replace(/^domain-/i, '').replace(/\.xml$/i, '')
    case 'qemuLog':
      return name.replace(/^qemu-/i, '').replace(/\.log$/i, '')
    case 'modprobe':
      return name.replace(/^modprobe-/i, '')
    case 'nixConfig':
      return name.replace(/^nixos-/i, '')
    case 'log':
      return name.replace(/^log-/i, '')
    default:
      return undefined
  }
}
