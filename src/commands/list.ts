import {CHECKS} from '../../checks/index.js'
import {knowledgeIds, loadPage} from '../knowledge/page.js'
import {BaseCommand} from '../cli/base.js'

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
    const failureModes = knowledgeIds().map((id) => {
      const page = loadPage(id)
      return {id, severity: page?.severity ?? '', title: page?.title ?? '', reportedBy: CHECKS.filter((c) => c.reports.includes(id)).map((c) => c.id)}
    })
    if (!this.jsonEnabled()) process.stdout.write(text({checks, failureModes}))
    return {checks, failureModes}
  }
}

function text({checks, failureModes}: ListJson): string {
  const lines: string[] = ['Checks:']
  const width = Math.max(...checks.map((c) => c.id.length))
  for (const c of checks) lines.push(`  ${c.id.padEnd(width)}  ${c.title}  [${c.reports.join(', ')}]`)
  lines.push('', 'Failure modes (vfio-doctor explain ID):')
  const idWidth = Math.max(...failureModes.map((f) => f.id.length))
  for (const f of failureModes) lines.push(`  ${f.id.padEnd(idWidth)}  ${f.severity.padEnd(7)}  ${f.title}${f.reportedBy.length ? '' : '  (no check yet)'}`)
  return `${lines.join('\n')}\n`
}
