/**
 * NixOS configuration text -> the values that matter for VFIO, read without evaluating Nix.
 * An interpolated value ("${platform}_iommu=on") is kept as unknown, never guessed, unless every
 * interpolation names a let binding that holds a literal string.
 *
 * Total: any text gives a result; broken configs (pasted with lost lines) are read as far as
 * they go, with warnings.
 */
import {parseModprobe, type ModprobeConfig} from './modprobe.js'
import {collectDefinitions, type Definition} from './nix/definitions.js'
import {tokenize} from './nix/lexer.js'
import {LineIndex} from './nix/lines.js'
import {parseNix} from './nix/parser.js'
import {listItems, withProperties, readBool, readEnabledShorthand, readString, readStringList, readTemplate, type Source} from './nix/values.js'

export interface NixString {
  /** The literal value; undefined when the string is interpolated. */
  value?: string
  /** The source text of the element ("\"${platform}_iommu=on\""). */
  raw: string
  /** 1-based line in the file. */
  line: number
  interpolated: boolean
  /** Not a string literal at all (an identifier, a function call...): value is undefined. */
  expression?: boolean
  /** The module system's priority when not the default 100 (mkForce 50, mkDefault 1000): the lowest wins. */
  priority?: number
  /** The place in a merged list when not the default 1000 (mkBefore 500, mkAfter 1500). */
  order?: number
  /** mkIf conditions not decided from the configuration: the value holds only when they do. */
  conditions?: string[]
  /** The file it was written in, when a merged tree holds it in another file's NixConfig. */
  file?: string
  /** Nix's evaluation gave it and no file writes it: `file` names the evaluation, `line` is 0. */
  evaluated?: boolean
}

/** Where a value comes from, for evidence: "vfio.nix line 4", or the evaluation that gave it. */
export function nixPlace(configFile: string, entry: {line: number; file?: string; evaluated?: boolean}): string {
  return entry.evaluated ? (entry.file ?? configFile) : `${entry.file ?? configFile} line ${entry.line}`
}

export interface NixConfig {
  file: string
  kernelParams?: NixString[]
  kernelModules?: NixString[]
  initrdKernelModules?: NixString[]
  initrdAvailableKernelModules?: NixString[]
  blacklistedKernelModules?: NixString[]
  extraModprobeConfig?: NixString
  /** extraModprobeConfig read as modprobe.d text, when its value is known (not interpolated). */
  extraModprobe?: ModprobeConfig
  /** The expression as written: "pkgs.linuxPackages_5_15". */
  kernelPackages?: NixString
  /** The kernel release boot.kernelPackages gives, from Nix's evaluation ("6.6.52"). */
  kernelVersion?: NixString
  libvirtd?: {
    enable?: boolean
    ovmf?: boolean
    swtpm?: boolean
    runAsRoot?: boolean
  }
  /** users.users.<name>.extraGroups (and users.extraUsers). `user` is undefined when interpolated. */
  userGroups: Array<{user?: string; userRaw: string; groups: NixString[]; line: number}>
  /** users.users.<name>.uid = 1000 (what a verbatimConfig `user = "+${...uid}"` names). */
  userIds: Array<{user?: string; userRaw: string; uid: string; line: number}>
  /**
   * virtualisation.libvirtd.qemu.verbatimConfig: qemu.conf text NixOS appends to the file it
   * generates; unresolved interpolations stay as written.
   */
  qemuVerbatimConfig?: {text: string; line: number; file?: string; evaluated?: boolean}
  /**
   * Kernel build options set in the configuration: boot.kernelPatches' extraConfig lines
   * ("VFIO_PCI y") and `NAME = yes` in a kernelPackages override's structuredExtraConfig.
   */
  kernelBuildOptions: Array<{name: string; value: string; line: number}>
  tmpfilesRules?: NixString[]
  /**
   * Shell text of boot.postBootCommands / boot.initrd.preDeviceCommands (and the initrd's
   * postDeviceCommands / preLVMCommands): driver_override tricks. Unresolved interpolations stay
   * in the text as written.
   */
  bootCommands: Array<{option: string; text: string; line: number; conditions?: string[]}>
  /**
   * Every `option.path = true|false` (and `enable` in `x = { enable = ...; }`), so a tree can decide
   * `mkIf config.option.path` written in another file.
   */
  booleans: Array<{option: string; value: boolean; priority: number; line: number}>
  /** `let` bindings with literal string values (user = "vini";), used to resolve simple interpolation. */
  bindings: ReadonlyMap<string, string>
  warnings: string[]
  /**
   * specialisation.<name>.configuration: a generation of its own (a VFIO boot entry is a common
   * pattern), read like a configuration; inheritParentConfig (default true) puts this one under it.
   */
  specialisations?: Array<{name: string; inheritParentConfig: boolean; line: number; config: NixConfig}>
}

