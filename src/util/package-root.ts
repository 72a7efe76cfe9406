import {existsSync} from 'node:fs'
import {dirname, join, relative, sep} from 'node:path'
import {fileURLToPath} from 'node:url'

let cached: string | undefined

/** The package's root folder, from src/ (tests) or dist/src/ (installed): where knowledge/ lives. */
export function packageRoot(): string {
  if (cached) return cached
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'knowledge'))) {
    const up = dirname(dir)
    if (up === dir) throw new Error('vfio-doctor: cannot find the package root (knowledge/ is missing)')
    dir = up
  }
  cached = dir
  return dir
}

/** True when this code runs from the build (dist/), which carries compiled data; false from source (tests). */
export function isBuilt(): boolean {
  return relative(packageRoot(), fileURLToPath(import.meta.url)).startsWith(`dist${sep}`)
}
