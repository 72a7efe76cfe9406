import type {Facts} from '../../src/facts/types.js'
import {nixPlace, type NixConfig, type NixString} from '../../src/parse/nix-config.js'
import {moduleKey} from '../../src/parse/modprobe.js'
import {cmdlineEvidence, signalsOf} from './evidence.js'

/** A NixOS value as evidence: 'configuration.nix line 12: "${platform}_iommu=pt" (= amd_iommu=pt)'. */
export function nixEvidence(config: NixConfig, entry: NixString): string {
  const resolved = entry.interpolated && entry.value !== undefined ? ` (= ${entry.value})` : ''
  const conditional = entry.conditions ? ` (only if ${entry.conditions.join(' and ')})` : ''
  return `${nixPlace(config.file, entry)}: ${entry.raw.slice(0, 200)}${resolved}${conditional}`
}

/**
 * A vendor word ("amd" / "intel") that reaches a value through a let binding, as seed 001's
 * `platform = "amd"` does: the one line to change when the CPU is the other vendor's.
 */
export function vendorBinding(config: NixConfig, entry: NixString): {name: string; value: string} | undefined {
  if (!entry.interpolated) return undefined
  for (const m of entry.raw.matchAll(/\$\{\s*([A-Za-z_][\w'-]*)\s*\}/g)) {
    const value = config.bindings.get(m[1]!)
    if (value === 'amd' || value === 'intel') return {name: m[1]!, value}
  }
  return undefined
}

type NixListField = 'kernelParams' | 'kernelModules' | 'initrdKernelModules' | 'initrdAvailableKernelModules' | 'blacklistedKernelModules'

/** The NixOS option each list field is. */
export const NIX_OPTION: Record<NixListField, string> = {
  kernelParams: 'boot.kernelParams',
  kernelModules: 'boot.kernelModules',
  initrdKernelModules: 'boot.initrd.kernelModules',
  initrdAvailableKernelModules: 'boot.initrd.availableKernelModules',
  blacklistedKernelModules: 'boot.blacklistedKernelModules',
}

/** Every entry of a NixOS list option, across the configuration files given. */
export function nixList(facts: Facts, field: NixListField): Array<{config: NixConfig; entry: NixString}> {
  return (facts.nixConfig ?? []).flatMap((config) => (config[field] ?? []).map((entry) => ({config, entry})))
}

/** Where a module parameter is set, and to what. */
export interface ParamSetting {
  value: string
  /** running: /sys/module (what the kernel uses now); the others are configuration. */
  where: 'running' | 'cmdline' | 'modprobe' | 'nixos'
  evidence: string
}

/**
 * `module.param` as the running kernel has it (/sys/module/MODULE/parameters), and as the kernel
 * command line, modprobe.d and the NixOS configuration set it. Module names compare with '-' = '_'.
 */
export function moduleParam(facts: Facts, module: string, param: string): ParamSetting[] {
  const key = moduleKey(module)
  const settings: ParamSetting[] = []
  // Stryker disable next-line ArrayDeclaration: a string in place of no parameters destructures into single characters, which name no module parameter
  for (const [name, value] of facts.kvmParams ?? []) {
    if (name === `${key}.${param}`) settings.push({value, where: 'running', evidence: `/sys/module/${key}/parameters/${param}: ${value}`})
  }
  // Stryker disable next-line ArrayDeclaration: a string in place of no parameters has no value, so the loop skips it
  for (const p of facts.cmdline?.params ?? []) {
    if (p.value !== undefined && qualifiedKey(p.key) === `${key}.${param}`) settings.push({value: p.value, where: 'cmdline', evidence: cmdlineEvidence(facts)})
  }
  for (const o of facts.modprobe?.options ?? []) {
    const value = o.params[param]
    if (moduleKey(o.module) === key && value !== undefined) settings.push({value, where: 'modprobe', evidence: `${o.origin} line ${o.line}: options ${o.module} ${param}=${value}`})
  }
  for (const {config, entry} of nixList(facts, 'kernelParams')) {
    const m = /^([^=]+)=(.*)$/.exec(entry.value ?? '')
    if (m && qualifiedKey(m[1]!) === `${key}.${param}`) settings.push({value: m[2]!, where: 'nixos', evidence: nixEvidence(config, entry)})
  }
  // Stryker disable next-line ArrayDeclaration: a string in place of no configuration has no extraModprobe
  for (const config of facts.nixConfig ?? []) {
    for (const o of config.extraModprobe?.options ?? []) {
      const value = o.params[param]
      if (moduleKey(o.module) === key && value !== undefined) {
        settings.push({value, where: 'nixos', evidence: `${nixPlace(config.file, config.extraModprobeConfig!)}: boot.extraModprobeConfig: options ${o.module} ${param}=${value}`})
      }
    }
  }
  return settings
}

/** "kvm.ignore_msrs" and "kvm-intel.nested" alike: the module part compared with '-' = '_'. */
function qualifiedKey(key: string): string {
  const dot = key.indexOf('.')
  return dot < 0 ? key : `${moduleKey(key.slice(0, dot))}${key.slice(dot)}`
}

/** How the kernel reads a boolean module parameter. */
export function isTrue(value: string): boolean {
  return /^(1|y|yes|on|true)$/i.test(value.trim())
}

/**
 * Whether a module parameter is on: the running value when /sys/module says, else what the
 * configuration sets (the last setting wins), else undefined.
 */
export function paramState(settings: ParamSetting[]): {on: boolean; evidence: string} | undefined {
  const running = settings.find((s) => s.where === 'running')
  const chosen = running ?? settings.at(-1)
  return chosen ? {on: isTrue(chosen.value), evidence: chosen.evidence} : undefined
}

export interface KernelVersion {
  major: number
  minor: number
  /** What said so: "uname -r: 6.12.18", "boot.kernelPackages = pkgs.linuxPackages_6_1". */
  source: string
}

/** The default kernel (boot.kernelPackages unset) of each NixOS release. */
const NIXOS_DEFAULT_KERNEL: Record<string, [number, number]> = {
  '20.03': [5, 4], '20.09': [5, 4], '21.05': [5, 10], '21.11': [5, 10], '22.05': [5, 15], '22.11': [5, 15],
  '23.05': [6, 1], '23.11': [6, 1], '24.05': [6, 6], '24.11': [6, 6], '25.05': [6, 12], '25.11': [6, 12],
}

/**
 * The kernel the host runs (uname, /proc/version, kernel log), or else the one its NixOS
 * configuration selects with boot.kernelPackages (`latest` / zen / xanmod count as 6.2+), or else
 * the default kernel of its NixOS release (os-release).
 */
export function kernelVersion(facts: Facts): KernelVersion | undefined {
  if (facts.kernel) return {major: facts.kernel.major, minor: facts.kernel.minor, source: `running kernel ${facts.kernel.release}`}
  const generation = facts.nixos?.currentKernel
  const numbers = generation && /^(\d+)\.(\d+)/.exec(generation.release)
  if (numbers) return {major: Number(numbers[1]), minor: Number(numbers[2]), source: `${generation.origin}: the current generation boots Linux ${generation.release}`}
  // Stryker disable next-line ArrayDeclaration: equivalent (docs/testing.md): a non-config element has no kernelPackages, so the loop skips it as it skips a config without one
  for (const config of facts.nixConfig ?? []) {
    const evaluated = config.kernelVersion
    const release = evaluated?.value && /^(\d+)\.(\d+)/.exec(evaluated.value)
    if (release) return {major: Number(release[1]), minor: Number(release[2]), source: `${nixPlace(config.file, evaluated)}: boot.kernelPackages gives Linux ${evaluated.value}`}
  }
  // Stryker disable next-line ArrayDeclaration: equivalent, as the loop above
  for (const config of facts.nixConfig ?? []) {
    const expression = config.kernelPackages?.value
    if (!expression) continue
    const source = `${config.file} line ${config.kernelPackages!.line}: boot.kernelPackages = ${expression}`
    const numbered = /linux(?:Packages)?_(\d+)_(\d+)\b/.exec(expression)
    if (numbered) return {major: Number(numbered[1]), minor: Number(numbered[2]), source}
    if (/linuxPackages_(latest|zen|xanmod|lqx)/.test(expression)) return {major: 6, minor: 2, source}
  }
  // Stryker disable next-line ArrayDeclaration: equivalent, as above
  const configured = (facts.nixConfig ?? []).some((c) => c.kernelPackages)
  const release = facts.os?.id === 'nixos' ? facts.os.versionId?.replace(/^(\d+\.\d+).*$/, '$1') : undefined
  const fallback = release ? NIXOS_DEFAULT_KERNEL[release] : undefined
  if (fallback && !configured) return {major: fallback[0], minor: fallback[1], source: `NixOS ${release}'s default kernel (${fallback.join('.')})`}
  return undefined
}

export function atLeast(version: KernelVersion, major: number, minor: number): boolean {
  return version.major > major || (version.major === major && version.minor >= minor)
}

/**
 * The CPU vendor: from cpuinfo, else from the kernel log ("smpboot: CPU0: AMD Ryzen ..."), else from
 * which IOMMU table the firmware published (IVRS is AMD's, DMAR Intel's).
 */
export function cpuVendorOf(facts: Facts): 'intel' | 'amd' | undefined {
  const vendor = facts.cpu?.vendor
  if (vendor === 'intel' || vendor === 'amd') return vendor
  if (vendor === 'other') return undefined
  const logged = signalsOf(facts, 'cpu-model')[0]?.data?.vendor
  if (logged === 'intel' || logged === 'amd') return logged
  if (signalsOf(facts, 'acpi-ivrs', 'amdvi-found').length > 0) return 'amd'
  if (signalsOf(facts, 'acpi-dmar', 'dmar-hardware', 'dmar-vtd-init').length > 0) return 'intel'
  return hostBridgeVendor(facts)
}

/** The root complex's host bridge (00:00.0, class 0600) is the CPU maker's: AMD's (and ATI's before it) or Intel's. */
function hostBridgeVendor(facts: Facts): 'intel' | 'amd' | undefined {
  const bridge = facts.pciDevices?.find((d) => d.address === '0000:00:00.0' && d.classCode === '0600')
  if (bridge?.vendorId === '8086') return 'intel'
  if (bridge?.vendorId === '1022' || bridge?.vendorId === '1002') return 'amd'
  return undefined
}
