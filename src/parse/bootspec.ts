/**
 * A NixOS generation's boot.json (bootspec, RFC 0125, NixOS 23.05 on): the kernel and initrd the
 * generation boots and its kernel parameters, under "org.nixos.bootspec.v1". JSON.parse reads it;
 * anything that is not that shape gives undefined, never an exception.
 */

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
  if (text.length > MAX_BOOTSPEC) return undefined
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch {
    return undefined
  }
  const v1 = (document as Record<string, unknown> | null)?.['org.nixos.bootspec.v1']
  if (typeof v1 !== 'object' || v1 === null) return undefined
  const spec = v1 as Record<string, unknown>
  const bootspec: Bootspec = {}
  if (typeof spec.kernel === 'string') bootspec.kernel = spec.kernel
  if (typeof spec.initrd === 'string') bootspec.initrd = spec.initrd
  if (typeof spec.label === 'string') bootspec.label = spec.label
  if (Array.isArray(spec.kernelParams)) bootspec.kernelParams = spec.kernelParams.filter((p): p is string => typeof p === 'string')
  const release = /-linux-(\d+\.\d+(?:\.\d+)?[\w.+-]*?)\//.exec(bootspec.kernel ?? '')?.[1] ?? /\(Linux (\d+\.\d+(?:\.\d+)?[\w.+-]*)\)/.exec(bootspec.label ?? '')?.[1]
  if (release) bootspec.kernelRelease = release
  return bootspec
}
