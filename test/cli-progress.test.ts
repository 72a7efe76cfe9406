/**
 * The progress display, as a person sees it: on a real pseudo-terminal (util-linux `script`), a
 * slow source shows its collector's title while it runs; --quiet and a pipe show none.
 */
import {spawnSync} from 'node:child_process'
import {chmodSync, mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {repoRoot} from './helpers/paths.js'
import {hasScript} from './helpers/tools.js'

describe.runIf(hasScript)('progress on a terminal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vfio-doctor-tty-'))
  const bin = join(dir, 'bin')
  mkdirSync(bin)
  // A virsh that takes its time, so the display has something to show.
  writeFileSync(join(bin, 'virsh'), '#!/bin/sh\nsleep 1.5\necho "error: failed to connect to the hypervisor" >&2\nexit 1\n')
  chmodSync(join(bin, 'virsh'), 0o755)
  const root = join(dir, 'root')
  mkdirSync(join(root, 'proc'), {recursive: true})
  writeFileSync(join(root, 'proc/cmdline'), 'intel_iommu=on\n')

  const onTerminal = (extra: string) => {
    // A pty made by script has no size of its own; a terminal always has one (listr2 cuts lines to it).
    const command = `stty cols 100 rows 40; node ${join(repoRoot, 'bin/run.cjs')} check --root ${root} ${extra}`
    // -e: script exits with the command's status (1 here: the fake host has findings).
    const r = spawnSync('script', ['-qec', command, '/dev/null'], {encoding: 'utf8', env: {...process.env, PATH: `${bin}:${process.env.PATH}`, FORCE_COLOR: '0'}, timeout: 30_000})
    expect(r.status).toBe(1)
    return r.stdout
  }

  it('shows each collector while it runs, then the report', () => {
    const out = onTerminal('')
    expect(out).toContain('libvirt domains')
    expect(out).toContain('vfio-doctor 0.1.0: this host')
  })

  it('shows none with --quiet', () => {
    const out = onTerminal('--quiet')
    expect(out).not.toContain('libvirt domains')
    expect(out).toContain('vfio-doctor 0.1.0: this host')
  })

  it('shows none when the output is not a terminal', () => {
    const r = spawnSync(process.execPath, [join(repoRoot, 'bin/run.cjs'), 'check', '--root', root], {encoding: 'utf8', env: {...process.env, PATH: `${bin}:${process.env.PATH}`}})
    expect(r.stdout + r.stderr).not.toContain('libvirt domains')
  })
})
