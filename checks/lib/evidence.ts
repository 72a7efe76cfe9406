import type {KernelSignal, KernelSignalKind} from '../../src/parse/kernel-log.js'
import type {Facts} from '../../src/facts/types.js'

/** A kernel-log line as evidence: "kernel log line 812: DMAR: IOMMU enabled". */
export function logEvidence(signal: KernelSignal): string {
  return `kernel log line ${signal.line.n}: ${signal.line.text.slice(0, 300)}`
}

export function signalsOf(facts: Facts, ...kinds: KernelSignalKind[]): KernelSignal[] {
  return facts.kernelLog?.signals.filter((s) => kinds.includes(s.kind)) ?? []
}

export function cmdlineEvidence(facts: Facts): string {
  return `kernel command line: ${facts.cmdline?.raw || '(empty)'}`
}
