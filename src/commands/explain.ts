import {Args} from '@oclif/core'
import {knownMessages} from '../knowledge/messages.js'
import {citeForReaders, describePlaceholders, knowledgeIds, loadPage} from '../knowledge/page.js'
import {markdownLines} from '../report/terminal-markdown.js'
import {makeStyle, useColor} from '../report/style.js'
import {UsageError} from '../util/errors.js'
import {BaseCommand} from '../cli/base.js'
import {terminalWidth} from '../util/terminal-width.js'

const HOST_VALUES = 'Words in <angle brackets> stand for your host\'s values; `vfio-doctor check` fills them in.'

/**
 * What `explain ID --json` prints: the page's front matter, its Markdown body as written (with the
 * {{placeholders}} that `check` fills in), and the real lines that prove the failure.
 */
export interface ExplainJson {
  id: string
  title: string
  severity: string
  applies: string
  symptoms: string[]
  signals: string[]
  messages: Array<{proves: string; where: string; example: string}>
  body: string
  sources: string[]
}

export default class Explain extends BaseCommand {
  static override summary = 'Explain a failure mode: the cause, the fix for NixOS and other distributions, how to verify.'
  static override examples = [
    {description: 'Why VT-d / AMD-Vi off in the firmware leaves no IOMMU groups, and the fix', command: '<%= config.bin %> <%= command.id %> iommu-firmware-off'},
    {description: 'NVIDIA Code 43 in the guest', command: '<%= config.bin %> <%= command.id %> nvidia-error-43'},
    {description: 'Every failure mode a report can name', command: '<%= config.bin %> list'},
    {description: 'The page as data, with the lines that prove the failure', command: "<%= config.bin %> <%= command.id %> iommu-firmware-off --json | jq '.messages[].example'"},
  ]
  static override enableJsonFlag = true
  static override args = {id: Args.string({description: "a failure mode's id, as `vfio-doctor list` shows them", required: true})}

  async run(): Promise<ExplainJson> {
    const {args} = await this.parse(Explain)
    const page = loadPage(args.id.toLowerCase())
    if (!page) {
      const near = knowledgeIds().filter((id) => id.includes(args.id) || args.id.includes(id.split('-')[0]!))
      throw new UsageError(`no failure mode "${args.id}"${near.length ? `; did you mean ${near.slice(0, 3).join(', ')}?` : ''} (vfio-doctor list shows them all)`)
    }
    const header = `# ${page.title}\n\n*${page.id}* · ${page.severity} · applies to: ${page.applies}\n\n${page.body.includes('{{') ? `${HOST_VALUES}\n\n` : ''}`
    const meta = [
      page.symptoms.length ? `## Symptoms\n${page.symptoms.map((s) => `- ${s}`).join('\n')}\n` : '',
      page.signals.length ? `## Signals\n${page.signals.map((s) => `- ${s}`).join('\n')}\n` : '',
    ].join('\n')
    const messages = knownMessages().filter((m) => m.id === page.id)
    const json: ExplainJson = {
      id: page.id,
      title: page.title,
      severity: page.severity,
      applies: page.applies,
      symptoms: page.symptoms,
      signals: page.signals,
      messages: messages.map((m) => ({proves: m.proves, where: m.where, example: m.example.trim()})),
      body: citeForReaders(page.body),
      sources: page.sources.map(citeForReaders),
    }
    if (this.jsonEnabled()) return json
    const proof = messages.length ? `\n## Messages that prove it\n${messages.map((m) => `- ${m.proves} (${m.where}): \`${m.example.trim()}\``).join('\n')}\n` : ''
    const sources = page.sources.length ? `\n## Sources\n${page.sources.map((s) => `- ${s}`).join('\n')}\n` : ''
    const markdown = citeForReaders(describePlaceholders(`${header}${meta}\n${page.body}\n${proof}${sources}`))
    const lines = markdownLines(markdown, makeStyle(useColor(process.stdout)), {width: terminalWidth(), indent: '', codeIndent: '    '})
    process.stdout.write(lines.join('\n').replace(/\n{3,}/g, '\n\n') + '\n')
    return json
  }
}
