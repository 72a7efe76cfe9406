/** Runs an oclif command in this process (so nock and spies see it) and returns what it printed. */
import {vi} from 'vitest'
import {repoRoot} from '../helpers/paths.js'

export interface Ran {
  stdout: string
  stderr: string
  code: number
}

/** `env`: variables to set for the run; undefined unsets one. */
export async function runCommand(command: {run(argv: string[], root: string): Promise<unknown>}, args: string[], env: Record<string, string | undefined> = {}): Promise<Ran> {
  let stdout = ''
  let stderr = ''
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += chunk.toString()), true))
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += chunk.toString()), true))
  const saved = {...process.env}
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k]
    else process.env[k] = v
  }
  process.exitCode = undefined
  try {
    await command.run(args, repoRoot)
  } finally {
    out.mockRestore()
    err.mockRestore()
    process.env = saved
  }
  const code = Number(process.exitCode ?? 0)
  process.exitCode = undefined
  return {stdout, stderr, code}
}
