/**
 * The JSON `nix-instantiate --eval --strict --json` prints for NIX_OPTIONS_EXPRESSION
 * (src/sources/nix-eval.ts): each option's value as the module system merged it, or null where
 * this NixOS does not have the option. A value of the wrong type is left out (as if null), so the
 * text reader's value stands for it; text that is not that JSON gives undefined.
 */
import {parseJsonObject} from './json-object.js'

export interface EvaluatedNixOptions {
  kernelParams?: string[]
  kernelModules?: string[]
  initrdKernelModules?: string[]
  initrdAvailableKernelModules?: string[]
  blacklistedKernelModules?: string[]
  extraModprobeConfig?: string
  /** boot.kernelPackages.kernel.version: "6.6.52". */
  kernelVersion?: string
  libvirtdEnable?: boolean
  runAsRoot?: boolean
  verbatimConfig?: string
  swtpm?: boolean
  ovmf?: boolean
}

const LISTS = ['kernelParams', 'kernelModules', 'initrdKernelModules', 'initrdAvailableKernelModules', 'blacklistedKernelModules'] as const
const STRINGS = ['extraModprobeConfig', 'kernelVersion', 'verbatimConfig'] as const
const BOOLEANS = ['libvirtdEnable', 'runAsRoot', 'swtpm', 'ovmf'] as const

/** The answer is a few kilobytes; more is not this evaluation's. */
const MAX_TEXT = 1 << 20

export function parseEvaluatedOptions(text: string): EvaluatedNixOptions | undefined {
  const values = parseJsonObject(text, MAX_TEXT)
  if (!values || ![...LISTS, ...STRINGS, ...BOOLEANS].some((key) => Object.hasOwn(values, key))) return undefined
  const options: EvaluatedNixOptions = {}
  for (const key of LISTS) {
    const value = values[key]
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) options[key] = value
  }
  for (const key of STRINGS) if (typeof values[key] === 'string') options[key] = values[key]
  for (const key of BOOLEANS) if (typeof values[key] === 'boolean') options[key] = values[key]
  return options
}
