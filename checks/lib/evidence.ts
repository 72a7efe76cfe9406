import type {KernelSignal, KernelSignalKind} from '../../src/parse/kernel-log.js'
import {filterShows} from '../../src/parse/kernel-log/excerpt.js'
import {messageLine} from '../../src/knowledge/messages.js'
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

/**
 * The grep'd excerpt from boot (`dmesg | grep -i dmar`) that would hold `line` had the kernel printed
 * it, if there is one: then its absence is evidence.
 */
export function excerptThatWouldShow(facts: Facts, line: string): string | undefined {
  return facts.kernelLog?.excerptsFromBoot?.find((f) => filterShows(f, line))?.command
}

/** Lines of known messages (knowledge/<id>.messages.yaml) that prove `id`, as evidence. */
export function messageEvidence(facts: Facts, id: string): string[] {
  return (facts.messages ?? []).filter((h) => h.message.id === id).map(messageLine)
}
