import {AREAS, type CheckStatus, type Severity} from '../engine/types.js'
import type {Source, SourceKind} from '../sources/types.js'
import {fitExcerpts, type Excerpt} from './excerpt.js'
import type {FactLine} from './facts-summary.js'
import {GATHER_COMMANDS} from '../sources/kinds.js'
import {configurationOnlyNote, sourceProblem, unjudgedAreas, type Report, type ReportFinding} from './model.js'
import type {Topology} from './topology/model.js'

/**
 * A forum post, written once for every markup: findings first (with their evidence and fix
 * folded), then the checks, the host's facts and the raw sources, excerpted to fit the forum's
 * size limit. Markdown and BBCode differ only in their Markup.
 */
export interface Markup {
  heading(level: 1 | 2 | 3, text: string): string
  bold(text: string): string
  code(text: string): string
  codeBlock(text: string, language?: string): string
  /** A folded block (Markdown <details>); markups without folding show it open. */
  fold(summary: string, body: string): string
  list(items: string[]): string
  /** Rows of cells, the first one the header. */
  table(rows: string[][]): string
  small(text: string): string
  /** Plain text made safe to sit in prose. */
  escape(text: string): string
  /** A knowledge page's Markdown (the fix) in this markup. */
  fromMarkdown(markdown: string): string
  /** How a finding's severity and a check's status show. */
  marks: {severity: Record<Severity, string>; status: Record<CheckStatus, string>}
  /** A paragraph of inline text, where the markup needs it marked (HTML); plain text otherwise. */
  paragraph?(text: string): string
  /** The PCI topology as this markup can show it (a picture, a diagram); '' or absent: not shown. */
  topology?(topology: Topology): string
}

export interface ForumInput {
  report: Report
  /**
   * The run's sources: their names and reasons redacted when the report is, their text as read
   * (a post prints only excerpts of it, through `show`).
   */
  sources: Source[]
  /** What a post prints of a source's text, when not the text itself: the text redacted. */
  show?: (text: string) => string
  /** The findings' evidence as the sources hold it (before redaction): it finds the lines that matter. */
  quoted: string[]
  facts: FactLine[]
  /** The PCI tree and IOMMU groups, its names redacted when the report is. */
  topology?: Topology
  /**
   * What redaction has replaced so far ("1 user name and 2 MAC addresses"), or undefined when the
   * report is not redacted. Asked after the excerpts are shown, since they are redacted as shown (a
   * post cut to fit after a larger try also counts what that try showed).
   */
  redacted?: () => string
}

export interface ForumOptions {
  /** Characters the whole post may take. */
  limit: number
  /** Characters the raw sources may take at most, within the limit. */
  sourceBudget?: number
  /** How the post is made, shown at its foot. */
  command: string
  /** The topology right under the head (a picture); by default after the findings (a folded diagram). */
  topologyFirst?: boolean
}

const SEVERITY_ORDER: Severity[] = ['error', 'warning', 'info']
const MAX_EVIDENCE_LINES = 30

/** What each kind of source is, in words a forum reader knows. */
const KIND_WORDS: Record<SourceKind, string> = {
  kernelLog: 'kernel log',
  cmdline: 'kernel command line',
  cpuinfo: '/proc/cpuinfo',
  modules: 'loaded modules',
  procVersion: '/proc/version',
  osRelease: 'os-release',
  uname: 'uname',
  iommuListing: 'IOMMU groups',
  pciSysfs: 'PCI devices (sysfs)',
  lspci: 'lspci',
  acpiTables: 'ACPI tables',
  iommuClass: '/sys/class/iommu',
  devNodes: 'device nodes',
  kvmParams: 'KVM module parameters',
  virshList: 'virsh list',
  domainXml: 'libvirt domain XML',
  qemuLog: 'qemu / libvirt log',
  qemuConf: 'qemu.conf',
  permissions: 'file permissions',
  userGroups: 'user and groups',
  nixSystem: 'NixOS generation',
  nixKernelParams: 'NixOS kernel-params',
  nixBootspec: 'NixOS bootspec',
  nixConfig: 'NixOS configuration',
  nixEval: 'NixOS options (evaluated)',
  modprobe: 'modprobe configuration',
  detectVirt: 'systemd-detect-virt',
  log: 'log',
}

/** Raw sources in the order a helper reads them: the kernel's view first, then the VM's, then config. */
const KIND_ORDER: SourceKind[] = [
  'kernelLog', 'cmdline', 'iommuListing', 'lspci', 'pciSysfs', 'qemuLog', 'domainXml', 'nixConfig', 'nixEval', 'qemuConf', 'modprobe', 'nixKernelParams', 'nixBootspec', 'nixSystem',
  'permissions', 'devNodes', 'userGroups', 'modules', 'cpuinfo', 'osRelease', 'uname', 'procVersion', 'acpiTables', 'iommuClass', 'kvmParams',
  'virshList', 'detectVirt', 'log',
]

