/**
 * `ls -l`, `ls -ld`, `stat` and `namei -l` output for the files a VM uses, so a check can walk the
 * path from / and name the first component the qemu user cannot traverse or read.
 */
import {posix} from 'node:path'
import {capped, splitLines} from './lines.js'

export interface PathEntry {
  /** Absolute path of this component. */
  path: string
  /**
   * "drwx------", "-rw-r--r--", "lrwxrwxrwx", "crw-rw----". A trailing "+" (as ls prints it) means an ACL
   * also grants access; the SELinux "." is dropped, it says nothing about access.
   */
  mode: string
  owner: string
  group: string
  size?: number
}

export interface PathAccess {
  /** The file itself (absolute). */
  path: string
  /** Components from / down to the file, where known; the last is the file. */
  chain: PathEntry[]
  /** The file (or a component) does not exist. */
  missing: boolean
}

/**
 * Returns every path the text describes, keyed by absolute path. A path described twice (a paste from
 * before and after a fix) keeps the later description.
 */
export function parsePermissions(text: string): Map<string, PathAccess> {
  const reader = new PermissionReader()
  for (const raw of splitLines(text)) reader.read(capped(raw))
  reader.flush()
  return withKnownAncestors(reader.found)
}

/** Linux PATH_MAX; deeper walks are not real paths and would only cost time. */
const PATH_MAX = 4096

const MODE = String.raw`[-bcdlpsD?][-rwxsStTlL]{9}[.+@]?`
/** `ls -l`: mode, links, owner, group, size or "major, minor", a date in any of ls's styles, the name. */
const LS_LINE = new RegExp(
  String.raw`^\s*(?:\d+\s+)?(${MODE})\s+\d+\s+(\S+)\s+(\S+)\s+(?:\d+,\s*\d+|([\d.,]+[KMGTPE]?(?:i?B)?))\s+` +
    String.raw`(?:\d{4}-\d{2}-\d{2}\s+\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s+[+-]\d{4})?` + // long-iso, full-iso
    String.raw`|\d{2}-\d{2}\s+\d{2}:\d{2}` + // iso
    String.raw`|\S+\s+\d{1,2}\s+(?:\d{1,2}:\d{2}|\d{4})` + // "Mar  1 10:00", "Mar  1  2023"
    String.raw`|\d{1,2}\.?\s+\S+\s+(?:\d{1,2}:\d{2}|\d{4}))` + // "1. Mär 10:00" and other day-first locales
    String.raw`\s(.+)$`,
)
/** `namei -l`: mode, owner, group, then the name indented by symlink depth. */
const NAMEI_LINE = new RegExp(String.raw`^(${MODE})\s+(\S+)\s+(\S+)\s+(.+)$`)
/** namei's "                     win.iso - No such file or directory" (or "Not a directory"). */
const NAMEI_MISSING = /^\s+\S.* - (?:No such file or directory|Not a directory)$/
const STAT_ACCESS = /^\s*Access:\s+\(\d+\/([^\s)]+)\)\s+Uid:\s+\(\s*\d+\/\s*(?:([^)\s]+)\s*)?\)\s+Gid:\s+\(\s*\d+\/\s*(?:([^)\s]+)\s*)?\)/
const MISSING_MESSAGES = [
  /^ls: cannot access (.+): No such file or directory$/,
  /^stat: cannot statx? (.+): No such file or directory$/,
  /^namei: failed to stat: (.+): No such file or directory$/,
  /^namei: stat of (.+) failed: No such file or directory$/,
]

type Block =
  | {kind: 'namei'; path: string; cwd: string; chain: PathEntry[]; missing: boolean}
  | {kind: 'stat'; path: string; size?: number}

class PermissionReader {
  readonly found = new Map<string, PathAccess>()
  private block: Block | undefined
  /** The directory of relative ls names: a "DIR:" header or the path on an `ls -l DIR` prompt line. */
  private lsDir: string | undefined

