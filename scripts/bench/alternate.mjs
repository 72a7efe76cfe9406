// Runs a command alternately with the floor, `node -e 0`, so each run has a floor run next to it
// that the same noisy moment slowed. Peak RSS is the kernel's ru_maxrss for the whole process:
// from GNU time where installed, else from a preload that writes process.resourceUsage().maxRSS.
import {spawnSync} from 'node:child_process'
import {existsSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

const GNU_TIME = '/usr/bin/time'
export const FLOOR = ['-e', '0']

const isGnuTime = () => existsSync(GNU_TIME) && spawnSync(GNU_TIME, ['--version'], {encoding: 'utf8'}).stdout.includes('GNU')

/** A runner of `node ARGV` writing its scratch files in `work`. */
export function processRunner(work) {
  const rssFile = join(work, 'rss')
  const gnuTime = isGnuTime()
  const env = {...process.env, NO_COLOR: '1'}
  let spawnArgs
  if (gnuTime) {
    // %M is ru_maxrss in KiB; -o keeps it apart from the command's stderr.
    spawnArgs = (argv) => [GNU_TIME, ['-f', '%M', '-o', rssFile, process.execPath, ...argv], env]
  } else {
    const preload = join(work, 'rss.cjs')
    writeFileSync(preload, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(rssFile)}, process.resourceUsage().maxRSS + '\\n'))\n`)
    spawnArgs = (argv) => [process.execPath, argv, {...env, NODE_OPTIONS: `${env.NODE_OPTIONS ?? ''} --require ${preload}`}]
  }

  /** One run: wall ms and peak RSS in MiB. Exit 1 is a check that found problems, not a failure. */
  function runOnce(argv) {
    rmSync(rssFile, {force: true})
    const [file, args, runEnv] = spawnArgs(argv)
    const start = process.hrtime.bigint()
    const result = spawnSync(file, args, {env: runEnv, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26})
    const ms = Number(process.hrtime.bigint() - start) / 1e6
    if (result.status !== 0 && result.status !== 1) throw new Error(`node ${argv.join(' ')} exited ${result.status ?? result.signal}: ${result.stderr}`)
    // GNU time writes "Command exited with non-zero status 1" before the figure: take the last line.
    const kib = Number(readFileSync(rssFile, 'utf8').trim().split('\n').at(-1))
    return {ms, rssMiB: kib / 1024}
  }

  /** One warm-up of each (unless `warmUp` is false), then floor and command alternately `runs` times. */
  function alternate(argv, runs, warmUp) {
    if (warmUp) {
      runOnce(FLOOR)
      runOnce(argv)
    }
    const floor = []
    const command = []
    for (let i = 0; i < runs; i++) {
      floor.push(runOnce(FLOOR))
      command.push(runOnce(argv))
    }
    return {floor, command}
  }

  return {rssSource: gnuTime ? `GNU time (${GNU_TIME} -f %M)` : 'a --require preload writing process.resourceUsage().maxRSS', alternate}
}
