/**
 * Nix's evaluation of the configuration over the text reader's merged tree: where Nix answered,
 * its value is the option's value (the module system decided every mkIf, priority and import,
 * and added what nixpkgs' own modules define); where it did not (null), the text reader's stands.
 *
 * A value keeps the file and line of the definition that writes it: a list element the text
 * reader found with the same value, a single-valued option the tree defines. What no file shows
 * (an element nixpkgs or a hardware module adds) names the evaluation as its place.
 */
import {parseModprobe} from '../parse/modprobe.js'
import type {NixConfig, NixString} from '../parse/nix-config.js'
import type {EvaluatedNixOptions} from '../parse/nix-evaluated.js'

const LIST_FIELDS = ['kernelParams', 'kernelModules', 'initrdKernelModules', 'initrdAvailableKernelModules', 'blacklistedKernelModules'] as const

/** `configs` as mergeNixTree left them (the merged lists on the first); `origin` names the evaluation. */
export function applyEvaluation(configs: NixConfig[], evaluated: EvaluatedNixOptions, origin: string): NixConfig[] {
  const place = `Nix's evaluation (${origin})`
  const merged = configs.length > 0 ? configs.map((config) => ({...config})) : [emptyConfig(place)]
  const host = merged[0]!
  const fresh = (value: string): NixString => ({value, raw: JSON.stringify(value), line: 0, interpolated: false, evaluated: true, file: place})

  for (const field of LIST_FIELDS) {
    const values = evaluated[field]
    if (!values) continue
    const written = host[field] ?? []
    host[field] = values.map((value) => {
      const entry = written.find((w) => w.value === value)
      return entry ? decided(entry) : fresh(value)
    })
  }

  if (evaluated.extraModprobeConfig !== undefined) {
    const value = evaluated.extraModprobeConfig
    const definer = merged.find((c) => c.extraModprobeConfig)
    const written = definer?.extraModprobeConfig
    for (const config of merged) {
      delete config.extraModprobeConfig
      delete config.extraModprobe
    }
    if (value.trim()) {
      const owner = definer ?? host
      owner.extraModprobeConfig = written ? {...decided(written), value, interpolated: false} : fresh(value)
      owner.extraModprobe = parseModprobe(value, owner.file)
    }
  }

  if (evaluated.kernelVersion !== undefined) {
    const definer = merged.find((c) => c.kernelPackages)
    host.kernelVersion = definer
      ? {value: evaluated.kernelVersion, raw: definer.kernelPackages!.raw, line: definer.kernelPackages!.line, interpolated: false, file: definer.kernelPackages!.file ?? definer.file}
      : fresh(evaluated.kernelVersion)
  }

  if (evaluated.verbatimConfig !== undefined) {
    const definer = merged.find((c) => c.qemuVerbatimConfig)
    const written = definer?.qemuVerbatimConfig
    for (const config of merged) delete config.qemuVerbatimConfig
    if (evaluated.verbatimConfig.trim()) {
      // Nix drops an indented string's opening line break (''<newline>): line the texts up at their first words.
      const shift = written ? firstWordsLine(written.text) - firstWordsLine(evaluated.verbatimConfig) : 0
      if (definer) definer.qemuVerbatimConfig = {text: evaluated.verbatimConfig, line: written!.line + shift}
      else host.qemuVerbatimConfig = {text: evaluated.verbatimConfig, line: 0, file: place, evaluated: true}
    }
  }

  applyLibvirtd(merged, evaluated)
  return merged
}

/** The 0-based line of a text's first non-blank line. */
function firstWordsLine(text: string): number {
  return text.split('\n').findIndex((line) => line.trim() !== '')
}

/** The module system decided the value's conditions: it holds. */
function decided(entry: NixString): NixString {
  const {conditions: _, ...rest} = entry
  return rest
}

/**
 * virtualisation.libvirtd as evaluated, on the first configuration alone (the checks take the first
 * value they find). Off, only `enable = false` is kept: qemu's other options do not apply.
 */
function applyLibvirtd(configs: NixConfig[], evaluated: EvaluatedNixOptions): void {
  if (evaluated.libvirtdEnable === undefined) return
  const written = configs.find((c) => c.libvirtd)?.libvirtd ?? {}
  for (const config of configs) delete config.libvirtd
  if (!evaluated.libvirtdEnable) {
    configs[0]!.libvirtd = {enable: false}
    return
  }
  const libvirtd = {...written, enable: true}
  for (const [key, value] of [['runAsRoot', evaluated.runAsRoot], ['swtpm', evaluated.swtpm], ['ovmf', evaluated.ovmf]] as const) {
    if (value !== undefined) libvirtd[key] = value
  }
  configs[0]!.libvirtd = libvirtd
}

function emptyConfig(file: string): NixConfig {
  return {file, userGroups: [], userIds: [], kernelBuildOptions: [], bootCommands: [], booleans: [], bindings: new Map(), warnings: []}
}