  read(line: string): void {
    const trimmed = line.trim()
    if (this.block?.kind === 'namei' && this.readNamei(line)) return
    if (this.block?.kind === 'stat' && this.readStat(trimmed)) return
    this.flush()
    if (this.readMissing(trimmed)) return
    const nameiHeader = /^f:\s+(.+)/.exec(trimmed)
    if (nameiHeader) return this.startNamei(nameiHeader[1]!)
    const statHeader = /^File:\s+(.+)/.exec(trimmed)
    if (statHeader) return this.startStat(statHeader[1]!)
    if (this.readLs(line)) return
    this.readDirectoryContext(trimmed)
  }

  flush(): void {
    const block = this.block
    this.block = undefined
    if (block?.kind === 'namei' && (block.chain.length || block.missing)) {
      this.found.set(block.path, {path: block.path, chain: block.chain, missing: block.missing})
    }
  }

  private startNamei(target: string): void {
    const path = unquote(target)
    if (path.startsWith('/')) this.block = {kind: 'namei', path: cleanPath(path), cwd: '/', chain: [], missing: false}
  }

  /**
   * One component. Each name is taken from where the walk is: "/" restarts it, and after a symlink line
   * namei lists the target's components, so the walk simply carries on through them.
   */
  private readNamei(line: string): boolean {
    const block = this.block as Extract<Block, {kind: 'namei'}>
    if (NAMEI_MISSING.test(line)) {
      block.missing = true
      return true
    }
    if (LS_LINE.test(line)) return false
    const m = NAMEI_LINE.exec(line)
    if (!m) return false
    const [name = '', target] = splitSymlink(m[4]!.trim())
    const path = childPath(block.cwd, name)
    if (path.length > PATH_MAX) return true
    block.chain.push({path, mode: normaliseMode(m[1]!), owner: m[2]!, group: m[3]!})
    if (target === undefined) block.cwd = path
    return true
  }

  private startStat(target: string): void {
    const [name = ''] = splitSymlink(target)
    const path = unquote(name)
    if (path.startsWith('/')) this.block = {kind: 'stat', path: cleanPath(path)}
  }

  /** Lines inside a stat record; the Access line with Uid/Gid completes it. */
  private readStat(line: string): boolean {
    const block = this.block as Extract<Block, {kind: 'stat'}>
    const size = /^Size:\s+(\d+)/.exec(line)
    if (size) {
      block.size = Number(size[1])
      return true
    }
    const access = STAT_ACCESS.exec(line)
    if (access) {
      const entry: PathEntry = {path: block.path, mode: normaliseMode(access[1]!), owner: access[2]!, group: access[3]!}
      if (block.size !== undefined) entry.size = block.size
      this.found.set(block.path, {path: block.path, chain: [entry], missing: false})
      this.block = undefined
      return true
    }
    return /^(Device|Access|Modify|Change|Birth|Context):/.test(line)
  }

  private readMissing(line: string): boolean {
    for (const pattern of MISSING_MESSAGES) {
      const m = pattern.exec(line)
      if (!m) continue
      const path = unquote(m[1]!)
      if (path.startsWith('/')) this.found.set(cleanPath(path), {path: cleanPath(path), chain: [], missing: true})
      return true
    }
    return false
  }

  private readLs(line: string): boolean {
    const m = LS_LINE.exec(line)
    if (!m) return false
    const [name = ''] = splitSymlink(m[5]!.trim())
    const path = this.absolute(unquote(name))
    if (!path) return true
    const entry: PathEntry = {path, mode: normaliseMode(m[1]!), owner: m[2]!, group: m[3]!}
    const size = m[4] === undefined ? undefined : parseSize(m[4])
    if (size !== undefined) entry.size = size
    this.found.set(path, {path, chain: [entry], missing: false})
    return true
  }

  private absolute(name: string): string | undefined {
    if (name.startsWith('/')) return cleanPath(name)
    return this.lsDir === undefined ? undefined : childPath(this.lsDir, name)
  }

