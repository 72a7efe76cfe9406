/**
 * A NixOS generation's boot.json (bootspec, RFC 0125, NixOS 23.05 on): the kernel and initrd the
 * generation boots and its kernel parameters, under "org.nixos.bootspec.v1". JSON.parse reads it;
 * anything that is not that shape gives undefined, never an exception.
 */
import {parseJsonObject} from './json-object.js'

export interface Bootspec {
  kernel?: string
  initrd?: string
  kernelParams?: string[]
  label?: string
  /** The kernel's release as the store path or the label names it ("6.12.1"). */
  kernelRelease?: string
}

/** A bootspec is a few kilobytes; a bigger file is not one. */
const MAX_BOOTSPEC = 1 << 20

export function parseBootspec(text: string): Bootspec | undefined {
  const v1 = parseJsonObject(text, MAX_BOOTSPEC)?.['org.nixos.bootspec.v1']
  if (typeof v1 !== 'object' || v1 === null) return undefined
  const spec = v1 as Record<string, unknown>
  const bootspec: Bootspec = {}
  if (typeof spec.kernel === 'string') bootspec.kernel = spec.kernel
  if (typeof spec.initrd === 'string') bootspec.initrd = spec.initrd
  if (typeof spec.label === 'string') bootspec.label = spec.label
  if (Array.isArray(spec.kernelParams)) bootspec.kernelParams = spec.kernelParams.filter((p): p is string => typeof p === 'string')
  const release = releaseIn(bootspec.kernel ?? '', '-linux-', '/') ?? releaseIn(bootspec.label ?? '', '(Linux ', ')')
  if (release) bootspec.kernelRelease = release
  return bootspec
}

/** The text between `before` and `after` ("/nix/store/x-linux-6.12.1/bzImage" -> "6.12.1") when it is a release. */
function releaseIn(text: string, before: string, after: string): string | undefined {
  const start = text.indexOf(before)
  if (start < 0) return undefined
  const end = text.indexOf(after, start + before.length)
  const release = text.slice(start + before.length, end < 0 ? undefined : end)
  return /^\d+\.\d+/.test(release) && release.length <= 64 ? release : undefined
}
