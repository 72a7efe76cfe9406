import {execFile} from 'node:child_process'
import {join} from 'node:path'
import {repoRoot} from './paths.js'

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/**
 * Runs the built CLI (`npm test` builds first) the way a person would: without vitest's
 * NODE_ENV=test, under which oclif adds development warnings to stderr.
 */
export function cli(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Promise<CliResult> {
  const {NODE_ENV: _vitest, ...personal} = process.env
  return new Promise((resolve) => {
    execFile(process.execPath, [join(repoRoot, 'bin/run.cjs'), ...args], {env: {...personal, NO_COLOR: '1', ...env}, maxBuffer: 64 * 1024 * 1024, ...(cwd ? {cwd} : {})}, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0
      resolve({code, stdout, stderr})
    })
  })
}
