import {execFileSync} from 'node:child_process'
import {lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, chmodSync, type Stats} from 'node:fs'
import {tmpdir, userInfo} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {parsePermissions, type PathAccess} from '../../src/parse/permissions.js'
import fc from 'fast-check'
import {describeTotality, fragmentText} from './totality.js'

const GiB = 1024 ** 3

describe('parsePermissions: one source at a time', () => {
  it('namei -l: each component gets its absolute path', () => {
    const text = ['f: /home/u/win.iso', 'drwxr-xr-x root root /', 'drwxr-xr-x root root home', 'drwx------ u    users u', '-rw-r--r-- u    users win.iso'].join('\n')
    expect(parsePermissions(text).get('/home/u/win.iso')).toEqual({
      path: '/home/u/win.iso',
      missing: false,
      chain: [
        {path: '/', mode: 'drwxr-xr-x', owner: 'root', group: 'root'},
        {path: '/home', mode: 'drwxr-xr-x', owner: 'root', group: 'root'},
        {path: '/home/u', mode: 'drwx------', owner: 'u', group: 'users'},
        {path: '/home/u/win.iso', mode: '-rw-r--r--', owner: 'u', group: 'users'},
      ],
    })
  })

  it('namei -l through a relative symlink walks on in the target', () => {
    const text = [
      'f: /var/lib/libvirt/images/win.iso',
      'drwxr-xr-x root root /',
      'drwxr-xr-x root root var',
      'drwxr-xr-x root root lib',
      'drwxr-xr-x root root libvirt',
      'lrwxrwxrwx root root images -> ../../../data/images',
      'drwxr-xr-x root root   ..',
      'drwxr-xr-x root root   ..',
      'drwxr-xr-x root root   ..',
      'drwxr-x--- root kvm    data',
      'drwxr-xr-x root root   images',
      '-rw-r--r-- u    users win.iso',
    ].join('\n')
    const chain = parsePermissions(text).get('/var/lib/libvirt/images/win.iso')!.chain
    expect(chain.map((e) => e.path)).toEqual([
      '/', '/var', '/var/lib', '/var/lib/libvirt', '/var/lib/libvirt/images', '/var/lib', '/var', '/', '/data', '/data/images', '/data/images/win.iso',
    ])
    expect(chain[8]).toEqual({path: '/data', mode: 'drwxr-x---', owner: 'root', group: 'kvm'})
  })

  it('namei -l: a missing component, and namei -lx mount points ("D")', () => {
    const text = ['f: /home/u/gone.iso', 'Drwxr-xr-x root root /', 'drwxr-xr-x root root home', 'drwx------ u    users u', '                     gone.iso - No such file or directory'].join('\n')
    const access = parsePermissions(text).get('/home/u/gone.iso')!
    expect(access.missing).toBe(true)
    expect(access.chain.map((e) => e.mode)).toEqual(['drwxr-xr-x', 'drwxr-xr-x', 'drwx------'])
  })

  it.each([
    ['ls -l with ls -h size', '-rw------- 1 root root 5.2G Mar 1 10:00 /home/u/Win11.iso', '/home/u/Win11.iso', {mode: '-rw-------', owner: 'root', group: 'root', size: Math.round(5.2 * GiB)}],
    ['ls -l device node (major, minor)', 'crw-rw---- 1 root kvm 10, 232 Mar  1 10:00 /dev/kvm', '/dev/kvm', {mode: 'crw-rw----', owner: 'root', group: 'kvm'}],
    ['ls -ld with a year instead of a time', 'drwx------ 34 vini users 4096 Dec 24  2023 /home/vini', '/home/vini', {mode: 'drwx------', owner: 'vini', group: 'users', size: 4096}],
    ['ls -l --time-style=long-iso', '-rw-r--r-- 1 root root 0 2026-11-21 23:53 /tmp/x', '/tmp/x', {mode: '-rw-r--r--', owner: 'root', group: 'root', size: 0}],
    ['ls -l --full-time', '-rw-r--r-- 1 root root 1536 2026-11-21 23:53:19.658879153 +0000 /tmp/x', '/tmp/x', {mode: '-rw-r--r--', owner: 'root', group: 'root', size: 1536}],
    ['ls -li (inode first), ACL "+"', '1234567 -rw-rw----+ 1 qemu qemu 4.0K Mar  1 10:00 /dev/shm/looking-glass', '/dev/shm/looking-glass', {mode: '-rw-rw----+', owner: 'qemu', group: 'qemu', size: 4096}],
    ['SELinux "." dropped, day-first locale date, decimal comma', '-rw-r--r--. 1 root root 1,5G 1. Mär 10:00 /var/lib/libvirt/images/win.iso', '/var/lib/libvirt/images/win.iso', {mode: '-rw-r--r--', owner: 'root', group: 'root', size: Math.round(1.5 * GiB)}],
    ['ls quotes names with spaces', "-rw-r--r-- 1 u users 12 Mar  1 10:00 '/home/u/my win.iso'", '/home/u/my win.iso', {mode: '-rw-r--r--', owner: 'u', group: 'users', size: 12}],
    ['a symlink keeps its own entry', 'lrwxrwxrwx 1 root root 13 Mar  1 10:00 /dev/kvmfr0 -> /dev/kvmfr0.1', '/dev/kvmfr0', {mode: 'lrwxrwxrwx', owner: 'root', group: 'root', size: 13}],
  ])('%s', (_name, line, path, entry) => {
    expect(parsePermissions(line).get(path)).toEqual({path, missing: false, chain: [{path, ...entry}]})
  })

  it('ls -l DIR: a "DIR:" header makes the names absolute; . and .. are the directory and its parent', () => {
    const text = ['/dev/vfio:', 'total 0', 'drwxr-xr-x  2 root root      80 Mar  1 10:00 .', 'drwxr-xr-x 20 root root    4260 Mar  1 10:00 ..', 'crw-rw----  1 root kvm  243,   0 Mar  1 10:00 14', 'crw-rw-rw-  1 root root  10, 196 Mar  1 10:00 vfio'].join('\n')
    expect([...parsePermissions(text).keys()]).toEqual(['/dev/vfio', '/dev', '/dev/vfio/14', '/dev/vfio/vfio'])
    expect(parsePermissions(text).get('/dev/vfio/14')!.chain.map((e) => e.path)).toEqual(['/dev', '/dev/vfio', '/dev/vfio/14'])
  })

  it('ls -l DIR pasted with its prompt: the command line names the directory', () => {
    const text = ['vini@nixos:~$ ls -l /dev/vfio', 'total 0', 'crw-rw---- 1 root kvm 243,   0 Mar  1 10:00 14'].join('\n')
    expect([...parsePermissions(text).keys()]).toEqual(['/dev/vfio/14'])
  })

  it('trailing slashes do not make a second name for a directory', () => {
    const text = ['$ ls -l /dev/vfio/', 'crw-rw---- 1 root kvm 243,   0 Mar  1 10:00 14', 'drwxr-xr-x 2 root root 80 Mar  1 10:00 /dev/vfio/'].join('\n')
    expect([...parsePermissions(text).keys()]).toEqual(['/dev/vfio/14', '/dev/vfio'])
  })

  it('relative names with no directory in sight are left out', () => {
    expect(parsePermissions('-rw-r--r-- 1 u users 12 Mar  1 10:00 win.iso').size).toBe(0)
  })

  it('stat: mode from "Access: (0600/-rw-------)", owner and group names, size', () => {
    const text = [
      '  File: /home/u/Win11.iso',
      '  Size: 5368709120\tBlocks: 10485768   IO Block: 4096   regular file',
      'Device: 254,0\tInode: 2146421     Links: 1',
      'Access: (0600/-rw-------)  Uid: ( 1000/       u)   Gid: (  100/   users)',
      'Access: 2024-03-01 10:00:00.000000000 +0100',
      'Modify: 2024-03-01 10:00:00.000000000 +0100',
    ].join('\n')
    expect(parsePermissions(text).get('/home/u/Win11.iso')).toEqual({
      path: '/home/u/Win11.iso',
      missing: false,
      chain: [{path: '/home/u/Win11.iso', mode: '-rw-------', owner: 'u', group: 'users', size: 5368709120}],
    })
  })

  it('stat of older coreutils quotes the name', () => {
    const text = "  File: ‘/dev/kvm’\n  Size: 0\tBlocks: 0  IO Block: 4096   character special file\nAccess: (0660/crw-rw----)  Uid: (    0/    root)   Gid: (   78/     kvm)"
    expect(parsePermissions(text).get('/dev/kvm')?.chain).toEqual([{path: '/dev/kvm', mode: 'crw-rw----', owner: 'root', group: 'kvm', size: 0}])
  })

  it.each([
    "ls: cannot access '/dev/vfio': No such file or directory",
    'ls: cannot access /dev/vfio: No such file or directory',
    "stat: cannot statx '/dev/vfio': No such file or directory",
    "stat: cannot stat '/dev/vfio': No such file or directory",
    'namei: failed to stat: /dev/vfio: No such file or directory',
  ])('missing: %s', (line) => {
    expect(parsePermissions(line).get('/dev/vfio')).toEqual({path: '/dev/vfio', chain: [], missing: true})
  })

  it('a file seen alone borrows the chain of its directories from elsewhere in the text', () => {
    const text = [
      'drwxr-xr-x 1 root root 4096 Mar  1 10:00 /',
      'drwxr-xr-x 1 root root 4096 Mar  1 10:00 /home',
      "ls: cannot access '/home/u/Win11.iso': No such file or directory",
      'f: /home/u/x',
      'drwxr-xr-x root root /',
      'drwxr-xr-x root root home',
      'drwx------ u    users u',
      '-rw-r--r-- u    users x',
    ].join('\n')
    expect(parsePermissions(text).get('/home/u/Win11.iso')!.chain.map((e) => [e.path, e.mode])).toEqual([
      ['/', 'drwxr-xr-x'],
      ['/home', 'drwxr-xr-x'],
      ['/home/u', 'drwx------'],
    ])
  })

  it('ignores everything else', () => {
    expect(parsePermissions('total 12\nhello\n$ id\nuid=1000(u) gid=100(users)').size).toBe(0)
  })
})