/**
 * A NixOS configuration file is kilobytes; text past this is not one, and reading it would only
 * cost time and memory (the parse is linear, but a token per character of junk adds up).
 */
const MAX_SOURCE = 1 << 20

export function parseNixConfig(text: string, file: string): NixConfig {
  const normalized = text.slice(0, MAX_SOURCE).replace(/\r\n/g, '\n')
  const source: Source = {text: normalized, lines: new LineIndex(normalized)}
  const warnings = new WarningList(source.lines)
  const warn = (message: string, offset: number): void => warnings.add(message, offset)
  if (text.length > MAX_SOURCE) warn(`text is ${text.length} characters long; only the first ${MAX_SOURCE} were read`, 0)
  const exprs = parseNix(tokenize(source.text, source.lines, warn), source.lines, warn)
  const {definitions, bindings} = collectDefinitions(exprs, source.text)
  const config = configOf(definitions.filter((d) => d.path[0]?.name !== 'specialisation'), source, file, bindings, warnings.list())
  const specialisations = specialisationsOf(definitions, source, file, bindings)
  if (specialisations.length > 0) config.specialisations = specialisations
  return config
}

/** specialisation.<name>.configuration.<option> definitions, each name read as a configuration. */
function specialisationsOf(definitions: Definition[], source: Source, file: string, bindings: ReadonlyMap<string, string>): NonNullable<NixConfig['specialisations']> {
  const byName = new Map<string, {inherit: boolean; line: number; definitions: Definition[]}>()
  for (const definition of definitions) {
    const [head, name, part] = definition.path
    if (head?.name !== 'specialisation' || name?.name === undefined) continue
    const entry = byName.get(name.name) ?? {inherit: true, line: source.lines.lineOf(definition.start), definitions: []}
    byName.set(name.name, entry)
    if (part?.name === 'inheritParentConfig' && definition.path.length === 3) entry.inherit = readBool(definition.value, definition.scope) !== false
    if (part?.name === 'configuration') entry.definitions.push({...definition, path: definition.path.slice(3)})
  }
  return [...byName].map(([name, entry]) => ({
    name,
    inheritParentConfig: entry.inherit,
    line: entry.line,
    config: configOf(entry.definitions, source, `${file} (specialisation ${name})`, bindings, []),
  }))
}

