import {CHECKS} from '../../checks/index.js'
import {frontMatterById, headingOf, knowledgeIds} from '../knowledge/page.js'
import {BaseCommand} from '../cli/base.js'
import {terminalWidth} from '../util/terminal-width.js'
import {wrapLines} from '../util/wrap.js'

/** What `list --json` prints: every check with the ids it reports, every failure mode with the checks that report it. */
export interface ListJson {
  checks: Array<{id: string; area: string; title: string; reports: string[]}>
  failureModes: Array<{id: string; severity: string; title: string; reportedBy: string[]}>
}

export default class List extends BaseCommand {
  static override summary = 'List the checks and the failure modes (knowledge ids) they report.'
  static override enableJsonFlag = true
  static override examples = [
    {description: 'Every check and failure mode', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'The failure modes about IOMMU groups, then one of them in full', command: '<%= config.bin %> <%= command.id %> | grep -i iommu && <%= config.bin %> explain iommu-groups-empty'},
    {description: 'The same as data', command: '<%= config.bin %> <%= command.id %> --json'},
  ]

  async run(): Promise<ListJson> {
    await this.parse(List)
    const checks = CHECKS.map((c) => ({id: c.id, area: c.area, title: c.title, reports: [...c.reports]}))
    // From the compiled front matter: a page's title and severity need no page read.
    const fronts = frontMatterById()
    const failureModes = knowledgeIds().map((id) => {
      const {title = '', severity = ''} = fronts[id] ? headingOf(id, fronts[id]) : {}
      return {id, severity, title, reportedBy: CHECKS.filter((c) => c.reports.includes(id)).map((c) => c.id)}
    })
    if (!this.jsonEnabled()) process.stdout.write(text({checks, failureModes}, terminalWidth()))
    return {checks, failureModes}
  }
}

function text({checks, failureModes}: ListJson, width: number): string {
  const lines: string[] = ['Checks:']
  const idWidth = Math.max(...checks.map((c) => c.id.length))
  for (const c of checks) lines.push(...row(c.id.padEnd(idWidth), `${c.title}  [${c.reports.join(', ')}]`, width))
  lines.push('', 'Failure modes (vfio-doctor explain ID):')
  const modeWidth = Math.max(...failureModes.map((f) => f.id.length))
  for (const f of failureModes) lines.push(...row(`${f.id.padEnd(modeWidth)}  ${f.severity.padEnd(7)}`, `${f.title}${f.reportedBy.length ? '' : '  (no check yet)'}`, width))
  return `${lines.join('\n')}\n`
}

/** Narrower than this, a text column beside the names would hold two or three words a line. */
const MIN_TEXT_COLUMN = 30

/** A name and its text: the text wraps in a column beside the names, or under its name when that column would be too narrow. */
function row(name: string, text: string, width: number): string[] {
  const first = `  ${name}  `
  if (width - first.length >= MIN_TEXT_COLUMN) return wrapLines(text, width, first, ' '.repeat(first.length))
  return [`  ${name.trimEnd()}`, ...wrapLines(text, width, '      ')]
}