const LANGUAGE: Partial<Record<SourceKind, string>> = {domainXml: 'xml', nixConfig: 'nix', nixEval: 'json', modprobe: 'ini'}

export function renderForum(input: ForumInput, m: Markup, options: ForumOptions): string {
  const {report} = input
  const head = [m.heading(1, title(report)), paragraph(m, hostLine(report, m)), gatherBlock(report, m), baselineBlock(report, m)].filter(Boolean).join('\n\n')
  const findings = sortedFindings(report).map((f) => findingBlock(f, report, m))
  const topology = input.topology && m.topology ? m.topology(input.topology) : ''
  const checks = [m.heading(2, 'Checks'), checksTable(report, m)].join('\n\n')
  const facts = input.facts.length ? m.fold('Host facts', m.list(input.facts.map((f) => `${m.bold(`${f.label}:`)} ${m.escape(f.value)}`))) : ''
  const unreadable = unreadableBlock(input.sources, m)
  const foot = () =>
    m.small([`vfio-doctor ${report.tool.version}`, input.redacted ? `redacted: ${input.redacted()} (${m.code('--no-redact')} keeps them)` : 'not redacted', m.code(options.command)].join(' · '))

  const core = (options.topologyFirst ? [head, topology, ...findings] : [head, ...findings, topology]).concat(checks, facts, unreadable).filter(Boolean)
  const fixed = core.join('\n\n').length + foot().length + 200
  const raw = input.sources
    .filter((s) => s.status === 'ok' && (s.digest !== undefined || (s.text !== undefined && s.text.trim() !== '')))
    .sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind))
  const budget = Math.max(0, Math.min(options.sourceBudget ?? Infinity, options.limit - fixed))
  const excerpts = fitExcerpts(raw.map((s) => ({kind: s.kind, text: s.digest ?? s.text ?? '', evidenceOnly: s.kind === 'log'})), input.quoted, budget, 160, input.show)
  const shown = raw.map((s, i) => ({source: s, excerpt: excerpts[i]!})).filter((x) => x.excerpt.cut !== 'omitted')
  // Unrecognised text that is not evidence stays home: it is not cut for size, so it is not listed as such.
  const left = raw.filter((s, i) => excerpts[i]!.cut === 'omitted' && s.kind !== 'log')
  const sourceBlocks = shown.map(({source, excerpt}) => m.fold(sourceSummary(source, excerpt), m.codeBlock(excerpt.text, LANGUAGE[source.kind] ?? 'text')))
  const leftOut = left.length
    ? paragraph(m, `Left out to stay under the size limit: ${left.map((s) => m.code(s.origin)).join(', ')}. A capture holds them all (${m.code('vfio-doctor capture')}, redacted too).`)
    : ''
  const sources = raw.length ? [m.heading(2, 'Evidence read'), ...sourceBlocks, leftOut].filter(Boolean).join('\n\n') : ''
  return [...core, sources, foot()].filter(Boolean).join('\n\n') + '\n'
}

function paragraph(m: Markup, text: string): string {
  return text && m.paragraph ? m.paragraph(text) : text
}

function title(report: Report): string {
  const {errors, warnings, crashed} = report.summary
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
  const skipped = report.summary.skipped ? `${plural(report.summary.skipped, 'check')} skipped` : ''
  const unjudged = unjudgedAreas(report)
  if (errors + warnings + crashed === 0 && unjudged.length > 0) return `vfio-doctor: no problem in what could be judged; not judged: ${unjudged.join(', ')}`
  if (errors + warnings + crashed === 0) return `vfio-doctor: no problems found${skipped ? `, ${skipped}` : ''}`
  const parts = [errors && plural(errors, 'error'), warnings && plural(warnings, 'warning'), crashed && `${plural(crashed, 'check')} crashed`, skipped].filter(Boolean)
  return `vfio-doctor: ${parts.join(', ')}`
}

/** When a main area could not be judged: how to gather what it needs, the shell line in a code block. */
function gatherBlock(report: Report, m: Markup): string {
  const {errors, warnings, crashed} = report.summary
  const note = configurationOnlyNote(report)
  if (note) return `${m.escape(note)}\n\n${m.codeBlock(GATHER_COMMANDS, 'sh')}`
  if (errors + warnings + crashed > 0 || unjudgedAreas(report).length === 0) return ''
  return `${paragraph(m, `${m.escape('The evidence could not judge these areas. Gather what they need with')} ${m.code('sudo vfio-doctor capture DIR')}${m.escape(', or without the tool:')}`)}\n\n${m.codeBlock(GATHER_COMMANDS, 'sh')}`
}

