/** What the hostile-input tests share: temp folders, fake programs, running the CLI as another user, tree hashes. */
import {execFile, execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {expect} from 'vitest'
import type {Report} from '../../src/report/model.js'
import type {CliResult} from '../helpers/cli.js'
import {repoRoot} from '../helpers/paths.js'

/** Temp folders made here; each test file removes them when it is done (one holds a 200 MB log). */
const made: string[] = []
export function removeTempFolders(): void {
  for (const dir of made.splice(0)) {
    try {
      rmSync(dir, {recursive: true, force: true})
    } catch {
      // A folder left unlistable on purpose, as a user: harmless litter in the temp folder.
    }
  }
}

export function tmp(what: string): string {
  const dir = mkdtempSync(join(tmpdir(), `vfio-doctor-hostile-${what}-`))
  made.push(dir)
  return dir
}

/** An evidence folder from file name -> content (text or bytes); names may hold subfolders. */
export function evidenceDir(files: Record<string, string | Buffer>, dir = tmp('ev')): string {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), {recursive: true})
    writeFileSync(join(dir, name), content)
  }
  return dir
}

/** A folder of executable shell scripts standing in for dmesg, lspci, virsh...: put it first on PATH. */
export function fakeBin(scripts: Record<string, string>): string {
  const dir = tmp('bin')
  for (const [name, body] of Object.entries(scripts)) writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`, {mode: 0o755})
  return dir
}

export const pathWith = (bin: string) => `${bin}:/usr/bin:/bin`

export const isRoot = process.getuid?.() === 0
/** The uid the permission-denied tests drop to when they run as root. */
export const NOBODY = 65534

/**
 * Root reads whatever chmod forbids, so the permission rows drop to `nobody`; that needs the
 * checkout readable by others (not so under /root, say). Elsewhere they run as the user.
 */
export const canDropToNobody = ((): boolean => {
  if (!isRoot) return true
  try {
    execFileSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(join(repoRoot, 'bin/run.cjs'))}, 4)`], {uid: NOBODY, gid: NOBODY, stdio: 'ignore'})
    return true
  } catch {
    return false
  }
})()

/**
 * Runs the built CLI like test/helpers/cli.ts, optionally as another user (root may drop to
 * `nobody`: then permissions mean something again) and always with a deadline: a hang is a failure.
 */
export function runCli(args: string[], options: {env?: NodeJS.ProcessEnv; uid?: number; timeoutMs?: number; cwd?: string} = {}): Promise<CliResult & {ms: number; timedOut: boolean; peakRssMiB: number}> {
  const started = performance.now()
  // The process reports its own peak resident memory (getrusage) as it exits: see max-rss.cjs.
  const rssFile = join(tmp('rss'), 'max-rss')
  if (options.uid !== undefined) chmodSync(dirname(rssFile), 0o777)
  const env = {...process.env, NO_COLOR: '1', VFIO_DOCTOR_TEST_RSS_FILE: rssFile, ...(options.uid !== undefined ? {HOME: tmpHome()} : {}), ...options.env}
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--require', join(repoRoot, 'test/hostile/max-rss.cjs'), join(repoRoot, 'bin/run.cjs'), ...args],
      {env, maxBuffer: 256 * 1024 * 1024, timeout: options.timeoutMs ?? 60_000, killSignal: 'SIGKILL', ...(options.cwd ? {cwd: options.cwd} : {}), ...(options.uid !== undefined ? {uid: options.uid, gid: options.uid} : {})},
      (err, stdout, stderr) => {
        const timedOut = err !== null && (err as {killed?: boolean}).killed === true
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0
        let peakKiB = 0
        try {
          peakKiB = Number(readFileSync(rssFile, 'utf8'))
        } catch {
          // killed before it could say
        }
        resolve({code, stdout, stderr, ms: performance.now() - started, timedOut, peakRssMiB: peakKiB / 1024})
      },
    )
  })
}

/** A HOME another user can write to (oclif keeps a data folder there). */
function tmpHome(): string {
  const home = tmp('home')
  chmodSync(home, 0o777)
  return home
}

/** Exit 2 and exactly one line on stderr, no stack trace. */
export function expectOneLineError(r: CliResult, message: RegExp): void {
  expect(r.code, r.stderr).toBe(2)
  expect(r.stdout).toBe('')
  expect(r.stderr).toMatch(/^vfio-doctor: [^\n]+\n$/)
  expect(r.stderr).toMatch(message)
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /)
}

/** A JSON report, exit 0 or 1, nothing on stderr, no crashed check. */
export function expectJsonReport(r: CliResult): Report {
  expect(r.stderr).toBe('')
  expect([0, 1], r.stderr).toContain(r.code)
  const report = JSON.parse(r.stdout) as Report
  expect(report.checks.filter((c) => c.status === 'crashed')).toEqual([])
  return report
}

/** [origin, status, reason] of every source that is not ok, for tables to compare against. */
export function notOk(report: Pick<Report, 'sources'>): Array<[string, string, string]> {
  return report.sources.filter((s) => s.status !== 'ok').map((s) => [s.origin, s.status, s.reason ?? ''])
}

/**
 * A digest of a folder tree: every entry's relative path, type, mode, owner, size, link target and
 * content, so "unchanged" means byte-for-byte (access times aside: reading must not count as writing).
 */
export function treeDigest(root: string): {digest: string; entries: number} {
  const hash = createHash('sha256')
  let entries = 0
  const walk = (rel: string): void => {
    const full = join(root, rel)
    const st = lstatSync(full)
    entries++
    hash.update(`${rel}\0${st.mode}\0${st.uid}\0${st.gid}\0${st.mtimeMs}\0`)
    if (st.isSymbolicLink()) hash.update(`->${readlinkSync(full)}\0`)
    else if (st.isFile()) hash.update(readFileSync(full))
    else if (st.isDirectory()) for (const name of readdirSync(full).sort()) walk(rel ? join(rel, name) : name)
  }
  walk('')
  return {digest: hash.digest('hex'), entries}
}
