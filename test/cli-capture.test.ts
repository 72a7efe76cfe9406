/**
 * `capture DIR`: a DIR it cannot use is one line and exit 2.
 * Drives the built CLI on a fake root (under --root only virsh would run, and PATH has none).
 */
import {chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {FakeRoot} from './helpers/fake-root.js'
import {canDropToNobody, expectOneLineError, fakeBin, isRoot, NOBODY, removeTempFolders, runCli, tmp} from './hostile/helpers.js'

afterAll(removeTempFolders)

const host = new FakeRoot()
  .file('proc/cmdline', 'BOOT_IMAGE=/vmlinuz amd_iommu=on iommu=pt\n')
  .file('etc/os-release', 'ID=nixos\nPRETTY_NAME="NixOS 25.05 (Warbler)"\n')
  .file('etc/passwd', 'root:x:0:0::/root:/bin/sh\n')
// Readable by `nobody` too, for the runs that drop to it.
chmodSync(host.dir, 0o755)
const noPrograms = fakeBin({})

/** Runs capture with no sudo variables but those given (the test runner may itself run under sudo). */
function capture(dir: string, options: {sudo?: {SUDO_UID: string; SUDO_GID: string}; uid?: number; flags?: string[]} = {}) {
  const env = {PATH: noPrograms, SUDO_USER: undefined, SUDO_UID: undefined, SUDO_GID: undefined, ...options.sudo}
  return runCli(['capture', dir, '--root', host.dir, '--quiet', ...(options.flags ?? [])], {env, ...(options.uid === undefined ? {} : {uid: options.uid})})
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

describe('a DIR capture cannot use: exit 2, one line naming it, nothing written', () => {
  it('an existing regular file', async () => {
    const file = join(tmp('file'), 'capture')
    writeFileSync(file, 'not a folder\n')
    const r = await capture(file)
    expectOneLineError(r, new RegExp(`^vfio-doctor: ${escaped(file)} is a file, not a folder: choose a new folder$`, 'm'))
    expect(readFileSync(file, 'utf8')).toBe('not a folder\n')
  })

  it('a parent folder that does not exist (capture makes only DIR itself)', async () => {
    const parent = join(tmp('missing'), 'nowhere')
    const dir = join(parent, 'capture')
    const r = await capture(dir)
    expectOneLineError(r, new RegExp(`^vfio-doctor: cannot create ${escaped(dir)}: ${escaped(parent)} does not exist$`, 'm'))
    expect(existsSync(parent)).toBe(false)
  })

  it('a parent that is a file', async () => {
    const parent = join(tmp('parent-file'), 'notes.txt')
    writeFileSync(parent, 'mine\n')
    const dir = join(parent, 'capture')
    const r = await capture(dir)
    expectOneLineError(r, new RegExp(`^vfio-doctor: cannot create ${escaped(dir)}: ${escaped(parent)} is not a folder$`, 'm'))
    expect(readFileSync(parent, 'utf8')).toBe('mine\n')
  })

  it.runIf(!isRoot || canDropToNobody)('a parent the caller cannot write to (as root, the test drops to nobody)', async () => {
    const parent = tmp('read-only')
    chmodSync(parent, isRoot ? 0o755 : 0o555)
    const dir = join(parent, 'capture')
    const r = await capture(dir, isRoot ? {uid: NOBODY} : {})
    expectOneLineError(r, new RegExp(`^vfio-doctor: cannot create ${escaped(dir)}: you cannot write to ${escaped(parent)}$`, 'm'))
    expect(readdirSync(parent)).toEqual([])
  })

  it('a folder that is not empty, without --force', async () => {
    const dir = tmp('full')
    mkdirSync(join(dir, 'photos'))
    const r = await capture(dir)
    expectOneLineError(r, new RegExp(`^vfio-doctor: ${escaped(dir)} is not empty: choose a new folder or pass --force$`, 'm'))
    expect(readdirSync(dir)).toEqual(['photos'])
  })
})
