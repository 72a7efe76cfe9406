import {CHECKS} from '../../checks/index.js'
import {knowledgeIds, loadPage} from '../knowledge/page.js'
import {BaseCommand} from '../cli/base.js'

export default class List extends BaseCommand {
  static override summary = 'List the checks and the failure modes (knowledge ids) they report.'
  static override examples = [
    {description: 'Every check and failure mode', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'The failure modes about IOMMU groups, then one of them in full', command: '<%= config.bin %> <%= command.id %> | grep -i iommu && <%= config.bin %> explain iommu-groups-empty'},
  ]

  async run(): Promise<void> {
    const lines: string[] = ['Checks:']
    const width = Math.max(...CHECKS.map((c) => c.id.length))
    for (const c of CHECKS) lines.push(`  ${c.id.padEnd(width)}  ${c.title}  [${c.reports.join(', ')}]`)
    lines.push('', 'Failure modes (vfio-doctor explain ID):')
    const ids = knowledgeIds()
    const idWidth = Math.max(...ids.map((i) => i.length))
    for (const id of ids) {
      const page = loadPage(id)
      const by = CHECKS.filter((c) => c.reports.includes(id)).map((c) => c.id)
      lines.push(`  ${id.padEnd(idWidth)}  ${page?.severity.padEnd(7)}  ${page?.title}${by.length ? '' : '  (no check yet)'}`)
    }
    process.stdout.write(lines.join('\n') + '\n')
  }
}
