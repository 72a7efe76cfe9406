import {readdir, stat} from 'node:fs/promises'
import {join} from 'node:path'
import {META_FILE} from './meta.js'
import {UsageError} from '../util/errors.js'

/** Files beside the hosts' folders that are about them, not evidence: fixtures' expected results, READMEs. */
const NOT_EVIDENCE = /^(readme|license|changelog)(\.[a-z0-9]+)?$|\.(json|md)$/i
/** A folder of more hosts than this is refused (each host is a whole run). */
export const MAX_HOSTS = 200

/**
 * `--input DIR` where DIR is a folder of evidence folders (one per host, as CI keeps captured hosts):
 * its subfolders, in name order. It is one when its only files are notes about the hosts (*.json,
 * *.md, README); any other file makes DIR one host's evidence, as before. Hidden entries (.git) are
 * not hosts. Undefined when DIR is one host.
 */
export async function hostFolders(dir: string): Promise<string[] | undefined> {
  const top = await stat(dir).catch(() => undefined)
  if (!top?.isDirectory()) return undefined
  const entries = await readdir(dir, {withFileTypes: true}).catch(() => [])
  const visible = entries.filter((e) => !e.name.startsWith('.'))
  const folders = visible.filter((e) => e.isDirectory()).map((e) => e.name).sort()
  const evidence = visible.some((e) => !e.isDirectory() && (e.name === META_FILE || !NOT_EVIDENCE.test(e.name)))
  if (evidence || folders.length === 0) return undefined
  if (folders.length > MAX_HOSTS) throw new UsageError(`${dir} holds ${folders.length} folders: more than ${MAX_HOSTS} hosts in one run; give --input for each folder, or split them`)
  return folders.map((f) => join(dir, f))
}
