import {Flags} from '@oclif/core'
import {collectFromFlags} from '../collect.js'
import {checkGpuAddress, checkGpuInEvidence, checkSelection, checkSomethingRecognised} from '../cli/selection.js'
import {diagnose} from '../engine/pipeline.js'
import {worstExitCode, type FailOn, type ReportFinding} from '../report/model.js'
import {FORMATS, renderRun, renderShareable, type Format, type HostRun} from '../report/render.js'
import {LIVE_HOST_NAME} from '../report/hosts.js'
import {hostFolders} from '../sources/host-folders.js'
import {UsageError} from '../util/errors.js'
import {stat} from 'node:fs/promises'
import {dirname, join, resolve} from 'node:path'
import type {SourceSet} from '../sources/types.js'
import {useColor} from '../report/style.js'
import {parseResolution} from '../cli/resolution.js'
import {BaseCommand, sourceFlags} from '../cli/base.js'
import {terminalWidth} from '../util/terminal-width.js'

export default class Check extends BaseCommand {
  static override summary = 'Diagnose GPU passthrough: read the evidence, say what is wrong and what to change.'
  static override description = `Reads this host (or an evidence folder with --input), runs every check and prints what is wrong with the exact lines to change.
Reports get posted, attached and kept in CI logs, so every format is redacted: host and user names, MAC and IP addresses, serial numbers, UUIDs, SSH keys, passwords and Wi-Fi names become consistent pseudonyms (user1, host1); PCI ids and addresses, kernel versions and file names stay. The one exception is the text report shown on your own terminal, whose fixes must name your real paths. --no-redact keeps everything.
--share uploads the redacted Markdown report and prints its link: it shows the report and asks first, and without a terminal it uploads only with --yes.
Several hosts (--input again, or a folder of evidence folders) are reported each on its own, in every format. A folder of configuration alone (.nix files, domain XML) is judged for what configuration can show, and the report says so. docs/ci.md shows CI jobs.
Exit status: 0 when nothing is at or above --fail-on (with --baseline: nothing new), 1 when something is (on any host), 2 for bad usage or unreadable input.`

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
    {description: 'Annotations on the lines of a NixOS configuration in a GitHub pull request (docs/ci.md)', command: '<%= config.bin %> <%= command.id %> --input ./nixos-config --format github --no-redact'},
    {description: 'Every captured host in one run, SARIF for code scanning; fail only on what is new since the last report', command: '<%= config.bin %> <%= command.id %> --input hosts/ --format sarif --baseline last-report.json > vfio-doctor.sarif'},
  ]

  static override flags = {
    ...sourceFlags,
    input: Flags.string({
      char: 'i',
      description: 'read an evidence folder (or one file) instead of this host; again for more hosts, or a folder of evidence folders',
      helpValue: 'DIR',
      multiple: true,
    }),
    format: Flags.string({
      char: 'f',
      description:
        'output format: text (terminal), json (schema/report.schema.json), markdown (GitHub, Discourse, Reddit), bbcode (Arch Linux forums), junit (CI), html (one file with a picture), sarif (code scanning), github (Actions annotations), codequality (GitLab)',
      options: [...FORMATS],
      default: 'text',
    }),
    // Like every command that prints data; the report is the same as --format json.
    json: Flags.boolean({description: 'the same as --format json', exclusive: ['format']}),
    'fail-on': Flags.string({description: 'lowest severity that makes the exit status 1 (with --baseline: of the new findings)', options: ['error', 'warning', 'info', 'never'], default: 'error'}),
    baseline: Flags.string({description: 'an earlier JSON report: mark each finding new, unchanged or gone, and fail only on new ones', helpValue: 'REPORT.json'}),
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
    const inputs = await inputsOf(flags.input)
    if (inputs.length > 1 && flags.gpu) throw new UsageError('--gpu names one host\'s GPU: give a single --input with it')
    if (inputs.length > 1 && flags.share) throw new UsageError('--share uploads one host\'s report: give a single --input with it')
    if (inputs.length > 1 && flags.format === 'html') throw new UsageError('--format html writes one host\'s page: give a single --input with it')
    const lookingGlass = flags['looking-glass'] === undefined ? undefined : parseResolution(flags['looking-glass'])
    const options = {...(only ? {only} : {}), ...(skip ? {skip} : {}), ...(flags.gpu ? {gpu: flags.gpu} : {}), ...(lookingGlass ? {lookingGlass} : {})}
    const hosts: HostRun[] = []
    // Several hosts' evidence is held until the run renders: together they read what one folder may.
    let read = 0
    for (const input of inputs) {
      const set = withoutFile(await collectFromFlags({...flags, input}, flags.format === 'text', read), flags.baseline)
      read += set.sources.reduce((n, s) => n + (s.text === undefined ? (s.digest?.bytes ?? 0) : Buffer.byteLength(s.text)), 0)
      const {facts, report} = diagnose(set, options)
      checkSomethingRecognised(set, facts)
      checkGpuInEvidence(flags.gpu, facts)
      hosts.push({name: input === undefined ? LIVE_HOST_NAME : join(input, '.'), root: input === undefined ? set.root : await folderOf(input), set, facts, report})
    }
    if (flags.baseline) await compareHosts(hosts, flags.baseline)
    const failOn = flags['fail-on'] as FailOn
    // renderRun loads only the renderer asked for: `check --input` stays close to node's own start-up.
    const output = await renderRun(hosts, {
      format: flags.format as Format,
      failOn,
      verbose: flags.verbose,
      // Text on the person's own terminal names their real paths: the fix must work as written.
      redact: flags.redact && !(flags.format === 'text' && process.stdout.isTTY === true),
      color: useColor(process.stdout),
      width: terminalWidth(),
    })
    process.stdout.write(output)
    process.exitCode = worstExitCode(hosts.map((h) => h.report), failOn)
    if (!flags.share) return
    const {shareFlow} = await import('../share/index.js')
    const refused = await shareFlow({
      ...(await renderShareable(hosts[0]!.report, hosts[0]!.set, hosts[0]!.facts)),
      yes: flags.yes,
      interactive: process.stdin.isTTY === true && process.stderr.isTTY === true,
      input: process.stdin,
      output: process.stderr,
      ...(flags['share-url'] ? {url: flags['share-url']} : {}),
    })
    if (refused) process.exitCode = refused
  }
}