/** With --baseline: what changed since the earlier report, and each finding it had that is gone. */
function baselineBlock(report: Report, m: Markup): string {
  const b = report.baseline
  if (!b) return ''
  const line = m.escape(`Against the baseline: ${b.new} new, ${b.unchanged} unchanged, ${b.gone.length} gone.`)
  return b.gone.length ? `${line}\n\n${m.list(b.gone.map((g) => `${m.escape(`gone: ${g.message}`)} (${m.code(g.id)})`))}` : line
}

function hostLine(report: Report, m: Markup): string {
  const h = report.host
  const parts = [h.os, h.kernel && `kernel ${h.kernel}`, h.cpu, h.virtualization && h.virtualization !== 'none' ? `runs as ${h.virtualization}` : undefined]
  parts.push(h.mode === 'live' ? 'read from the host' : h.configurationOnly ? 'read from a configuration (nothing of the running host)' : 'read from an evidence folder')
  return m.escape(parts.filter(Boolean).join(' · '))
}

function sortedFindings(report: Report): ReportFinding[] {
  return [...report.findings].sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity))
}

function findingBlock(f: ReportFinding, report: Report, m: Markup): string {
  const nixos = report.host.nixos
  const check = report.checks.find((c) => c.id === f.check)
  const area = check ? AREAS[check.area] : f.check
  const parts = [m.heading(3, `${m.marks.severity[f.severity]} ${m.escape(f.message)}`)]
  parts.push(paragraph(m, `${m.bold(m.escape(f.title))} · ${m.code(f.id)} · ${m.escape(area)} · more: ${m.code(`vfio-doctor explain ${f.id}`)}`))
  if (f.evidence.length) {
    const lines = f.evidence.slice(0, MAX_EVIDENCE_LINES)
    if (f.evidence.length > lines.length) lines.push(`[… ${f.evidence.length - lines.length} more lines]`)
    parts.push(m.fold(`Evidence (${f.evidence.length} line${f.evidence.length === 1 ? '' : 's'})`, m.codeBlock(lines.join('\n'), 'text')))
  }
  // The host's own distribution first; the other stays for readers who know better.
  const fixes: Array<[string, string | undefined]> = nixos
    ? [['Fix on NixOS', f.fix.nixos], ['Fix on other distributions', f.fix.other]]
    : [['Fix', f.fix.other], ['Fix on NixOS', f.fix.nixos]]
  for (const [label, text] of fixes) if (text) parts.push(m.fold(label, m.fromMarkdown(text)))
  return parts.join('\n\n')
}

function checksTable(report: Report, m: Markup): string {
  const rows = report.checks.map((c) => {
    const findings = report.findings.filter((f) => f.check === c.id)
    const result =
      c.status === 'skipped' ? `skipped: ${c.reason ?? 'no evidence'}`
      : c.status === 'crashed' ? `crashed: ${c.reason ?? 'unknown error'} (please report this)`
      : findings.length ? findings.map((f) => `${f.severity}: ${f.id}`).join(', ')
      : (c.passes[0] ?? 'passed')
    return [m.marks.status[c.status], m.escape(AREAS[c.area]), m.escape(c.title), m.escape(result)]
  })
  return m.table([['', 'Area', 'Check', 'Result'], ...rows])
}

function unreadableBlock(sources: Source[], m: Markup): string {
  const notOk = sources.filter((s) => s.status !== 'ok' || s.truncated)
  if (!notOk.length) return ''
  const items = notOk.map((s) => `${m.code(s.origin)}: ${m.escape(sourceProblem(s))}`)
  return [m.heading(2, 'Could not be read'), m.list(items)].join('\n\n')
}

function sourceSummary(source: Source, e: Excerpt): string {
  const lines = (n: number) => `${thousands(n)} line${n === 1 ? '' : 's'}`
  const what = `${source.origin} · ${KIND_WORDS[source.kind]}`
  if (e.cut === 'none') return `${what} · ${lines(e.totalLines)}`
  const around = e.matters ? `around ${thousands(e.matters)} that matter` : 'its start and end'
  return `${what} · ${lines(e.shownLines)} of ${thousands(e.totalLines)}, ${around}`
}

/** 12,345: without Intl, whose first use costs ~10 ms of start-up. */
export function thousands(n: number): string {
  const digits = String(n)
  let out = ''
  for (let end = digits.length; end > 0; end -= 3) out = `${digits.slice(Math.max(0, end - 3), end)}${out ? `,${out}` : ''}`
  return out
}