function configOf(definitions: Definition[], source: Source, file: string, bindings: ReadonlyMap<string, string>, warnings: string[]): NixConfig {
  const options = new OptionIndex(definitions, source)
  const config: NixConfig = {
    file,
    userGroups: userGroups(definitions, source),
    userIds: userIds(definitions, source),
    kernelBuildOptions: [...kernelPatchOptions(options, source), ...structuredOptions(options, source)],
    bootCommands: bootCommands(options, source),
    booleans: booleans(definitions, source),
    bindings,
    warnings,
  }
  assignList(config, 'kernelParams', options.list('boot.kernelParams'))
  assignList(config, 'kernelModules', options.list('boot.kernelModules'))
  assignList(config, 'initrdKernelModules', options.list('boot.initrd.kernelModules'))
  assignList(config, 'initrdAvailableKernelModules', options.list('boot.initrd.availableKernelModules'))
  assignList(config, 'blacklistedKernelModules', options.list('boot.blacklistedKernelModules'))
  assignList(config, 'tmpfilesRules', options.list('systemd.tmpfiles.rules'))
  const modprobe = options.lines('boot.extraModprobeConfig')
  if (modprobe) config.extraModprobeConfig = modprobe
  if (modprobe?.value !== undefined) config.extraModprobe = parseModprobe(modprobe.value, file)
  const kernelPackages = options.expression('boot.kernelPackages')
  if (kernelPackages) config.kernelPackages = kernelPackages
  const verbatim = options.at('virtualisation.libvirtd.qemu.verbatimConfig')
  if (verbatim.length > 0) {
    const start = verbatim[0]!.value.start
    // An indented string's text starts on the line after a bare `''`: Nix drops that line break.
    const bareOpening = /^''[ \t]*\n/.test(source.text.slice(start, start + 64))
    config.qemuVerbatimConfig = {
      text: verbatim.map((d) => readTemplate(d.value, d.scope, source)).join('\n'),
      line: source.lines.lineOf(start) + (bareOpening ? 1 : 0),
    }
  }
  const libvirtd = readLibvirtd(options)
  if (libvirtd) config.libvirtd = libvirtd
  return config
}

type ListField = 'kernelParams' | 'kernelModules' | 'initrdKernelModules' | 'initrdAvailableKernelModules' | 'blacklistedKernelModules' | 'tmpfilesRules'

function assignList(config: NixConfig, field: ListField, values: NixString[] | undefined): void {
  if (values) config[field] = values
}

const BOOT_COMMAND_OPTIONS = [
  'boot.postBootCommands',
  'boot.initrd.preDeviceCommands',
  'boot.initrd.postDeviceCommands',
  'boot.initrd.preLVMCommands',
]

function bootCommands(options: OptionIndex, source: Source): NixConfig['bootCommands'] {
  return BOOT_COMMAND_OPTIONS.flatMap((option) =>
    options.at(option).map((definition) => ({
      option,
      text: readTemplate(definition.value, definition.scope, source),
      line: source.lines.lineOf(definition.start),
      ...(definition.properties.conditions.length > 0 ? {conditions: definition.properties.conditions} : {}),
    })),
  )
}

function booleans(definitions: Definition[], source: Source): NixConfig['booleans'] {
  const found: NixConfig['booleans'] = []
  for (const {path, value, scope, start, properties} of definitions) {
    const flag = readBool(value, scope)
    if (flag === undefined || properties.conditions.length > 0 || path.some((segment) => segment.name === undefined)) continue
    found.push({option: path.map((segment) => segment.name).join('.'), value: flag, priority: properties.priority, line: source.lines.lineOf(start)})
  }
  return found
}

/** users.users.<name>.extraGroups and users.extraUsers.<name>.extraGroups. */
function userGroups(definitions: Definition[], source: Source): NixConfig['userGroups'] {
  const found: NixConfig['userGroups'] = []
  for (const {path, value, scope, start} of definitions) {
    if (path.length !== 4 || path[0]!.name !== 'users' || path[3]!.name !== 'extraGroups') continue
    if (path[1]!.name !== 'users' && path[1]!.name !== 'extraUsers') continue
    const user = path[2]!
    const entry = {userRaw: user.raw, groups: readStringList(value, scope, source), line: source.lines.lineOf(start)}
    found.push(user.name === undefined ? entry : {user: user.name, ...entry})
  }
  return found
}

