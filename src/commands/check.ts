import {Flags} from '@oclif/core'
import {collectFromFlags} from '../collect.js'
import {checkGpuAddress, checkGpuInEvidence, checkSelection, checkSomethingRecognised} from '../cli/selection.js'
import {diagnose} from '../engine/pipeline.js'
import {exitCodeOf, type FailOn} from '../report/model.js'
import {FORMATS, renderReport, renderShareable, type Format} from '../report/render.js'
import {useColor} from '../report/style.js'
import {parseResolution} from '../cli/resolution.js'
import {BaseCommand, sourceFlags} from '../cli/base.js'
import {terminalWidth} from '../util/terminal-width.js'

export default class Check extends BaseCommand {
  static override summary = 'Diagnose GPU passthrough: read the evidence, say what is wrong and what to change.'
  static override description = `Reads this host (or an evidence folder with --input), runs every check and prints what is wrong with the exact lines to change.
Reports get posted, attached and kept in CI logs, so every format is redacted: host and user names, MAC and IP addresses, serial numbers, UUIDs, SSH keys, passwords and Wi-Fi names become consistent pseudonyms (user1, host1); PCI ids and addresses, kernel versions and file names stay. The one exception is the text report shown on your own terminal, whose fixes must name your real paths. --no-redact keeps everything.
--share uploads the redacted Markdown report and prints its link: it shows the report and asks first, and without a terminal it uploads only with --yes.
Exit status: 0 when nothing is at or above --fail-on, 1 when something is, 2 for bad usage or unreadable input.`

  static override examples = [
    {description: 'Check this host (sudo lets it read the kernel log and qemu logs)', command: 'sudo <%= config.bin %> <%= command.id %>'},
    {description: 'Check files someone pasted on a forum', command: '<%= config.bin %> <%= command.id %> --input ./pasted/'},
    {description: 'Machine-readable output for CI', command: '<%= config.bin %> <%= command.id %> --input ./my-host --format json --fail-on warning'},
    {description: 'Only the IOMMU checks, for the GPU at 01:00.0', command: '<%= config.bin %> <%= command.id %> --only iommu-enabled --gpu 01:00.0'},
    {description: 'A report to paste into a GitHub issue, Discourse or Reddit post (redacted)', command: '<%= config.bin %> <%= command.id %> --format markdown > report.md'},
    {description: 'The same for the Arch Linux forums', command: '<%= config.bin %> <%= command.id %> --format bbcode'},
    {description: 'One HTML file with the PCI topology picture, to attach where a forum takes files (redacted)', command: '<%= config.bin %> <%= command.id %> --format html > report.html'},
    {description: 'Upload the redacted report to paste.rs and print its link (asks first)', command: 'sudo <%= config.bin %> <%= command.id %> --share'},
    {description: 'JUnit XML for GitLab or Jenkins, failing on warnings too', command: '<%= config.bin %> <%= command.id %> --input ./my-host --format junit --fail-on warning > vfio-doctor.xml'},
  ]

  static override flags = {
    ...sourceFlags,
    format: Flags.string({
      char: 'f',
      description: 'output format: text (terminal), json (schema/report.schema.json), markdown (GitHub, Discourse, Reddit), bbcode (Arch Linux forums), junit (CI), html (one file with a picture)',
      options: [...FORMATS],
      default: 'text',
    }),
    // Like every command that prints data; the report is the same as --format json.
    json: Flags.boolean({description: 'the same as --format json', exclusive: ['format']}),
    'fail-on': Flags.string({description: 'lowest severity that makes the exit status 1', options: ['error', 'warning', 'info', 'never'], default: 'error'}),
    only: Flags.string({description: 'run only these checks or knowledge ids (comma-separated)', helpValue: 'ID,...'}),
    skip: Flags.string({description: 'skip these checks or knowledge ids (comma-separated)', helpValue: 'ID,...'}),
    gpu: Flags.string({description: 'PCI address of the GPU meant for the guest (default: inferred)', helpValue: 'ADDR'}),
    'looking-glass': Flags.string({description: "the guest's screen with Looking Glass: checks the shared memory is large enough for it", helpValue: 'WxH'}),
    verbose: Flags.boolean({char: 'v', description: 'also show what passed, why checks were skipped and the facts behind them'}),
    redact: Flags.boolean({
      description: 'replace host and user names, MAC and IP addresses, serial numbers, UUIDs, keys and Wi-Fi names (all output but text on a terminal)',
      default: true,
      allowNo: true,
    }),
    share: Flags.boolean({description: 'upload the redacted Markdown report to paste.rs (0x0.st if that fails) and print the link'}),
    yes: Flags.boolean({char: 'y', description: 'with --share: upload without asking (needed when there is no terminal)'}),
    'share-url': Flags.string({description: 'with --share: POST the report to this paste service instead', env: 'VFIO_DOCTOR_SHARE_URL', helpValue: 'URL'}),
  }

  async run(): Promise<void> {
    const {flags: given} = await this.parse(Check)
    const flags = given.json ? {...given, format: 'json'} : given
    const list = (v?: string) => v?.split(',').map((x) => x.trim()).filter(Boolean)
    const only = list(flags.only)
    const skip = list(flags.skip)
    checkSelection('--only', only)
    checkSelection('--skip', skip)
    checkGpuAddress(flags.gpu)
    const set = await collectFromFlags(flags, flags.format === 'text')
    const lookingGlass = flags['looking-glass'] === undefined ? undefined : parseResolution(flags['looking-glass'])
    const {facts, report} = diagnose(set, {...(only ? {only} : {}), ...(skip ? {skip} : {}), ...(flags.gpu ? {gpu: flags.gpu} : {}), ...(lookingGlass ? {lookingGlass} : {})})
    checkSomethingRecognised(set, facts)
    checkGpuInEvidence(flags.gpu, facts)
    const failOn = flags['fail-on'] as FailOn
    // renderReport loads only the renderer asked for: `check --input` stays close to node's own start-up.
    const output = await renderReport(report, {
      format: flags.format as Format,
      set,
      facts,
      failOn,
      verbose: flags.verbose,
      // Text on the person's own terminal names their real paths: the fix must work as written.
      redact: flags.redact && !(flags.format === 'text' && process.stdout.isTTY === true),
      color: useColor(process.stdout),
      width: terminalWidth(),
    })
    process.stdout.write(output)
    process.exitCode = exitCodeOf(report, failOn)
    if (!flags.share) return
    const {shareFlow} = await import('../share/index.js')
    const refused = await shareFlow({
      ...(await renderShareable(report, set, facts)),
      yes: flags.yes,
      interactive: process.stdin.isTTY === true && process.stderr.isTTY === true,
      input: process.stdin,
      output: process.stderr,
      ...(flags['share-url'] ? {url: flags['share-url']} : {}),
    })
    if (refused) process.exitCode = refused
  }
}
