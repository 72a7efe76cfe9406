import {randomBytes} from 'node:crypto'
import {constants} from 'node:fs'
import {mkdir, open, readdir, rename, rm, stat, type FileHandle} from 'node:fs/promises'
import {dirname, join, resolve} from 'node:path'
import {captureFileName} from './kinds.js'
import {makeCaptureMeta, META_FILE, type CaptureMeta} from './meta.js'
import type {SourceSet} from './types.js'
import {UsageError} from '../util/errors.js'
import type {Owner} from '../util/sudo.js'

export interface CaptureOptions {
  /** Write into a folder that is not empty. */
  force?: boolean
  now?: Date
  /** What redaction replaced, for meta.json. */
  redaction?: string
  /** Who gets the folder and files (the person behind sudo); else they stay the caller's. */
  owner?: Owner
  /** Unredacted: names, addresses and keys as they are, so readable by its owner alone. */
  private?: boolean
}

interface Modes {
  file: number
  folder: number
}
// A capture is made to be attached to a post: readable by all, whatever the umask. An unredacted
// one is not for sharing as it is.
const SHAREABLE: Modes = {file: 0o644, folder: 0o755}
const PRIVATE: Modes = {file: 0o600, folder: 0o700}

/**
 * Writes a SourceSet as an evidence folder: one file per readable source under the name
 * `--input` reads back as the same kind, and meta.json with every source's status.
 * Writes only inside `dir`; a non-empty folder is refused unless `force`. Each file it writes, and
 * the folder when it makes it, is given to `owner` with the SHAREABLE modes (PRIVATE when `private`).
 */
export async function writeCapture(dir: string, set: SourceSet, options: CaptureOptions = {}): Promise<{files: string[]}> {
  // The kernel's own file systems: nothing there is a folder on disk (and root may make folders in /dev).
  const virtual = /^\/(?:proc|sys|dev)(?:\/|$)/.exec(resolve(dir))
  if (virtual) throw new UsageError(`cannot write a capture into ${resolve(dir)}: ${virtual[0].replace(/\/$/, '')} is the kernel's, not a folder on disk; choose another folder`)
  const existing = await existingEntries(dir)
  if (existing && existing.length > 0 && !options.force) throw new UsageError(`${dir} is not empty: choose a new folder or pass --force`)
  if (!existing) await makeFolder(dir)
  const written: string[] = []
  try {
    const result = await writeAll(dir, set, options, written)
    if (!existing) await handOverFolder(dir, options.owner, modesOf(options))
    return result
  } catch (err) {
    // A full disk or a failed write leaves no half capture behind: what this run wrote goes again.
    await Promise.all(written.map((file) => rm(join(dir, file), {force: true})))
    if (!existing) await rm(dir, {recursive: true, force: true})
    throw err
  }
}

const modesOf = (options: CaptureOptions): Modes => (options.private ? PRIVATE : SHAREABLE)

/** What `dir` already holds, or undefined when there is nothing there yet. */
async function existingEntries(dir: string): Promise<string[] | undefined> {
  const found = await stat(dir).catch((err: NodeJS.ErrnoException) => {
    // A file on the way to `dir` (ENOTDIR) is for makeFolder to name.
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined
    throw new UsageError(`cannot use ${dir}: ${err.message}`)
  })
  if (!found) return undefined
  if (!found.isDirectory()) throw new UsageError(`${dir} is ${found.isFile() ? 'a file, ' : ''}not a folder: choose a new folder`)
  return readdir(dir).catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot use ${dir}: ${err.code === 'EACCES' ? 'you cannot read it' : err.message}`)
  })
}

/** Makes `dir` itself, never its parents: a mistyped path is an error, not a tree of new folders. */
async function makeFolder(dir: string): Promise<void> {
  const parent = dirname(resolve(dir))
  // Private until the capture is complete: handOverFolder opens it up.
  await mkdir(dir, {mode: 0o700}).catch((err: NodeJS.ErrnoException) => {
    const reasons: Record<string, string> = {
      ENOENT: `${parent} does not exist`,
      ENOTDIR: `${parent} is not a folder`,
      EACCES: `you cannot write to ${parent}`,
      EROFS: `${parent} is on a read-only file system`,
    }
    throw new UsageError(`cannot create ${dir}: ${reasons[err.code ?? ''] ?? err.message}`)
  })
}

async function writeAll(dir: string, set: SourceSet, options: CaptureOptions, written: string[]): Promise<{files: string[]}> {
  const used = new Set<string>([META_FILE])
  const files: string[] = []
  const recorded: CaptureMeta['sources'] = []
  for (const source of set.sources) {
    const {text, command: _command, ...rest} = source
    if (source.status !== 'ok' || text === undefined) {
      recorded.push(rest)
      continue
    }
    const file = uniqueName(captureFileName(source.kind, source.label), used)
    await writeNew(dir, file, text, options.owner, modesOf(options))
    written.push(file)
    files.push(file)
    recorded.push({...rest, file})
  }
  await writeNew(dir, META_FILE, JSON.stringify(makeCaptureMeta(recorded, options.now ?? new Date(), options.redaction), null, 2) + '\n', options.owner, modesOf(options))
  return {files}
}

/**
 * Writes a new file and renames it into place: with --force, a name already in the folder may be a
 * symlink or a hard link to a file elsewhere, and writing to it would change that file.
 */
async function writeNew(dir: string, name: string, text: string, owner: Owner | undefined, modes: Modes): Promise<void> {
  const temporary = join(dir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  try {
    const file = await open(temporary, 'wx', 0o600)
    try {
      await file.writeFile(text)
      await handOver(file, modes.file, owner)
    } finally {
      await file.close()
    }
    await rename(temporary, join(dir, name))
  } catch (err) {
    await rm(temporary, {force: true})
    throw new UsageError(`cannot write ${join(dir, name)}: ${err instanceof Error ? err.message : String(err)}`)
  }
}

/** Opened without following a link, so the folder made is the one changed. */
async function handOverFolder(dir: string, owner: Owner | undefined, modes: Modes): Promise<void> {
  try {
    const folder = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW)
    try {
      await handOver(folder, modes.folder, owner)
    } finally {
      await folder.close()
    }
  } catch (err) {
    throw new UsageError(`cannot finish ${dir}: ${err instanceof Error ? err.message : String(err)}`)
  }
}

// vfat, exFAT and NTFS (a USB stick) keep no Unix owners: their mount options decide, and they refuse a change.
const OWNERS_NOT_KEPT = new Set(['EPERM', 'EINVAL', 'ENOTSUP', 'EOPNOTSUPP'])

/** Gives what capture made to `owner` with `mode`; by handle, so nothing put in its place is changed. */
async function handOver(handle: FileHandle, mode: number, owner: Owner | undefined): Promise<void> {
  try {
    if (owner) await handle.chown(owner.uid, owner.gid)
    await handle.chmod(mode)
  } catch (err) {
    if (!OWNERS_NOT_KEPT.has((err as NodeJS.ErrnoException).code ?? '')) throw err
  }
}

/** "dmesg.txt", then "dmesg-2.txt": two sources never overwrite each other. */
function uniqueName(name: string, used: Set<string>): string {
  let candidate = name
  for (let i = 2; used.has(candidate.toLowerCase()); i++) candidate = name.replace(/(\.[^.]*)?$/, (ext) => `-${i}${ext}`)
  used.add(candidate.toLowerCase())
  return candidate
}
