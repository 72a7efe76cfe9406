// Synchronous reads behind promises, as in ../regular-file.ts: a live run makes a few hundred of them,
// each cheaper than a trip through libuv's thread pool.
import {lstatSync, readdirSync, readlinkSync} from 'node:fs'
import {readRegularFile} from '../regular-file.js'
import type {Source, SourceKind} from '../types.js'
import {hostPath, type LiveContext} from './context.js'
import {byCodePoint} from '../../util/order.js'

/** Reads one host file into a Source; absence and refusal become statuses, never exceptions. */
export async function fileSource(ctx: LiveContext, kind: SourceKind, path: string, label?: string, options: {tailBytes?: number} = {}): Promise<Source> {
  const base = {kind, origin: path, ...(label ? {label} : {})}
  try {
    return {...base, status: 'ok', text: (await readRegularFile(hostPath(ctx, path), options)).toString('utf8')}
  } catch (err) {
    return {...base, ...errorStatus(err, path)}
  }
}

export function errorStatus(err: unknown, path: string): Pick<Source, 'status' | 'reason' | 'hint'> {
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'ENOENT' || code === 'ENOTDIR') return {status: 'missing', reason: `${path} does not exist`}
  if (code === 'EACCES' || code === 'EPERM') return {status: 'denied', reason: `${path}: permission denied`, hint: 'run vfio-doctor with sudo'}
  if (code === 'ENOTREG') return {status: 'error', reason: `${path} is not a regular file`}
  return {status: 'error', reason: `${path}: ${(err as Error).message}`}
}

/** Entry names of a host folder in `ls`'s C-locale order (kmod reads modprobe.d so); undefined when it cannot be listed. */
export async function listDir(ctx: LiveContext, path: string): Promise<string[] | undefined> {
  try {
    return readdirSync(hostPath(ctx, path)).sort(byCodePoint)
  } catch {
    return undefined
  }
}

/** A sysfs attribute, trimmed; undefined when absent or unreadable. */
export async function readAttr(ctx: LiveContext, path: string): Promise<string | undefined> {
  try {
    return (await readRegularFile(hostPath(ctx, path))).toString('utf8').trim()
  } catch {
    return undefined
  }
}

/** Whether a host path is there (a link counts as itself, not followed). */
export function exists(ctx: LiveContext, path: string): boolean {
  try {
    lstatSync(hostPath(ctx, path))
    return true
  } catch {
    return false
  }
}

/** The last path component a symlink points to (sysfs `driver`, `iommu_group`). */
export async function linkName(ctx: LiveContext, path: string): Promise<string | undefined> {
  try {
    return readlinkSync(hostPath(ctx, path)).split('/').pop()
  } catch {
    return undefined
  }
}
