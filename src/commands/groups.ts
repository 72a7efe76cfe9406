import {Flags} from '@oclif/core'
import {collectFromFlags} from '../collect.js'
import {assembleFacts} from '../facts/assemble.js'
import {iommuGroupVerdicts, type GroupsResult} from '../report/groups.js'
import {renderGroups} from '../report/groups-text.js'
import {useColor} from '../report/style.js'
import {BaseCommand, sourceFlags} from '../cli/base.js'
import {checkGpuAddress, checkGpuInEvidence} from '../cli/selection.js'
import {terminalWidth} from '../util/terminal-width.js'

export default class Groups extends BaseCommand {
  static override summary = 'List the IOMMU groups and say, for each, whether it can be passed to a VM whole.'
  static override description = `Shows every IOMMU group with its devices (address, class, vendor:device, name, driver, reset methods) and a verdict: a group can be passed whole when it holds one card's functions and bridges only; any other device in it has to go along. Groups with the boot GPU and laptop "3D controller" GPUs are pointed out. Reads this host, or an evidence folder with --input (sysfs capture, an IOMMU group listing, lspci -nnk).`

  static override examples = [
    {description: 'The groups of this host', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Only the groups that hold a GPU', command: '<%= config.bin %> <%= command.id %> --gpus'},
    {description: 'From a capture or from pasted iommu-groups.txt and lspci-nnk.txt', command: '<%= config.bin %> <%= command.id %> --input ./pasted/'},
    {description: 'As JSON, for scripts', command: "<%= config.bin %> <%= command.id %> --json | jq '.groups[] | select(.hasGpu)'"},
    {description: 'As a picture (SVG, redacted): the PCI tree with each group boxed', command: '<%= config.bin %> <%= command.id %> --format svg > topology.svg'},
  ]

  static override enableJsonFlag = true
  static override flags = {
    ...sourceFlags,
    gpus: Flags.boolean({description: 'only the groups that hold a GPU (in the picture: the rest folded into counts)'}),
    format: Flags.string({
      char: 'f',
      description: 'text (terminal) or svg: a picture of the PCI tree, each IOMMU group a box, the guest GPU, the host display and findings marked',
      options: ['text', 'svg'],
      default: 'text',
      exclusive: ['json'],
    }),
    gpu: Flags.string({description: 'PCI address of the GPU meant for the guest, marked in the picture (default: inferred)', helpValue: 'ADDR'}),
    redact: Flags.boolean({description: 'replace host and user names in the picture as in every shared report', default: true, allowNo: true}),
  }

  async run(): Promise<GroupsResult> {
    const {flags} = await this.parse(Groups)
    checkGpuAddress(flags.gpu)
    const set = await collectFromFlags(flags, !this.jsonEnabled() && flags.format === 'text')
    if (flags.format === 'svg') {
      const {topologyPicture} = await import('../report/topology/picture.js')
      const {svg, facts} = await topologyPicture(set, {...(flags.gpu ? {gpu: flags.gpu} : {}), ...(flags.gpus ? {collapse: 'always' as const} : {}), redact: flags.redact})
      checkGpuInEvidence(flags.gpu, facts)
      process.stdout.write(svg)
      return iommuGroupVerdicts(facts)
    }
    const result = iommuGroupVerdicts(assembleFacts(set))
    const shown = flags.gpus ? {...result, groups: result.groups.filter((g) => g.hasGpu)} : result
    if (flags.gpus && shown.groups.length === 0 && result.groups.length > 0) shown.reason = 'no group holds a GPU'
    if (!this.jsonEnabled() && flags.format === 'text') process.stdout.write(await renderGroups(shown, {color: useColor(process.stdout), width: terminalWidth()}))
    return shown
  }
}
