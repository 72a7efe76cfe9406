import {execaRunner, type CommandRunner} from './sources/commands.js'
import {readEvidenceFolder} from './sources/evidence.js'
import {collectLive, COLLECTORS, liveContext} from './sources/live/index.js'
import type {Source, SourceSet} from './sources/types.js'

export interface CollectOptions {
  input?: string
  root?: string
  timeoutSeconds: number
  libvirtUri: string
  /** Show listr2 progress (a TTY and not --quiet). */
  progress: boolean
  /** Bytes the run's earlier evidence folders read: all of them share one limit (MAX_EVIDENCE_RUN). */
  alreadyRead?: number
}

/** The source flags check, capture, groups and plan share (src/cli/base.ts), as parsed. */
export interface SourceFlagValues {
  input?: string | undefined
  root?: string | undefined
  timeout: number
  'libvirt-uri': string
  quiet: boolean
}

/** collect() from the shared flags; progress shows on a TTY unless --quiet or the caller's output is not for a person. */
export function collectFromFlags(flags: SourceFlagValues, forPerson = true, alreadyRead = 0): Promise<SourceSet> {
  return collect({
    alreadyRead,
    ...(flags.input ? {input: flags.input} : {}),
    ...(flags.root ? {root: flags.root} : {}),
    timeoutSeconds: flags.timeout,
    libvirtUri: flags['libvirt-uri'],
    progress: forPerson && !flags.quiet && process.stderr.isTTY === true,
  })
}

/** Reads the evidence folder, or this host with every collector in parallel. */
export async function collect(options: CollectOptions): Promise<SourceSet> {
  if (options.input) return readEvidenceFolder(options.input, options.alreadyRead === undefined ? {} : {alreadyRead: options.alreadyRead})
  const runner = execaRunner(options.timeoutSeconds * 1000)
  const live = {run: options.root ? virshOnly(runner) : runner, libvirtUri: options.libvirtUri, ...(options.root ? {root: options.root} : {})}
  if (!options.progress) return collectLive(live)
  const ctx = liveContext(live)
  // listr2 only when someone watches: it is the heaviest import.
  const {Listr} = await import('listr2')
  const groups: Source[][] = []
  await new Listr(
    COLLECTORS.map((c, i) => ({
      title: c.title,
      task: async (_: unknown, task: {title: string}) => {
        groups[i] = await c.collect(ctx)
        const notOk = groups[i]!.filter((s) => s.status !== 'ok').length
        if (notOk) task.title = `${c.title} (${notOk} not readable)`
      },
    })),
    {concurrent: true, rendererOptions: {clearOutput: true}, exitOnError: false},
  ).run()
  return {mode: 'live', root: ctx.root, sources: groups.flat()}
}

/**
 * Under --root the host is a folder: commands that describe this machine (dmesg, lspci) would mix
 * two hosts. virsh still runs: its connection is named explicitly.
 */
function virshOnly(run: CommandRunner): CommandRunner {
  return (command, args) => (command === 'virsh' ? run(command, args) : Promise.resolve({status: 'missing', reason: `${command} not run: --root reads a folder, not this machine`}))
}
