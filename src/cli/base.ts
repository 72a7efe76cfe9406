import {Command, Flags} from '@oclif/core'
import {printableText} from '../report/printable.js'
import {UsageError} from '../util/errors.js'

/** Every command: one-line errors with exit 2, never a stack trace (set DEBUG=vfio-doctor for one). */
export abstract class BaseCommand extends Command {
  /** --json: plain JSON as `check --format json` writes it (oclif's own goes through console.log and util.format). */
  override logJson(json: unknown): void {
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`)
  }

  protected override async catch(err: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<void> {
    // oclif's own exits (this.exit) and flag errors carry their codes; keep them.
    if (err.oclif?.exit !== undefined && !(err instanceof UsageError)) {
      if (err.oclif.exit === 0 || err.message.startsWith('EEXIT')) throw err
      process.stderr.write(`vfio-doctor: ${parseErrorLine(err.message)} (vfio-doctor ${this.id} --help)\n`)
      process.exitCode = 2
      return
    }
    if (process.env.DEBUG?.includes('vfio-doctor')) process.stderr.write(`${err.stack}\n`)
    const prefix = err instanceof UsageError ? '' : 'internal error: '
    process.stderr.write(`vfio-doctor: ${prefix}${firstLine(err.message)}\n`)
    process.exitCode = 2
  }
}

/**
 * oclif's flag and argument errors span lines ("Parsing --timeout \n\tExpected an integer ...\nSee more
 * help with --help"): all of it but the help pointer, on one line, in the tool's lower-case style.
 */
export function parseErrorLine(message: string): string {
  const parts = message
    .split('\n')
    .map((l) => l.trim().replace(/^(\S+) {2,}/, '$1, ').replace(/\s+/g, ' '))
    .filter((l) => l && !/^(See more help with --help|The following errors? occurred:)$/.test(l))
    .map((l) => (/^[A-Z][a-z]/.test(l) ? l[0]!.toLowerCase() + l.slice(1) : l))
  return printableText(parts.reduce((out, part) => (out === '' ? part : `${out}${out.endsWith(':') ? ' ' : ': '}${part}`), ''))
}

function firstLine(message: string): string {
  return printableText(message.split('\n').find((l) => l.trim())?.trim() ?? 'unknown error')
}

/** Flags shared by the commands that read a host or an evidence folder. */
export const sourceFlags = {
  input: Flags.string({char: 'i', description: 'read an evidence folder (or one file) instead of this host', helpValue: 'DIR'}),
  timeout: Flags.integer({description: 'seconds each command may take', default: 5, min: 1, max: 600}),
  'libvirt-uri': Flags.string({description: 'libvirt connection to read domains from', default: 'qemu:///system'}),
  root: Flags.string({description: 'read the host below this folder instead of / (for tests)', hidden: true}),
  quiet: Flags.boolean({char: 'q', description: 'no progress display'}),
}