/** users.users.<name>.uid = NUMBER. */
function userIds(definitions: Definition[], source: Source): NixConfig['userIds'] {
  const found: NixConfig['userIds'] = []
  for (const {path, value, start} of definitions) {
    if (path.length !== 4 || path[0]!.name !== 'users' || path[3]!.name !== 'uid') continue
    if (path[1]!.name !== 'users' && path[1]!.name !== 'extraUsers') continue
    const uid = source.text.slice(value.start, value.end).trim()
    if (!/^\d{1,10}$/.test(uid)) continue
    const user = path[2]!
    const entry = {userRaw: user.raw, uid, line: source.lines.lineOf(start)}
    found.push(user.name === undefined ? entry : {user: user.name, ...entry})
  }
  return found
}

/** `CONFIG_VFIO_PCI=y`, `VFIO_PCI y`: one Kconfig setting a line of extraConfig. */
const KCONFIG_LINE = /^\s*(?:CONFIG_)?([A-Z0-9_]{1,80})(?:\s+|\s*=\s*)(y|m|n)\s*$/

/** Each `extraConfig` of boot.kernelPatches = [ { name = ...; patch = ...; extraConfig = ''...''; } ]. */
function kernelPatchOptions(options: OptionIndex, source: Source): NixConfig['kernelBuildOptions'] {
  const found: NixConfig['kernelBuildOptions'] = []
  for (const definition of options.at('boot.kernelPatches')) {
    for (const patch of listItems(definition.value, definition.scope)) {
      if (patch.expr.kind !== 'attrs') continue
      const extra = patch.expr.bindings.find((b) => b.path.length === 1 && b.path[0]!.kind === 'name' && b.path[0]!.name === 'extraConfig')
      if (!extra) continue
      const first = source.lines.lineOf(extra.value.start)
      for (const [i, text] of readTemplate(extra.value, patch.scope, source).split('\n').entries()) {
        const m = KCONFIG_LINE.exec(text)
        // A '' string starts on the line of its opening quotes; its first line is often empty.
        if (m) found.push({name: m[1]!, value: m[2]!, line: first + i})
      }
    }
  }
  return found
}

/** `VFIO_PCI = yes;` (lib.kernel's yes / module / no) inside boot.kernelPackages' expression. */
function structuredOptions(options: OptionIndex, source: Source): NixConfig['kernelBuildOptions'] {
  const definition = options.at('boot.kernelPackages').at(-1)
  if (!definition) return []
  const text = source.text.slice(definition.value.start, definition.value.end)
  const values: Record<string, string> = {yes: 'y', module: 'm', no: 'n'}
  return [...text.matchAll(/\b([A-Z][A-Z0-9_]{1,80})\s*=\s*(?:lib\.)?(?:kernel\.)?(yes|module|no)\s*;/g)].map((m) => ({
    name: m[1]!,
    value: values[m[2]!]!,
    line: source.lines.lineOf(definition.value.start + m.index),
  }))
}

function readLibvirtd(options: OptionIndex): NixConfig['libvirtd'] {
  if (!options.hasUnder('virtualisation.libvirtd')) return undefined
  const libvirtd: NonNullable<NixConfig['libvirtd']> = {}
  const enable = options.enabled('virtualisation.libvirtd')
  const ovmf = options.enabled('virtualisation.libvirtd.qemu.ovmf')
  const swtpm = options.enabled('virtualisation.libvirtd.qemu.swtpm')
  const runAsRoot = options.bool('virtualisation.libvirtd.qemu.runAsRoot')
  if (enable !== undefined) libvirtd.enable = enable
  if (ovmf !== undefined) libvirtd.ovmf = ovmf
  if (swtpm !== undefined) libvirtd.swtpm = swtpm
  if (runAsRoot !== undefined) libvirtd.runAsRoot = runAsRoot
  return libvirtd
}

/** Definitions by their dotted path (only paths whose every name is known). */
class OptionIndex {
  private readonly byPath = new Map<string, Definition[]>()

