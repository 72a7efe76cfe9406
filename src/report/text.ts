import {AREAS, type Area, type CheckStatus} from '../engine/types.js'
import type {FactLine} from './facts-summary.js'
import {GATHER_COMMANDS} from '../sources/kinds.js'
import {configurationOnlyNote, sourceProblem, unjudgedAreas, type Report, type ReportFinding} from './model.js'
import {makeStyle, type Style} from './style.js'
import {markdownLines} from './terminal-markdown.js'
import {wrapLines} from '../util/wrap.js'

export interface TextOptions {
  color: boolean
  verbose: boolean
  /** Terminal columns; prose wraps to it, code does not. */
  width: number
}

const GLYPH = {error: '✗', warning: '!', info: 'i', passed: '✓', skipped: '-'} as const

/**
 * flutter-doctor style: one line per area with a status, the findings under it with their
 * evidence and fix, a summary line. `-v` adds what passed, why checks were skipped, what could not
 * be read and the facts the checks judged.
 */
export function renderText(report: Report, options: TextOptions, facts: FactLine[] = []): string {
  const s = makeStyle(options.color)
  const out: string[] = [...wrapLines(headerLine(report, s), options.width, '', '  '), '']
  for (const area of Object.keys(AREAS) as Area[]) {
    const checks = report.checks.filter((c) => c.area === area)
    if (checks.length === 0) continue
    const status = areaStatus(checks.map((c) => c.status))
    const skipped = checks.filter((c) => c.status === 'skipped')
    // All skipped: the most common reason; the lead alone skipped: the lead's reason.
    const skipReason = () => (skipped.length < checks.length ? checks[0]!.reason : mostCommon(skipped.map((c) => c.reason ?? 'no evidence'))) ?? 'no evidence'
    const note = skipped.length === 0 ? '' : status === 'skipped' ? ` (skipped: ${skipReason()})` : ` (${plural(skipped.length, 'check')} skipped)`
    out.push(...wrapLines(`${areaGlyph(status, s)} ${s.bold(AREAS[area])}${s.dim(note)}`, options.width, '', '    '))
    for (const check of checks) {
      for (const f of report.findings.filter((x) => x.check === check.id)) out.push(...findingLines(f, report.host.nixos, options, s))
      if (check.status === 'crashed') out.push(...wrapLines(`${s.red('✗')} ${check.title}: the check crashed (${check.reason}); please report this`, options.width, '    ', '      '))
      if (!options.verbose) continue
      for (const pass of check.passes) out.push(...wrapLines(`${s.green('•')} ${pass}`, options.width, '    ', '      '))
      if (check.status === 'skipped' && (status !== 'skipped' || new Set(skipped.map((c) => c.reason)).size > 1)) {
        out.push(...wrapLines(s.dim(`- ${check.title}: skipped, ${check.reason ?? 'no evidence'}${check.hint ? ` (${check.hint})` : ''}`), options.width, '    ', '      '))
      }
    }
  }
  if (options.verbose) out.push(...verboseTail(report, facts, options, s))
  out.push('', ...wrapLines(summaryLine(report, options.verbose, s), options.width, '', ''))
  out.push(...baselineLines(report, options.width))
  // The shell line is to be copied whole: it gets a line of its own, unwrapped.
  const clean = report.summary.errors + report.summary.warnings + report.summary.crashed === 0
  const note = configurationOnlyNote(report)
  if (note) out.push(...wrapLines(s.yellow(note), options.width, '', ''))
  if (note || (unjudgedAreas(report).length > 0 && clean)) out.push(`  ${GATHER_COMMANDS}`)
  return out.join('\n') + '\n'
}

function headerLine(report: Report, s: Style): string {
  const h = report.host
  const what = h.mode === 'live' ? 'this host' : h.configurationOnly ? 'a configuration (no evidence of the running host)' : 'the evidence folder'
  const parts = [h.os, h.kernel && `kernel ${h.kernel}`, h.cpu, h.virtualization && h.virtualization !== 'none' ? `runs as ${h.virtualization}` : undefined].filter(Boolean)
  return `${s.bold(`vfio-doctor ${report.tool.version}`)}: ${what}${parts.length ? ` (${parts.join(', ')})` : ''}`
}

type AreaStatus = 'error' | 'warning' | 'info' | 'passed' | 'skipped'

/**
 * An area's line. It passes only when its lead check (the first, in report order: iommu-enabled,
 * vfio-modules, libvirt-access, ...) passed: the others passing alone often means only "nothing
 * bad in the logs", and a green IOMMU line on a host without IOMMU groups would mislead.
 */
function areaStatus(statuses: CheckStatus[]): AreaStatus {
  if (statuses.some((x) => x === 'failed' || x === 'crashed')) return 'error'
  if (statuses.includes('warned')) return 'warning'
  if (statuses[0] === 'skipped') return 'skipped'
  return 'passed'
}

function areaGlyph(status: AreaStatus, s: Style): string {
  const color = status === 'error' ? s.red : status === 'warning' ? s.yellow : status === 'passed' ? s.green : s.dim
  return color(`[${GLYPH[status]}]`)
}