describe('parsePermissions on the real namei, ls and stat', () => {
  const root = mkdtempSync(join(tmpdir(), 'vfio-doctor-perm-'))
  afterAll(() => rmSync(root, {recursive: true, force: true}))
  mkdirSync(join(root, 'home/u'), {recursive: true})
  writeFileSync(join(root, 'home/u/Win11.iso'), 'x'.repeat(3000))
  writeFileSync(join(root, 'home/u/my win.iso'), '')
  symlinkSync('home/u', join(root, 'images'))
  chmodSync(join(root, 'home/u/Win11.iso'), 0o600)
  chmodSync(join(root, 'home/u'), 0o700)

  const me = userInfo().username
  const sh = (command: string) => execFileSync('bash', ['-c', `${command} 2>&1; true`], {encoding: 'utf8'})
  const iso = join(root, 'home/u/Win11.iso')

  it('namei -l (with a symlink on the way) matches lstat for every component', () => {
    const parsed = parsePermissions(sh(`namei -l '${iso}' '${join(root, 'images/Win11.iso')}'`))
    for (const file of [iso, join(root, 'images/Win11.iso')]) {
      const access = parsed.get(file)!
      expect(access.missing).toBe(false)
      expect(access.chain.at(-1)!.path).toBe(iso)
      for (const entry of access.chain) expect(entry.mode, entry.path).toBe(modeString(lstatSync(entry.path)))
    }
    expect(parsed.get(iso)!.chain.at(-1)!.owner).toBe(me)
  })

  it('namei -l on a missing file', () => {
    const missing = join(root, 'home/u/missing.iso')
    const access = parsed(`namei -l '${missing}'`).get(missing)!
    expect(access.missing).toBe(true)
    expect(access.chain.at(-1)!.path).toBe(join(root, 'home/u'))
  })

  it.each([
    ['ls -l FILE', `ls -l '${iso}'`],
    ['ls -ld DIR FILE', `ls -ld '${join(root, 'home/u')}' '${iso}'`],
    ['ls -l DIR DIR (headers, relative names)', `ls -l '${join(root, 'home/u')}' '${root}'`],
    ['ls -la DIR after its prompt', `echo '$ ls -la ${join(root, 'home/u')}'; ls -la '${join(root, 'home/u')}'`],
    ['ls -l --full-time', `ls -l --full-time '${iso}'`],
    ['ls quoting as on a terminal', `QUOTING_STYLE=shell-escape ls -l '${join(root, 'home/u/my win.iso')}' '${iso}'`],
    ['stat', `stat '${iso}' '${join(root, 'home/u')}' '${join(root, 'images')}'`],
  ])('%s matches lstat', (_name, command) => {
    const found = parsed(command)
    expect(found.size).toBeGreaterThan(0)
    for (const [path, access] of found) {
      const entry = access.chain.at(-1)!
      const stats = lstatSync(path)
      expect(entry.path).toBe(path)
      expect(entry.mode, path).toBe(modeString(stats))
      expect(entry.owner, path).toBe(me)
      if (stats.isFile()) expect(entry.size, path).toBe(stats.size)
    }
    expect(found.get(iso)?.chain.at(-1)?.mode ?? '-rw-------').toBe('-rw-------')
  })

  it('ls -lh sizes are the byte count as ls -h rounds it (up: 3000 bytes show as 3.0K)', () => {
    const size = parsed(`ls -lh '${iso}'`).get(iso)!.chain[0]!.size!
    expect(size).toBe(3 * 1024)
    expect(Math.abs(size - 3000) / 3000).toBeLessThan(0.05)
  })

  it.each([
    ['ls', `ls -l '${join(root, 'nope')}'`],
    ['stat', `stat '${join(root, 'nope')}'`],
  ])('%s on a missing path', (_name, command) => {
    expect(parsed(command).get(join(root, 'nope'))?.missing).toBe(true)
  })

  it('ls -l and stat of a device node', () => {
    const found = parsed('ls -l /dev/null; stat /dev/zero')
    expect(found.get('/dev/null')!.chain.at(-1)!.mode).toBe(modeString(lstatSync('/dev/null')))
    expect(found.get('/dev/zero')!.chain.at(-1)!.mode).toBe(modeString(lstatSync('/dev/zero')))
  })

  function parsed(command: string): Map<string, PathAccess> {
    return parsePermissions(sh(command))
  }
})

