import type {ModuleFacts} from '../facts/types.js'
import {splitLines} from './lines.js'
import {moduleKey} from './modprobe.js'

/** lsmod output or /proc/modules: the first word of each line is a module name. */
export function parseModules(text: string): ModuleFacts {
  const loaded = new Set<string>()
  for (const line of splitLines(text)) {
    const name = /^([A-Za-z0-9_-]+)\s/.exec(line + ' ')?.[1]
    if (!name || name === 'Module') continue
    loaded.add(moduleKey(name))
  }
  return {loaded}
}
