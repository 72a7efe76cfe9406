/**
 * The only way vfio-doctor runs a program: a fixed, reviewed list of read-only invocations, each
 * through execa with a timeout and no shell. Anything else is refused before it starts.
 */
import {isNixEvalArgs, NIX_EVAL_MIN_TIMEOUT_MS} from './nix-eval.js'

export type CommandResult =
  | {status: 'ok'; stdout: string}
  | {status: 'missing' | 'denied' | 'timeout' | 'error'; reason: string; stdout?: string}

export type CommandRunner = (command: string, args: string[]) => Promise<CommandResult>

/** Each entry: the program and a test of its arguments. Only verbs that read. */
const ALLOWED: Record<string, (args: string[]) => boolean> = {
  dmesg: (a) => a.length === 0,
  'nix-instantiate': isNixEvalArgs,
  journalctl: (a) => same(a, ['-k', '-b', '--no-pager']),
  lspci: (a) => same(a, ['-nnk']),
  virsh: (a) => isReadOnlyVirsh(a),
}

const VIRSH_READ_VERBS = new Set(['list', 'dumpxml', 'version', 'uri'])

function isReadOnlyVirsh(args: string[]): boolean {
  // virsh -c URI VERB [...]; the URI is data, the verb must only read. No `;` command lists.
  if (args[0] !== '-c' || !args[1] || args.some((a) => a.includes(';'))) return false
  const [verb, ...rest] = args.slice(2)
  if (!verb || !VIRSH_READ_VERBS.has(verb)) return false
  if (verb === 'list') return same(rest, ['--all', '--name'])
  if (verb === 'dumpxml') return rest.length === 1 || (rest.length === 2 && rest[0] === '--inactive')
  return rest.length === 0
}

function same(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

export function isAllowedCommand(command: string, args: string[]): boolean {
  const test = Object.hasOwn(ALLOWED, command) ? ALLOWED[command] : undefined
  return test !== undefined && test(args)
}

/** Output beyond this is cut: a command that prints megabytes costs memory, not a crash. */
export const MAX_COMMAND_OUTPUT = 64 * 1024 * 1024

export function execaRunner(timeoutMs: number, env: Record<string, string> = {}): CommandRunner {
  return async (command, args) => {
    if (!isAllowedCommand(command, args)) return {status: 'error', reason: `refused to run ${command} ${args.join(' ')}: not a read-only command vfio-doctor allows`}
    const {execa} = await import('execa')
    try {
      const timeout = command === 'nix-instantiate' ? Math.max(timeoutMs, NIX_EVAL_MIN_TIMEOUT_MS) : timeoutMs
      const subprocess = execa(command, args, {
        timeout,
        reject: false,
        stdin: 'ignore',
        maxBuffer: MAX_COMMAND_OUTPUT,
        env: {LC_ALL: 'C', ...env},
        extendEnv: true,
      })
      // execa's timeout kills the program but then waits for its output to close, which a child
      // it left behind can hold open for ever: past the deadline, stop listening.
      let deadline: NodeJS.Timeout | undefined
      const abandoned = new Promise<'abandoned'>((resolve) => {
        deadline = setTimeout(() => resolve('abandoned'), timeout + DEADLINE_GRACE_MS)
      })
      const result = await Promise.race([subprocess, abandoned]).finally(() => clearTimeout(deadline))
      if (result === 'abandoned') {
        subprocess.kill('SIGKILL')
        subprocess.stdout?.destroy()
        subprocess.stderr?.destroy()
        return {status: 'timeout', reason: `${command} did not answer in time`}
      }
      return classify(command, result)
    } catch (err) {
      return {status: 'error', reason: `${command}: ${(err as Error).message.split('\n')[0]}`}
    }
  }
}

/** How long past its timeout a killed program's output may take to close. */
const DEADLINE_GRACE_MS = 1000

interface ExecaOutcome {
  exitCode?: number
  timedOut?: boolean
  stdout?: unknown
  stderr?: unknown
  code?: string
  isMaxBuffer?: boolean
  originalMessage?: string
}

function classify(command: string, r: ExecaOutcome): CommandResult {
  const stdout = typeof r.stdout === 'string' ? r.stdout : ''
  const stderr = typeof r.stderr === 'string' ? r.stderr : ''
  if (r.code === 'ENOENT') return {status: 'missing', reason: `${command} is not installed`}
  if (r.timedOut) return {status: 'timeout', reason: `${command} did not answer in time`}
  if (r.isMaxBuffer) return {status: 'ok', stdout}
  if (r.exitCode === 0) return {status: 'ok', stdout}
  // virsh says what failed on its second line ("error: failed to connect to the hypervisor" /
  // "error: Failed to connect socket to '...': No such file or directory"): keep up to three.
  // Nix prints warnings ("the group 'nixbld' ... does not exist") before its "error:" line: start there.
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean)
  const firstError = lines.findIndex((l) => /^error:/i.test(l))
  const errLines = lines.slice(Math.max(firstError, 0), Math.max(firstError, 0) + 3)
  const errorText = errLines.length ? errLines.join('; ') : (r.originalMessage ?? `exit status ${r.exitCode}`)
  if (/operation not permitted|permission denied|not permitted|EPERM/i.test(errorText)) return {status: 'denied', reason: `${command}: ${errorText.trim()}`, stdout}
  return {status: 'error', reason: `${command}: ${errorText.trim()}`, stdout}
}