/** "drwx------" from an lstat result, as ls prints it (no ACL marker: the test tree has none). */
function modeString(stats: Stats): string {
  const type = stats.isDirectory() ? 'd' : stats.isSymbolicLink() ? 'l' : stats.isCharacterDevice() ? 'c' : stats.isBlockDevice() ? 'b' : stats.isFIFO() ? 'p' : stats.isSocket() ? 's' : '-'
  const bits = 'rwxrwxrwx'.split('').map((ch, i) => (stats.mode & (0o400 >> i) ? ch : '-'))
  if (stats.mode & 0o4000) bits[2] = bits[2] === 'x' ? 's' : 'S'
  if (stats.mode & 0o2000) bits[5] = bits[5] === 'x' ? 's' : 'S'
  if (stats.mode & 0o1000) bits[8] = bits[8] === 'x' ? 't' : 'T'
  return type + bits.join('')
}

const realPermissionTexts = (() => {
  const lines = [
    'f: /home/u/win.iso', 'drwxr-xr-x root root /', 'drwxr-xr-x root root home', 'drwx------ u    users u', '-rw-r--r-- u    users win.iso',
    '-rw------- 1 root root 5.2G Mar 1 10:00 /home/u/Win11.iso', 'crw-rw---- 1 root kvm 10, 232 Mar  1 10:00 /dev/kvm',
    "ls: cannot access '/dev/vfio': No such file or directory", '/dev/vfio:', 'total 0', 'crw-rw----  1 root kvm  243,   0 Mar  1 10:00 14',
    '  File: /home/u/Win11.iso', '  Size: 5368709120\tBlocks: 10485768   IO Block: 4096   regular file',
    'Access: (0600/-rw-------)  Uid: ( 1000/       u)   Gid: (  100/   users)',
  ]
  const live = execFileSync('bash', ['-c', 'namei -l /dev/null /usr/bin /nonexistent/x; ls -la /dev /etc; stat /etc /dev/null /nonexistent; true'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  return [lines.join('\n'), live]
})()

describe('parsePermissions keeps every path clean', () => {
  // What fast-check found (seeds 1319323468 and 884249528): a name holding a slash joined to a trailing one.
  it.each([
    'f: /home/u/win.iso\r\nlrwxrwxrwx Mar  1 10:00 /sys/kernel/iommu_groups/',
    'f: /home/u/win.iso\ndrwx------\tFlags: bus master, IOMMU group 14/sys/kernel/iommu_groups/',
  ])('%j', (text) => {
    for (const [path, access] of parsePermissions(text)) {
      for (const p of [path, ...access.chain.map((e) => e.path)]) expect(p).toMatch(/^\/(?:[^/]+(?:\/[^/]+)*)?$/)
    }
  })
})

/** Every path absolute and clean: no trailing slash, no empty component. */
function wellFormedPaths(found: Map<string, PathAccess>): void {
  for (const [path, access] of found) {
    expect(access.path).toBe(path)
    for (const p of [path, ...access.chain.map((e) => e.path)]) expect(p).toMatch(/^\/(?:[^/]+(?:\/[^/]+)*)?$/)
  }
}

describeTotality({
  name: 'parsePermissions',
  parse: parsePermissions,
  realTexts: () => realPermissionTexts,
  normalise: (found) => [...found],
  wellFormed: wellFormedPaths,
})

it('the fragment property replayed from seed 1319323468, the one that found the trailing slash', () => {
  fc.assert(fc.property(fragmentText, (text) => wellFormedPaths(parsePermissions(text))), {seed: 1319323468, numRuns: 2000})
})
