import {Args, Flags} from '@oclif/core'
import {collectFromFlags} from '../collect.js'
import {writeCapture} from '../sources/capture.js'
import {BaseCommand, sourceFlags} from '../cli/base.js'
import {sudoCaller} from '../util/sudo.js'

export default class Capture extends BaseCommand {
  static override summary = 'Save what vfio-doctor reads from this host into an evidence folder.'
  static override description = `Writes every source it could read (kernel log, /proc, IOMMU groups, PCI devices, libvirt domains, NixOS generations) as plain files, plus meta.json with each source's status. Host and user names, MAC and IP addresses, serial numbers, UUIDs, keys and Wi-Fi names are replaced with consistent pseudonyms (--no-redact keeps them). \`vfio-doctor check --input DIR\` reads it back and gives the same findings. Nothing outside DIR is written, and DIR's parent must exist. The files are readable by all (0644; a new DIR 0755; with --no-redact, by you alone) and under sudo they belong to you, not root, so you can attach them.`

  static override examples = [
    {description: 'Capture this host to attach to a forum post', command: 'sudo <%= config.bin %> <%= command.id %> ./my-host'},
    {description: 'Check the capture later, anywhere', command: '<%= config.bin %> check --input ./my-host'},
    {description: 'Keep host names, addresses and serial numbers (for your own records)', command: 'sudo <%= config.bin %> <%= command.id %> --no-redact ./my-host-private'},
  ]

  static override args = {dir: Args.string({description: 'folder to write (new or empty, in a folder that exists)', default: 'vfio-doctor-capture'})}
  static override flags = {
    timeout: sourceFlags.timeout,
    'libvirt-uri': sourceFlags['libvirt-uri'],
    root: sourceFlags.root,
    quiet: sourceFlags.quiet,
    force: Flags.boolean({description: 'write into a folder that is not empty'}),
    redact: Flags.boolean({
      description: '--redact (the default) replaces host and user names, MAC and IP addresses, serial numbers, UUIDs, keys and Wi-Fi names with pseudonyms; --no-redact writes them as they are',
      default: true,
      allowNo: true,
    }),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Capture)
    const set = await collectFromFlags(flags)
    let written = set
    let redacted: string | undefined
    if (flags.redact) {
      const {redactorFor, redactSourceSet} = await import('../redact/index.js')
      const redactor = redactorFor(set)
      written = redactSourceSet(set, redactor)
      redacted = redactor.describe()
    }
    const redaction = redacted ? `replaced ${redacted}` : 'off: written with --no-redact, check the files before you share them'
    const {files} = await writeCapture(args.dir, written, {force: flags.force, redaction, owner: sudoCaller(), private: !flags.redact})
    const notOk = set.sources.filter((s) => s.status !== 'ok')
    process.stdout.write(`Wrote ${files.length} files to ${args.dir}${notOk.length ? `; ${notOk.length} sources could not be read (see meta.json)` : ''}.\n`)
    process.stdout.write(redacted ? `Redacted ${redacted} (--no-redact keeps them).\n` : 'Not redacted: check the files before you share them.\n')
  }
}