/** The hosts a run reads: this one, each --input, and each evidence folder in a folder of them. */
async function inputsOf(given: string[] | undefined): Promise<Array<string | undefined>> {
  if (!given?.length) return [undefined]
  const out: string[] = []
  for (const input of given) out.push(...((await hostFolders(input)) ?? [input]))
  return out
}

/** The baseline kept in the folder it reads (a configuration repository) is a report, not evidence. */
function withoutFile(set: SourceSet, file: string | undefined): SourceSet {
  if (file === undefined || set.mode !== 'input') return set
  const path = resolve(file)
  return {...set, sources: set.sources.filter((s) => resolve(set.root, s.origin) !== path)}
}

/** Where an input's files are: the folder itself, or the folder of a single file. */
async function folderOf(input: string): Promise<string> {
  return (await stat(input).catch(() => undefined))?.isFile() ? dirname(input) : input
}

/** Each host's findings against the same host in the earlier report. */
async function compareHosts(hosts: HostRun[], file: string): Promise<void> {
  const [{readBaseline, baselineFor, compareWithBaseline}, {findingIdentity}, {redactorForReport}] = await Promise.all([
    import('../report/baseline.js'),
    import('../report/identity.js'),
    import('../redact/index.js'),
  ])
  const baseline = await readBaseline(file)
  if (baseline.only && hosts.length > 1) throw new UsageError(`--baseline ${file}: a report of one host, and this run reads ${hosts.length}: give the earlier report of the same hosts`)
  for (const host of hosts) {
    // The earlier report was most likely redacted (the JSON default): this run's findings match it redacted too.
    const redactor = redactorForReport(host.report, host.set)
    const earlier = baselineFor(baseline, host.name) ?? baselineFor(baseline, redactor.redact(host.name)) ?? []
    const redacted = (f: ReportFinding) => findingIdentity({id: f.id, evidence: f.evidence.map((e) => redactor.redact(e)), ...(f.subject ? {subject: redactor.redact(f.subject)} : {})})
    host.report = compareWithBaseline(host.report, earlier, redacted)
  }
}
