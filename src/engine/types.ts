import type {FactName, Facts} from '../facts/types.js'

export type Severity = 'error' | 'warning' | 'info'

/** Report areas, in the order the terminal report shows them (flutter doctor's sections). */
export const AREAS = {
  host: 'Host CPU, firmware and kernel',
  iommu: 'IOMMU',
  isolation: 'Device isolation',
  vm: 'libvirt and the VM definition',
  'looking-glass': 'Looking Glass and guest extras',
  nixos: 'NixOS configuration',
} as const
export type Area = keyof typeof AREAS

/** What a finding says: the knowledge id, the host's values, and the lines that prove it. */
export interface FindingInput {
  /** One line, specific to this host: "GPU 0000:01:00.0 [10de:1b81] is bound to nvidia, not vfio-pci". */
  message: string
  /** The lines that prove it, quoted from the evidence ("dmesg:123: DMAR: IOMMU disabled"). */
  evidence?: string[]
  /** Values the knowledge page's fix placeholders take ({{param}} -> "intel_iommu=on"). */
  values?: Record<string, string>
  /** The device, domain or file the finding is about. */
  subject?: string
}

export interface Finding extends FindingInput {
  id: string
  severity: Severity
  check: string
  evidence: string[]
}

export interface Reporter {
  error(id: string, input: FindingInput): void
  warning(id: string, input: FindingInput): void
  info(id: string, input: FindingInput): void
  /** A verified good fact, shown with -v ("IOMMU on: 14 groups"). */
  pass(message: string): void
  /** The check cannot judge from what it has; the reason says what is missing, the hint how to get it. */
  skip(reason: string, hint?: string): void
  /**
   * Another failure explains what this check would see (a virtual host has no VT-x of its own): the
   * check is skipped for that reason, and the known messages of its ids do not judge for it either.
   */
  defer(reason: string): void
}

export interface CheckDefinition {
  /** The check's own id (kebab-case, often the same as the main knowledge id it reports). */
  id: string
  title: string
  area: Area
  /** Knowledge ids this check can report. */
  reports: string[]
  /**
   * Facts it cannot work without: when one is unknown the check is skipped with that fact's reason.
   * A list inside is alternatives, any one of which suffices (a kernel log or a qemu log).
   */
  needs: Array<FactName | FactName[]>
  /** Facts it reads when present. */
  uses?: FactName[]
  run(facts: Facts, report: Reporter): void
}

export type CheckStatus = 'passed' | 'failed' | 'warned' | 'skipped' | 'crashed'

export interface CheckResult {
  id: string
  title: string
  area: Area
  status: CheckStatus
  /** For skipped: why, and how to get what is missing. For crashed: the error message. */
  reason?: string
  hint?: string
  passes: string[]
  findings: Finding[]
}

export function defineCheck(check: CheckDefinition): CheckDefinition {
  return check
}
