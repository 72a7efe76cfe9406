import type {SourceKind} from '../sources/types.js'

/** One raw source as a forum post shows it: whole, excerpted around what matters, or left out. */
export interface Excerpt {
  text: string
  totalLines: number
  shownLines: number
  /** Lines that matter: quoted as evidence, or known to be telling for this kind of source. */
  matters: number
  cut: 'none' | 'excerpt' | 'omitted'
}

export interface ExcerptInput {
  kind: SourceKind
  text: string
  /**
   * Text no recogniser claimed (a person's notes, an unknown tool's output): what in it is private
   * cannot be told, so only its lines quoted as evidence are shown, and it is left out without any.
   */
  evidenceOnly?: boolean
}

/** Lines of a kernel log a helper looks at first, evidence or not. */
const TELLING_KERNEL_LINE =
  /\b(?:DMAR|IOMMU|AMD-Vi|iommu|vfio|VFIO|kvm|KVM|vgaarb|BAR \d+|NVRM|nvidia|amdgpu|nouveau|radeon|i915|Command line|Linux version|Hypervisor detected|ACS|IVRS|AER|hugepages|vendor-reset|Looking Glass|kvmfr)\b/
const TELLING_QEMU_LINE = /\b(?:error|warning|failed|vfio|cannot|unable|denied|terminating)\b/i
/** GPUs and their audio functions, and who drives them. */
const TELLING_PCI_LINE = /VGA compatible|3D controller|Display controller|Audio device|class=0[34]0|Kernel driver in use: vfio-pci|driver=vfio-pci/
const MAX_LINE = 1000
/** Each step shows less: whole, wide context, narrow context, the lines alone, the first of them. */
const STEPS = [Infinity, 5, 2, 0, -1] as const
const FIRST_MATTERS = 40

/**
 * Fits raw sources into `budget` characters (each also costs `overhead` for its wrapper) by
 * stepping the largest down first: whole, then excerpts around the lines that matter, then left
 * out. Deterministic: the same input always gives the same cut.
 */
export function fitExcerpts(inputs: ExcerptInput[], evidence: string[], budget: number, overhead = 0): Excerpt[] {
  const needles = evidenceNeedles(evidence)
  const prepared = inputs.map((input) => {
    const lines = input.text.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n')
    return {lines, matters: mattersOf(lines, input.kind, needles)}
  })
  const EVIDENCE_ALONE = STEPS.indexOf(0)
  const step = prepared.map((p, i) => (inputs[i]!.evidenceOnly ? (p.matters.length ? EVIDENCE_ALONE : STEPS.length) : 0))
  const render = (i: number): Excerpt => excerptAt(prepared[i]!.lines, prepared[i]!.matters, step[i]!)
  const current = prepared.map((p, i) => (step[i]! >= STEPS.length ? omitted(p) : render(i)))
  const size = (e: Excerpt) => (e.cut === 'omitted' ? 0 : e.text.length + overhead)
  let total = current.reduce((n, e) => n + size(e), 0)
  while (total > budget) {
    let largest = -1
    for (let i = 0; i < current.length; i++) if (current[i]!.cut !== 'omitted' && (largest < 0 || size(current[i]!) > size(current[largest]!))) largest = i
    if (largest < 0) break
    const before = size(current[largest]!)
    step[largest]!++
    current[largest] = step[largest]! >= STEPS.length ? omitted(prepared[largest]!) : render(largest)
    total += size(current[largest]!) - before
  }
  return current
}

function omitted(p: {lines: string[]; matters: number[]}): Excerpt {
  return {text: '', totalLines: p.lines.length, shownLines: 0, matters: p.matters.length, cut: 'omitted'}
}

function excerptAt(lines: string[], matters: number[], step: number): Excerpt {
  const context = STEPS[step]!
  const capped = (l: string) => (l.length > MAX_LINE ? `${l.slice(0, MAX_LINE)} …` : l)
  if (context === Infinity) return {text: lines.map(capped).join('\n'), totalLines: lines.length, shownLines: lines.length, matters: matters.length, cut: 'none'}
  // With nothing that matters, the start and the end of a log still tell the most.
  const anchors = matters.length ? (context < 0 ? matters.slice(0, FIRST_MATTERS) : matters) : [...range(0, Math.min(20, lines.length)), ...range(Math.max(0, lines.length - 20), lines.length)]
  const shown = new Set<number>()
  const width = Math.max(0, context)
  for (const a of anchors) for (let i = Math.max(0, a - width); i <= Math.min(lines.length - 1, a + width); i++) shown.add(i)
  const out: string[] = []
  let last = -1
  for (const i of [...shown].sort((a, b) => a - b)) {
    if (i > last + 1) out.push(cutMarker(i - last - 1))
    out.push(capped(lines[i]!))
    last = i
  }
  if (last < lines.length - 1) out.push(cutMarker(lines.length - 1 - last))
  return {text: out.join('\n'), totalLines: lines.length, shownLines: shown.size, matters: matters.length, cut: 'excerpt'}
}

function cutMarker(n: number): string {
  return `[… ${n} line${n === 1 ? '' : 's'} cut …]`
}

function* range(from: number, to: number): Generator<number> {
  for (let i = from; i < to; i++) yield i
}

/**
 * What an evidence line quotes, without the label a check put before it: "kernel log line 812:
 * DMAR: IOMMU enabled" -> "DMAR: IOMMU enabled". Short quotes would match everywhere; skip them.
 */
function evidenceNeedles(evidence: string[]): string[] {
  const needles = new Set<string>()
  for (const e of evidence) {
    const stripped = e.replace(/^[^:]{1,60}?\bline \d+:\s*/, '').replace(/^[\w./ -]{1,40}:\d+:\s*/, '')
    for (const n of [stripped, e.slice(e.indexOf(': ') + 2)]) if (n.trim().length >= 12) needles.add(n.trim().slice(0, 200))
  }
  // Enough to find every quoted line; a check that quotes thousands would make this quadratic.
  return [...needles].slice(0, 200)
}

function mattersOf(lines: string[], kind: SourceKind, needles: string[]): number[] {
  const telling = kind === 'kernelLog' ? TELLING_KERNEL_LINE : kind === 'qemuLog' ? TELLING_QEMU_LINE : kind === 'lspci' || kind === 'pciSysfs' ? TELLING_PCI_LINE : undefined
  const out: number[] = []
  lines.forEach((line, i) => {
    if ((telling && telling.test(line)) || needles.some((n) => line.includes(n))) out.push(i)
  })
  // The end of a qemu log is where it says why the guest stopped.
  if (kind === 'qemuLog') for (const i of range(Math.max(0, lines.length - 15), lines.length)) if (!out.includes(i)) out.push(i)
  return out.sort((a, b) => a - b)
}