function findingLines(f: ReportFinding, nixos: boolean, options: TextOptions, s: Style): string[] {
  const color = f.severity === 'error' ? s.red : f.severity === 'warning' ? s.yellow : s.cyan
  const lines = wrapLines(`${color(GLYPH[f.severity])} ${f.message}`, options.width, '    ', '      ')
  for (const e of f.evidence) lines.push(...wrapLines(s.dim(`• ${e}`), options.width, '      ', '        '))
  const fix = nixos ? f.fix.nixos : (f.fix.other ?? f.fix.nixos)
  if (fix) {
    lines.push(`      ${s.bold(nixos ? 'Fix (NixOS):' : 'Fix:')}`)
    lines.push(...fixLines(fix, options.width, s))
  }
  lines.push(`      ${s.dim(`More: vfio-doctor explain ${f.id}`)}`)
  return lines
}

/** Fix text: paragraphs wrap to the terminal, code keeps its lines; no blank lines inside a finding. */
function fixLines(fix: string, width: number, s: Style): string[] {
  return markdownLines(fix, s, {width, indent: '        ', codeIndent: '          '}).filter((line) => line !== '')
}

/** Parts of evidence files shown with -v; a capture of thousands of files lists the first ones. */
const MAX_RECOGNISED_SHOWN = 60

function verboseTail(report: Report, facts: FactLine[], options: TextOptions, s: Style): string[] {
  const out: string[] = []
  const recognised = report.sources.filter((x) => x.status === 'ok' && x.recognised)
  if (recognised.length) {
    out.push('', s.bold('Recognised:'))
    for (const x of recognised.slice(0, MAX_RECOGNISED_SHOWN)) {
      const r = x.recognised!
      const lines = r.from === r.to ? `line ${r.from}` : `lines ${r.from}-${r.to}`
      out.push(...wrapLines(`${x.origin} ${lines}: ${r.format} (by its ${r.by === 'content' ? 'lines' : r.by})`, options.width, '  ', '    '))
    }
    if (recognised.length > MAX_RECOGNISED_SHOWN) out.push(`  ... and ${recognised.length - MAX_RECOGNISED_SHOWN} more (the JSON report lists every one)`)
  }
  const unreadable = report.sources.filter((x) => x.status !== 'ok' || x.truncated)
  if (unreadable.length) {
    out.push('', s.bold('Could not be read:'))
    for (const x of unreadable) out.push(...wrapLines(`${x.origin}: ${sourceProblem(x)}`, options.width, '  ', '    '))
  }
  if (facts.length) {
    const width = Math.max(...facts.map((f) => f.label.length)) + 2
    out.push('', s.bold('Facts:'))
    for (const f of facts) out.push(...wrapLines(f.value, options.width, `  ${s.dim(f.label.padEnd(width))}`, ' '.repeat(width + 2)))
  }
  return out
}

function mostCommon(values: string[]): string {
  const counts = new Map<string, number>()
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1)
  return [...counts].sort((a, b) => b[1] - a[1])[0]![0]
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

function summaryLine(report: Report, verbose: boolean, s: Style): string {
  const {errors, warnings, skipped, crashed} = report.summary
  const areas = new Set(report.findings.filter((f) => f.severity !== 'info').map((f) => report.checks.find((c) => c.id === f.check)?.area)).size
  const inPart = report.sources.filter((x) => x.truncated).length
  const skippedPart = (skipped ? `; ${plural(skipped, 'check')} skipped${skipHint(report, verbose)}` : '') + (inPart ? `; ${plural(inPart, 'source')} read in part${verbose ? '' : ' (-v)'}` : '')
  const unjudged = unjudgedAreas(report)
  // The note on configuration alone follows, with the way to gather the rest.
  if (errors + warnings === 0 && crashed === 0 && report.host.configurationOnly) return s.yellow(`No problem found in what the configuration says${skippedPart}.`)
  if (errors + warnings === 0 && crashed === 0 && unjudged.length > 0) {
    return s.yellow(`No problem found in what could be judged, but the evidence says nothing of ${unjudged.join(', ')}. Gather it with sudo vfio-doctor capture DIR, or without the tool run:`)
  }
  if (errors + warnings === 0 && crashed === 0) return s.green(`No issues found${skippedPart}.`)
  let line = `${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${plural(areas, 'area')}`
  if (crashed) line += `; ${plural(crashed, 'check')} crashed`
  return (errors || crashed ? s.red : s.yellow)(line + skippedPart + '.')
}

/** The way to get the skipped checks to run, when they share one ("run vfio-doctor with sudo"). */
function skipHint(report: Report, verbose: boolean): string {
  const skipped = report.checks.filter((c) => c.status === 'skipped')
  const hints = new Set(skipped.map((c) => c.hint ?? c.reason))
  if (hints.size === 1) {
    const [only] = hints
    return only ? `: ${only}` : ''
  }
  return verbose ? '' : ' (-v shows why)'
}

/** With --baseline: what changed since the earlier report, and each finding it had that is gone. */
function baselineLines(report: Report, width: number): string[] {
  const b = report.baseline
  if (!b) return []
  const out = wrapLines(`Against the baseline: ${b.new} new, ${b.unchanged} unchanged, ${b.gone.length} gone.`, width, '', '')
  for (const g of b.gone) out.push(...wrapLines(`- gone: ${g.message} (${g.id})`, width, '  ', '    '))
  return out
}
