import type {Format} from './render.js'
import type {Report} from './model.js'

/** Several hosts' reports, each rendered whole, one after the other under its name, with a last line for the run. */
export function hostSections(format: Format, sections: Array<{name: string; body: string}>, reports: Report[]): string {
  const heading = (name: string) =>
    format === 'markdown' ? `### Host \`${name.replace(/`/g, "'")}\`` : format === 'bbcode' ? `[size=150][b]Host: ${name}[/b][/size]` : `━━ Host: ${name} ━━`
  const body = sections.map((s) => `${heading(s.name)}\n\n${s.body.trimEnd()}\n`).join('\n')
  return `${body}\n${runLine(reports)}\n`
}

/** "2 hosts: 1 with errors, 1 with warnings." */
function runLine(reports: Report[]): string {
  const withErrors = reports.filter((r) => r.summary.errors + r.summary.crashed > 0).length
  const withWarnings = reports.filter((r) => r.summary.errors + r.summary.crashed === 0 && r.summary.warnings > 0).length
  const parts = [withErrors && `${withErrors} with errors`, withWarnings && `${withWarnings} with warnings only`].filter(Boolean)
  return `${reports.length} hosts${parts.length ? `: ${parts.join(', ')}` : ''}.`
}
