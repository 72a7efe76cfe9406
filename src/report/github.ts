import type {Severity} from '../engine/types.js'
import type {HostReport} from './hosts.js'
import {fileLocations} from './locations.js'
import {configurationOnlyNote, unjudgedAreas, type Report, type ReportFinding} from './model.js'
import {GATHER_COMMANDS} from '../sources/kinds.js'

const COMMAND: Record<Severity, 'error' | 'warning' | 'notice'> = {error: 'error', warning: 'warning', info: 'notice'}

/**
 * GitHub Actions workflow commands: one annotation per finding, on the first file line its evidence
 * names (the line to change), else on the run. With a baseline, only new findings are annotated
 * and a notice counts the rest: a pull request shows what it brought. Each host ends with a notice
 * of what it found and what it could not judge.
 */
export function renderGithub(hosts: HostReport[]): string {
  const lines: string[] = []
  for (const host of hosts) {
    const findings = host.report.baseline ? host.report.findings.filter((f) => f.change === 'new') : host.report.findings
    for (const f of findings) lines.push(annotation(f, host, hosts.length > 1))
    const note = configurationOnlyNote(host.report)
    if (note) lines.push(`::notice title=${property(`vfio-doctor${hosts.length > 1 ? ` (${host.name})` : ''}: configuration alone`)}::${data(`${note}\n${GATHER_COMMANDS}`)}`)
    const b = host.report.baseline
    if (b) lines.push(`::notice title=${property(`vfio-doctor${hosts.length > 1 ? ` (${host.name})` : ''}: against the baseline`)}::${data(`${b.new} new, ${b.unchanged} unchanged, ${b.gone.length} gone${b.gone.length ? `: ${b.gone.map((g) => g.id).join(', ')}` : ''}`)}`)
    lines.push(`::notice title=${property(`vfio-doctor${hosts.length > 1 ? ` (${host.name})` : ''}: summary`)}::${data(summary(host.report))}`)
  }
  return `${lines.join('\n')}\n`
}

/** What the run found and could not judge: a run with no annotation still says what it saw. */
function summary(report: Report): string {
  const {errors, warnings, infos, skipped, crashed} = report.summary
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`
  const found = `${n(errors, 'error')}, ${n(warnings, 'warning')}, ${n(infos, 'note')}${crashed ? `, ${n(crashed, 'check')} crashed` : ''}; ${n(skipped, 'check')} skipped.`
  const unjudged = report.host.configurationOnly ? [] : unjudgedAreas(report)
  return unjudged.length ? `${found} Not judged: ${unjudged.join(', ')}; gather the evidence with sudo vfio-doctor capture DIR.` : found
}

function annotation(f: ReportFinding, host: HostReport, named: boolean): string {
  const where = fileLocations(f, host)[0]
  const props = [where && `file=${property(where.path)}`, where?.line && `line=${where.line}`, `title=${property(`vfio-doctor ${f.id}${named ? ` (${host.name})` : ''}: ${f.title}`)}`].filter(Boolean)
  return `::${COMMAND[f.severity]} ${props.join(',')}::${data(`${f.message}\nMore: vfio-doctor explain ${f.id}`)}`
}

/** The escaping of a command's message, as the runner's toolkit (@actions/core) writes it. */
export function data(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

/** A property value also escapes the characters that separate properties. */
export function property(s: string): string {
  return data(s).replace(/:/g, '%3A').replace(/,/g, '%2C')
}
