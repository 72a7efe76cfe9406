/**
 * The files of one NixOS configuration merged the way the module system merges the options the
 * checks read: a list option is the concatenation of every file's definitions of the lowest
 * priority (mkForce 50 beats a plain 100, which beats mkDefault 1000), ordered by mkBefore /
 * mkAfter / mkOrder and otherwise as written; `mkIf config.<option>` is decided where the tree sets
 * that option to a literal, and otherwise kept on the value as a condition the evidence shows.
 *
 * The merged lists live on the first file's NixConfig; each value keeps the file it was written
 * in (`file`), so every finding still names its file and line.
 */
import {DEFAULT_ORDER, DEFAULT_PRIORITY} from '../parse/nix/definitions.js'
import type {NixConfig, NixString} from '../parse/nix-config.js'

const LIST_FIELDS = ['kernelParams', 'kernelModules', 'initrdKernelModules', 'initrdAvailableKernelModules', 'blacklistedKernelModules', 'tmpfilesRules'] as const

export function mergeNixTree(configs: NixConfig[]): NixConfig[] {
  if (configs.length === 0) return configs
  const decide = conditionDecider(configs)
  const merged = configs.map((config) => ({...config}))
  const host = merged[0]!
  for (const field of LIST_FIELDS) {
    const entries = configs.flatMap((config) => (config[field] ?? []).map((entry) => ({entry, file: entry.file ?? config.file})))
    for (const config of merged) delete config[field]
    const live = entries.flatMap(({entry, file}) => {
      const decided = decide(entry)
      return decided ? [file === host.file ? decided : {...decided, file}] : []
    })
    if (entries.length === 0) continue
    const best = Math.min(...live.map(priorityOf))
    // Array.prototype.sort is stable: equal orders keep the order written.
    host[field] = live.filter((entry) => priorityOf(entry) === best).sort((a, b) => (a.order ?? DEFAULT_ORDER) - (b.order ?? DEFAULT_ORDER))
  }
  keepBest(merged, 'kernelPackages', decide)
  keepBest(merged, 'extraModprobeConfig', decide)
  for (const config of merged) {
    if (!config.extraModprobeConfig) delete config.extraModprobe
    config.bootCommands = config.bootCommands.flatMap((commands) => {
      const decided = decide({raw: commands.text, line: commands.line, interpolated: false, ...(commands.conditions ? {conditions: commands.conditions} : {})})
      if (!decided) return []
      const {conditions: _, ...rest} = commands
      return [decided.conditions ? {...rest, conditions: decided.conditions} : rest]
    })
  }
  return merged
}

function priorityOf(entry: NixString): number {
  return entry.priority ?? DEFAULT_PRIORITY
}

/** A single-valued option: only the definitions of the lowest priority across the tree stay. */
function keepBest(configs: NixConfig[], field: 'kernelPackages' | 'extraModprobeConfig', decide: Decide): void {
  for (const config of configs) {
    const value = config[field]
    if (!value) continue
    const decided = decide(value)
    if (decided) config[field] = decided
    else delete config[field]
  }
  const best = Math.min(...configs.flatMap((config) => (config[field] ? [priorityOf(config[field]!)] : [])))
  for (const config of configs) if (config[field] && priorityOf(config[field]!) !== best) delete config[field]
}

/** A value with the conditions the tree decides taken off; undefined when one is false. */
type Decide = (value: NixString) => NixString | undefined

/** `config.a.b.c` and `!config.a.b.c`, decided by a literal the tree gives a.b.c (its lowest priority, last). */
function conditionDecider(configs: NixConfig[]): Decide {
  const known = new Map<string, {value: boolean; priority: number}>()
  for (const config of configs) {
    for (const flag of config.booleans) {
      const seen = known.get(flag.option)
      if (!seen || flag.priority <= seen.priority) known.set(flag.option, {value: flag.value, priority: flag.priority})
    }
  }
  const truth = (condition: string): boolean | undefined => {
    const m = /^(!\s*)?config\.([\w.-]+)$/.exec(condition)
    const value = m ? known.get(m[2]!)?.value : undefined
    return value === undefined ? undefined : value !== Boolean(m![1])
  }
  return (value) => {
    if (!value.conditions) return value
    const open: string[] = []
    for (const condition of value.conditions) {
      const decided = truth(condition)
      if (decided === false) return undefined
      if (decided === undefined) open.push(condition)
    }
    const {conditions: _, ...rest} = value
    return open.length > 0 ? {...rest, conditions: open} : rest
  }
}
