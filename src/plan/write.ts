import {mkdir, readdir, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {UsageError} from '../util/errors.js'

/** Writes the plan's files into a folder that is new or empty (like capture); nothing outside it. */
export async function writePlanFiles(dir: string, files: Map<string, string>): Promise<string[]> {
  const existing = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return []
    throw new UsageError(`cannot use ${dir}: ${err.message}`)
  })
  if (existing.length > 0) throw new UsageError(`${dir} is not empty: choose a new folder`)
  await mkdir(dir, {recursive: true})
  for (const [name, text] of files) await writeFile(join(dir, name), text, {mode: name.endsWith('.sh') ? 0o755 : 0o644})
  return [...files.keys()]
}