  /** "/var/lib/libvirt/images:" (ls of several directories) or "$ ls -la /dev/vfio" (a pasted prompt). */
  private readDirectoryContext(line: string): void {
    const header = /^(\/.*):$/.exec(line)
    if (header) {
      this.lsDir = cleanPath(header[1]!)
      return
    }
    const prompt = /(?:^|[$#>]\s*)(?:sudo\s+)?ls\s+(?:-\S+\s+){0,8}(\/\S*)\s*$/.exec(line)
    if (prompt) this.lsDir = cleanPath(unquote(prompt[1]!))
  }
}

/**
 * A name inside a directory. Plain names are appended rather than joined: a walk of thousands of
 * components must not re-normalise the whole path at each step.
 */
function childPath(dir: string, name: string): string {
  if (name === '/') return '/'
  if (name.includes('/') || name === '.' || name === '..') return cleanPath(posix.join(dir, name))
  return dir === '/' ? `/${name}` : `${dir}/${name}`
}

/** "/dev/vfio/" and "/dev//vfio" as "/dev/vfio". */
function cleanPath(path: string): string {
  const normal = posix.normalize(path)
  return normal.length > 1 ? normal.replace(/(?<!\/)\/+$/, '') : normal
}

/** "lib -> /usr/lib": the name and the link target. */
function splitSymlink(text: string): [string, string?] {
  const arrow = text.indexOf(' -> ')
  return arrow < 0 ? [text] : [text.slice(0, arrow), text.slice(arrow + 4)]
}

/** ls and stat quote names with spaces or from older versions: '...', "...", ‘...’, `...'. */
function unquote(text: string): string {
  const m = /^(['"\u2018`])(.*)(['"\u2019])$/.exec(text)
  return m ? m[2]! : text
}

/** namei marks mount points with "D"; the SELinux "." is not about access. */
function normaliseMode(mode: string): string {
  return mode.replace(/^D/, 'd').replace(/\.$/, '')
}

const UNITS: Record<string, number> = {K: 1, M: 2, G: 3, T: 4, P: 5, E: 6}

/** "5.2G" (ls -h, powers of 1024; some locales write "5,2G"), "5368709120" or "5,368,709,120". */
function parseSize(text: string): number | undefined {
  const m = /^([\d.,]+)([KMGTPE]?)/.exec(text)
  if (!m) return undefined
  const unit = m[2] ? UNITS[m[2]]! : 0
  const digits = unit ? m[1]!.replace(',', '.') : m[1]!.replace(/,/g, '')
  const value = Number(digits)
  return Number.isFinite(value) ? Math.round(value * 1024 ** unit) : undefined
}

/**
 * Fills the chain of a path seen on its own (ls -ld, stat, an ls error) with its ancestors seen anywhere
 * in the text, namei walks included.
 */
function withKnownAncestors(found: Map<string, PathAccess>): Map<string, PathAccess> {
  const known = new Map<string, PathEntry>()
  for (const access of found.values()) for (const entry of access.chain) known.set(entry.path, entry)
  for (const access of found.values()) {
    const alone = access.chain.length === 0 || (access.chain.length === 1 && access.chain[0]!.path === access.path)
    if (!alone) continue
    const ancestors = ancestorsOf(access.path).flatMap((dir) => known.get(dir) ?? [])
    access.chain = [...ancestors, ...access.chain]
  }
  return found
}

/** Deeper paths are not worth looking up component by component. */
const MAX_ANCESTORS = 64

/** "/a/b/c" -> ["/", "/a", "/a/b"], nearest to / first. */
function ancestorsOf(path: string): string[] {
  const parts = path.split('/').filter(Boolean)
  if (!parts.length || parts.length > MAX_ANCESTORS) return []
  const dirs = ['/']
  for (const part of parts.slice(0, -1)) dirs.push(childPath(dirs.at(-1)!, part))
  return dirs
}
