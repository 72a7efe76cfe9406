import type {LineSearch} from '../parse/line-finder.js'
import type {SourceKind} from '../sources/types.js'

/**
 * Lines a helper looks at first in each kind of output, evidence or not: what a forum excerpt keeps
 * around, and what a log read as a stream keeps for it.
 */
const TELLING_KERNEL_LINE =
  /\b(?:DMAR|IOMMU|AMD-Vi|iommu|vfio|VFIO|kvm|KVM|vgaarb|BAR \d+|NVRM|nvidia|amdgpu|nouveau|radeon|i915|Command line|Linux version|Hypervisor detected|ACS|IVRS|AER|hugepages|vendor-reset|Looking Glass|kvmfr)\b/
const TELLING_QEMU_LINE = /\b(?:error|warning|failed|vfio|cannot|unable|denied|terminating)\b/i
/** GPUs and their audio functions, and who drives them. */
const TELLING_PCI_LINE = /VGA compatible|3D controller|Display controller|Audio device|class=0[34]0|Kernel driver in use: vfio-pci|driver=vfio-pci/

export function tellingLine(kind: SourceKind): RegExp | undefined {
  if (kind === 'kernelLog') return TELLING_KERNEL_LINE
  if (kind === 'qemuLog') return TELLING_QEMU_LINE
  if (kind === 'lspci' || kind === 'pciSysfs') return TELLING_PCI_LINE
  return undefined
}

/** The words every telling line of a log holds (one of each pattern's alternatives, lower-cased). */
const TELLING_WORDS: Partial<Record<SourceKind, string[]>> = {
  kernelLog: ['dmar', 'iommu', 'amd-vi', 'vfio', 'kvm', 'vgaarb', 'bar ', 'nvrm', 'nvidia', 'amdgpu', 'nouveau', 'radeon', 'i915', 'command line', 'linux version', 'hypervisor detected', 'acs', 'ivrs', 'aer', 'hugepages', 'vendor-reset', 'looking glass', 'kvmfr'],
  qemuLog: ['error', 'warning', 'failed', 'vfio', 'cannot', 'unable', 'denied', 'terminating'],
}

/** A log's telling lines as a line search (line-finder.ts), for the kinds read as a stream. */
export function tellingSearch(kind: SourceKind): LineSearch | undefined {
  const pattern = tellingLine(kind)
  const words = TELLING_WORDS[kind]
  return pattern && words ? {pattern, words} : undefined
}

/** The end of a qemu log is where it says why the guest stopped: its last lines always tell. */
export const TELLING_LAST_LINES: Partial<Record<SourceKind, number>> = {qemuLog: 15}

/** An excerpt's widest context: lines shown before and after each line that matters. */
export const EXCERPT_CONTEXT = 5
/** With nothing that matters, an excerpt shows this many lines of a log's start and of its end. */
export const EXCERPT_ENDS = 20
