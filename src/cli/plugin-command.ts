import {dirname, join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import type {Command} from '@oclif/core'

/**
 * A command of an oclif plugin, run as one of ours. oclif loads every plugin named in package.json
 * as it starts (its package.json and manifest), whatever the command; a plugin command that is ours
 * costs nothing until it runs. The plugin's own module is loaded from node_modules by its file path
 * (its package exports only its index), exactly as oclif would load it.
 */
export async function pluginCommand(plugin: string, file: string): Promise<Command.Class> {
  const lib = dirname(fileURLToPath(import.meta.resolve(plugin)))
  return ((await import(pathToFileURL(join(lib, 'commands', file)).href)) as {default: Command.Class}).default
}
