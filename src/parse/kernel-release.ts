import type {KernelFacts} from '../facts/types.js'

/**
 * A kernel release from `uname -r`, `uname -a`, /proc/version ("Linux version 6.12.18 ...") or a
 * bare "6.12.18-zen1".
 */
export function parseKernelRelease(text: string): KernelFacts | undefined {
  const head = text.slice(0, 4096)
  const m =
    /Linux version (\d+)\.(\d+)(\S*)/.exec(head) ??
    /^Linux \S+ (\d+)\.(\d+)(\S*)/m.exec(head) ??
    /^[ \t]*(\d+)\.(\d+)(\S*)/m.exec(head)
  if (!m) return undefined
  return {release: `${m[1]}.${m[2]}${m[3]}`, major: Number(m[1]), minor: Number(m[2])}
}

export function kernelAtLeast(kernel: KernelFacts, major: number, minor: number): boolean {
  return kernel.major > major || (kernel.major === major && kernel.minor >= minor)
}