  constructor(
    definitions: Definition[],
    private readonly source: Source,
  ) {
    for (const definition of definitions) {
      if (definition.path.some((segment) => segment.name === undefined)) continue
      const key = definition.path.map((segment) => segment.name).join('.')
      const list = this.byPath.get(key)
      if (list) list.push(definition)
      else this.byPath.set(key, [definition])
    }
  }

  at(path: string): Definition[] {
    return this.byPath.get(path) ?? []
  }

  hasUnder(path: string): boolean {
    for (const key of this.byPath.keys()) if (key === path || key.startsWith(`${path}.`)) return true
    return false
  }

  /** List options merge by concatenation, in the order written. */
  list(path: string): NixString[] | undefined {
    const definitions = this.at(path)
    if (definitions.length === 0) return undefined
    return definitions.flatMap((d) => readStringList(d.value, d.scope, this.source, d.properties))
  }

  /** `types.lines` options merge by joining with newlines; unknown if any part is. */
  lines(path: string): NixString | undefined {
    const parts = this.at(path).map((d) => withProperties(readString(d.value, d.scope, this.source), d.properties))
    if (parts.length <= 1) return parts[0]
    const known = parts.every((part) => part.value !== undefined)
    const merged: NixString = {
      raw: parts.map((part) => part.raw).join('\n'),
      line: parts[0]!.line,
      interpolated: parts.some((part) => part.interpolated),
      ...(parts.some((part) => part.conditions) ? {conditions: parts.flatMap((part) => part.conditions ?? [])} : {}),
    }
    if (known) merged.value = parts.map((part) => part.value).join('\n')
    return merged
  }

  /** The expression as written of the definition that wins: the lowest priority, then the last. */
  expression(path: string): NixString | undefined {
    const definitions = this.at(path)
    const best = Math.min(...definitions.map((d) => d.properties.priority))
    const definition = definitions.filter((d) => d.properties.priority === best).at(-1)
    if (!definition) return undefined
    const raw = this.source.text.slice(definition.value.start, definition.value.end)
    return withProperties({value: raw, raw, line: this.source.lines.lineOf(definition.value.start), interpolated: false}, definition.properties)
  }

  bool(path: string): boolean | undefined {
    return lastKnown(this.at(path).map((d) => ({start: d.start, priority: d.properties.priority, value: readBool(d.value, d.scope)})))
  }

  /** `<path>.enable = true` (also written `<path> = { enable = true; }`), or `<path> = enabled`. */
  enabled(path: string): boolean | undefined {
    const flags = this.at(`${path}.enable`).map((d) => ({start: d.start, priority: d.properties.priority, value: readBool(d.value, d.scope)}))
    const shorthands = this.at(path).map((d) => ({start: d.start, priority: d.properties.priority, value: readEnabledShorthand(d.value, d.scope)}))
    return lastKnown([...flags, ...shorthands])
  }
}

/**
 * The known value of the lowest priority, written last (conflicting definitions of one priority are
 * an evaluation error NixOS reports).
 */
function lastKnown(values: Array<{start: number; priority: number; value: boolean | undefined}>): boolean | undefined {
  const known = values.filter((v) => v.value !== undefined).sort((a, b) => b.priority - a.priority || a.start - b.start)
  return known.at(-1)?.value
}

const MAX_WARNINGS = 50

/** Warnings in line order (the lexer's come before the parser's), capped for garbage input. */
class WarningList {
  private readonly entries: Array<{offset: number; message: string}> = []
  private dropped = 0

  constructor(private readonly lines: LineIndex) {}

  add(message: string, offset: number): void {
    if (this.entries.length < MAX_WARNINGS) this.entries.push({offset, message})
    else this.dropped++
  }

  list(): string[] {
    const sorted = [...this.entries].sort((a, b) => a.offset - b.offset)
    const messages = sorted.map(({offset, message}) => `line ${this.lines.lineOf(offset)}: ${message}`)
    return this.dropped > 0 ? [...messages, `${this.dropped} more warnings not shown`] : messages
  }
}
