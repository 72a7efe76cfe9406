/**
 * `capture DIR` makes files a person can share: under sudo they belong to the person who ran sudo,
 * folder 0755 and files 0644 either way; a DIR it cannot use is one line and exit 2.
 * Drives the built CLI on a fake root (under --root only virsh would run, and PATH has none).
 */
import {chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
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

const caller = {uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0}
const nobody = {uid: NOBODY, gid: NOBODY}

/** Runs capture with no sudo variables but those given (the test runner may itself run under sudo). */
function capture(dir: string, options: {sudo?: {SUDO_UID: string; SUDO_GID: string}; uid?: number; flags?: string[]} = {}) {
  const env = {PATH: noPrograms, SUDO_USER: undefined, SUDO_UID: undefined, SUDO_GID: undefined, ...options.sudo}
  return runCli(['capture', dir, '--root', host.dir, '--quiet', ...(options.flags ?? [])], {env, ...(options.uid === undefined ? {} : {uid: options.uid})})
}

/** A folder a run as `nobody` may create things in. */
function openParent(): string {
  const parent = tmp('parent')
  chmodSync(parent, 0o777)
  return parent
}

function expectShareable(dir: string, owner: {uid: number; gid: number}): void {
  const folder = lstatSync(dir)
  expect({mode: folder.mode & 0o777, uid: folder.uid, gid: folder.gid}).toEqual({mode: 0o755, ...owner})
  const files = readdirSync(dir)
  expect(files).toContain('meta.json')
  expect(files).toContain('cmdline.txt')
  for (const file of files) {
    const st = lstatSync(join(dir, file))
    expect({file, mode: st.mode & 0o777, uid: st.uid, gid: st.gid}).toEqual({file, mode: 0o644, ...owner})
  }
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

describe('capture writes files a person can share', () => {
  it.runIf(isRoot)('as root under sudo (SUDO_UID=12345 SUDO_GID=12346; needs root to chown): the folder and each file belong to 12345:12346, folder 0755, files 0644', async () => {
    const dir = join(tmp('sudo'), 'capture')
    const r = await capture(dir, {sudo: {SUDO_UID: '12345', SUDO_GID: '12346'}})
    expect(r.code, r.stderr).toBe(0)
    expectShareable(dir, {uid: 12345, gid: 12346})
  })

  it('without sudo: folder 0755 and files 0644, owned by the caller', async () => {
    const dir = join(tmp('plain'), 'capture')
    const r = await capture(dir)
    expect(r.code, r.stderr).toBe(0)
    expectShareable(dir, caller)
  })

  it('under umask 077 too (the CLI inherits this process\'s umask): folder 0755 and files 0644', async () => {
    const dir = join(tmp('umask'), 'capture')
    const before = process.umask(0o077)
    try {
      const r = await capture(dir)
      expect(r.code, r.stderr).toBe(0)
    } finally {
      process.umask(before)
    }
    expectShareable(dir, caller)
  })

  it.runIf(!isRoot || canDropToNobody)('SUDO_UID is ignored when not running as root (as root, the test drops to nobody): owned by the caller', async () => {
    const dir = join(openParent(), 'capture')
    const r = await capture(dir, {sudo: {SUDO_UID: '12345', SUDO_GID: '12346'}, ...(isRoot ? {uid: NOBODY} : {})})
    expect(r.code, r.stderr).toBe(0)
    expectShareable(dir, isRoot ? nobody : caller)
  })

  it.each([
    ['abc', '100'],
    ['1000', 'abc'],
    ['-1', '-1'],
    ['1e3', '100'],
    ['', ''],
    ['4294967295', '100'],
    ['99999999999999999999', '100'],
  ])('a malformed SUDO_UID=%j SUDO_GID=%j is ignored, no crash: owned by the caller', async (uid, gid) => {
    const dir = join(tmp('malformed'), 'capture')
    const r = await capture(dir, {sudo: {SUDO_UID: uid, SUDO_GID: gid}})
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toBe('')
    expectShareable(dir, caller)
  })

  it('an existing empty folder is used as it is: the files are shareable, the folder keeps its owner and mode', async () => {
    const dir = tmp('empty')
    chmodSync(dir, 0o750)
    const r = await capture(dir)
    expect(r.code, r.stderr).toBe(0)
    expect(lstatSync(dir).mode & 0o777).toBe(0o750)
    for (const file of readdirSync(dir)) expect(lstatSync(join(dir, file)).mode & 0o777, file).toBe(0o644)
  })
})

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

describe('capture --redact and --no-redact', () => {
  it('--redact is accepted explicitly, and meta.json says the capture was redacted', async () => {
    const dir = join(tmp('redact'), 'capture')
    const r = await capture(dir, {flags: ['--redact']})
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')).redaction).toMatch(/^replaced /)
  })

  it('--no-redact writes files only their owner may read (0600, the folder 0700): they hold names and keys', async () => {
    const dir = join(tmp('private'), 'capture')
    const r = await capture(dir, {flags: ['--no-redact']})
    expect(r.code, r.stderr).toBe(0)
    expect(lstatSync(dir).mode & 0o777).toBe(0o700)
    for (const file of readdirSync(dir)) expect(lstatSync(join(dir, file)).mode & 0o777, file).toBe(0o600)
    expect(JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')).redaction).toMatch(/^off/)
  })

  it('--help says what --redact and --no-redact each do', async () => {
    const r = await runCli(['capture', '--help'])
    const help = r.stdout.replace(/\s+/g, ' ')
    expect(help).toContain('--[no-]redact')
    expect(help).toMatch(/--redact \(the default\) replaces [^.]*pseudonyms/)
    expect(help).toMatch(/--no-redact writes them as they are/)
  })
})
