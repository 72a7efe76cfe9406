/**
 * What the person asked for must exist: an --only / --skip id that names no check or failure mode,
 * a --gpu that is no PCI address or not in the evidence, or evidence in which nothing is recognised,
 * is bad usage (exit 2 with a did-you-mean), never a silent "No issues found".
 */
import {CHECKS} from '../../checks/index.js'
import {didYouMean} from './did-you-mean.js'
import {normalizePciAddress} from '../facts/merge-pci.js'
import type {Facts} from '../facts/types.js'
import {knowledgeIds} from '../knowledge/page.js'
import {GATHER_COMMANDS} from '../sources/kinds.js'
import type {SourceSet} from '../sources/types.js'
import {UsageError} from '../util/errors.js'

export function checkSelection(flag: '--only' | '--skip', ids: string[] | undefined): void {
  const known = [...new Set([...CHECKS.flatMap((c) => [c.id, ...c.reports]), ...knowledgeIds()])]
  for (const id of ids ?? []) {
    if (!known.includes(id)) throw new UsageError(`${flag} ${id}: no check or failure mode has that id${didYouMean(id, known)}; \`vfio-doctor list\` shows them all`)
  }
}

/** --gpu before the evidence is read: it must be a PCI address. */
export function checkGpuAddress(gpu: string | undefined): void {
  if (gpu !== undefined && normalizePciAddress(gpu) === undefined) throw new UsageError(`--gpu ${gpu}: not a PCI address (like 01:00.0 or 0000:01:00.0)`)
}

/** --gpu after: where the evidence lists the PCI devices, the GPU must be one of them. */
export function checkGpuInEvidence(gpu: string | undefined, facts: Facts): void {
  if (gpu === undefined || !facts.pciDevices || facts.pciDevices.length === 0) return
  const address = normalizePciAddress(gpu)!
  if (facts.pciDevices.some((d) => d.address === address)) return
  const displays = facts.pciDevices.filter((d) => d.classCode?.startsWith('03')).map((d) => d.address)
  const hint = displays.length > 0 ? `; its display devices: ${displays.join(', ')}` : ''
  throw new UsageError(`--gpu ${gpu}: no device at ${address} in the evidence${didYouMean(address, displays)}${hint}`)
}

/** An evidence folder in which nothing is evidence: empty, unreadable, or only unrelated text. */
export function checkSomethingRecognised(set: SourceSet, facts: Facts): void {
  if (set.mode !== 'input') return
  // An empty IOMMU listing or virsh list is an answer; an empty free-form file is not.
  const readable = set.sources.filter((s) => s.status === 'ok' && (s.kind !== 'log' || s.digest || s.text?.trim()))
  const structured = readable.some((s) => s.kind !== 'log')
  const signals = (facts.messages?.length ?? 0) + (facts.logSignals?.length ?? 0) + (facts.kernelLog?.signals.length ?? 0)
  if (structured || signals > 0) return
  const why = set.sources.length === 0 ? 'it is empty' : readable.length === 0 ? `nothing in it could be read (${unreadable(set)})` : 'none of its text is output vfio-doctor recognises'
  throw new UsageError(`nothing to judge in ${set.root}: ${why}. Gather the evidence with \`sudo vfio-doctor capture DIR\`, or paste the output of: ${GATHER_COMMANDS}`)
}

/** The first reasons sources could not be read, for the one-line message. */
function unreadable(set: SourceSet): string {
  const reasons = set.sources.filter((s) => s.status !== 'ok').map((s) => s.reason ?? `${s.origin}: ${s.status}`)
  return reasons.length > 3 ? `${reasons.slice(0, 3).join('; ')}; and ${reasons.length - 3} more` : reasons.join('; ')
}
