/**
 * "Never writes to the host": every command that reads a host leaves it byte-for-byte as it was
 * (a fake root hashed before and after), and `capture` writes only inside the folder it is given.
 * The commands it may run are a fixed, read-only list: test/sources/commands.test.ts.
 */
import {chmodSync, existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {FakeRoot} from '../helpers/fake-root.js'
import {corpusDir, hasShared, readShared} from '../helpers/paths.js'
import {expectOneLineError, fakeBin, pathWith, removeTempFolders, runCli, tmp, treeDigest} from './helpers.js'

afterAll(removeTempFolders)

const REAL_DOMAIN = readShared(join(corpusDir, 'libvirt-domains-real/bryansteiner__gpu-passthrough-tutorial__kvm_win10.xml'))

/** A host with something in every place vfio-doctor reads. */
function richHost(): FakeRoot {
  return new FakeRoot()
    .file('proc/cmdline', 'BOOT_IMAGE=/vmlinuz intel_iommu=on iommu=pt vfio-pci.ids=10de:1b81,10de:10f0\n')
    .file('proc/cpuinfo', 'processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Core(TM) i7-7700 CPU\nflags\t\t: fpu vmx sse2\n')
    .file('proc/modules', 'vfio_pci 16384 0 - Live 0x0000000000000000\nkvm_intel 409600 0 - Live 0x0000000000000000\n')
    .file('proc/version', 'Linux version 6.12.18 (nixbld@localhost) #1-NixOS SMP PREEMPT_DYNAMIC\n')
    .file('etc/os-release', 'ID=nixos\nPRETTY_NAME="NixOS 25.05 (Warbler)"\n')
    .file('etc/passwd', 'root:x:0:0::/root:/bin/sh\nvini:x:1000:100::/home/vini:/bin/sh\nqemu-libvirtd:x:301:301::/var/empty:/bin/false\n')
    .file('etc/group', 'root:x:0:\nusers:x:100:\nlibvirtd:x:67:vini\nkvm:x:302:vini\n')
    .file('etc/modprobe.d/vfio.conf', 'options vfio-pci ids=10de:1b81,10de:10f0\nsoftdep nvidia pre: vfio-pci\n')
    .file('etc/nixos/configuration.nix', '{ ... }: {\n  boot.kernelParams = [ "intel_iommu=on" ];\n  networking.hostName = "lumine";\n}\n')
    .file('etc/libvirt/qemu/win10.xml', REAL_DOMAIN)
    .file('var/log/libvirt/qemu/win10.log', '2024-11-21 22:57:03.123+0000: starting up libvirt version: 10.0.0, hostname: lumine\n')
    .file('home/vini/Win10.iso', 'iso', 0o644)
    .pciDevice('0000:00:02.0', {vendor: '8086', device: '5912', class: '030000', driver: 'i915', group: 0, bootVga: true})
    .pciDevice('0000:01:00.0', {vendor: '10de', device: '1b81', class: '030000', driver: 'vfio-pci', group: 1, bootVga: false})
    .pciDevice('0000:01:00.1', {vendor: '10de', device: '10f0', class: '040300', driver: 'vfio-pci', group: 1})
    .file('sys/firmware/acpi/tables/DMAR', '')
    .folder('sys/class/iommu/dmar0')
    .file('sys/module/kvm/parameters/ignore_msrs', 'Y\n')
    .file('dev/kvm', '')
    .file('dev/vfio/1', '')
    .file('nix/store/aaa-nixos-system-lumine-25.05/kernel-params', 'intel_iommu=on iommu=pt')
    .link('run/current-system', '/nix/store/aaa-nixos-system-lumine-25.05')
    .link('run/booted-system', '/nix/store/aaa-nixos-system-lumine-25.05')
}

/** virsh lists domains whose names try to climb out of a capture folder. */
const VIRSH = fakeBin({
  virsh: `case "$3" in
list) printf '%s\\n' win10 '../../../escaped' '.hidden' 'a/b' '..' ;;
dumpxml) printf "<domain type='kvm'><name>%s</name><devices><disk type='file' device='cdrom'><source file='/home/vini/Win10.iso'/></disk></devices></domain>" "$5" ;;
esac`,
})

/** A clean HOME and working folder for each run, to see nothing lands there either. */
function place(): {home: string; cwd: string; env: NodeJS.ProcessEnv} {
  const home = tmp('home')
  const cwd = tmp('cwd')
  return {home, cwd, env: {HOME: home, PATH: pathWith(VIRSH), XDG_CACHE_HOME: join(home, '.cache'), XDG_DATA_HOME: join(home, '.local/share'), XDG_CONFIG_HOME: join(home, '.config')}}
}

describe.skipIf(!hasShared)('reading a host never writes to it', () => {
  it('check in every format, groups and capture leave the fake root byte-for-byte unchanged, and HOME and the working folder empty', async () => {
    const root = richHost()
    chmodSync(join(root.dir, 'home/vini'), 0o700)
    const before = treeDigest(root.dir)
    const {home, cwd, env} = place()
    const runs = [
      ...['text', 'json', 'markdown', 'bbcode', 'junit'].map((format) => ['check', '--root', root.dir, '--format', format, '--verbose', '--quiet']),
      ['groups', '--root', root.dir],
      ['groups', '--root', root.dir, '--json'],
      ['capture', join(tmp('out'), 'capture'), '--root', root.dir, '--quiet'],
      ['capture', join(tmp('out'), 'capture'), '--root', root.dir, '--quiet', '--no-redact'],
    ]
    for (const args of runs) {
      const r = await runCli(args, {env, cwd})
      expect([0, 1], `${args.join(' ')}: ${r.stderr}`).toContain(r.code)
    }
    expect(treeDigest(root.dir)).toEqual(before)
    expect(readdirSync(home)).toEqual([])
    expect(readdirSync(cwd)).toEqual([])
  })
})

describe.skipIf(!hasShared)('capture writes only inside its folder', () => {
  it('the folder it is given gains the capture; nothing else in its parent changes; hostile domain names stay inside', async () => {
    const root = richHost()
    const parent = tmp('parent')
    writeFileSync(join(parent, 'sibling.txt'), 'untouched\n')
    mkdirSync(join(parent, 'escaped'))
    const escapedBefore = treeDigest(join(parent, 'escaped'))
    const {env, cwd} = place()
    const r = await runCli(['capture', join(parent, 'capture'), '--root', root.dir, '--quiet'], {env, cwd})
    expect(r.code, r.stderr).toBe(0)
    expect(readdirSync(parent).sort()).toEqual(['capture', 'escaped', 'sibling.txt'])
    const files = readdirSync(join(parent, 'capture'))
    expect(files).toContain('meta.json')
    // Plain files only, readable by all (to attach to a post), no temporary left behind, no path from a domain name.
    for (const f of files) {
      const st = lstatSync(join(parent, 'capture', f))
      expect(st.isFile(), f).toBe(true)
      expect(st.mode & 0o777, f).toBe(0o644)
      expect(f).not.toMatch(/\.tmp$|\//)
    }
    expect(files.filter((f) => f.startsWith('domain-')).sort()).toEqual(['domain-_.xml', 'domain-_hidden.xml', 'domain-__.._.._escaped.xml', 'domain-a_b.xml', 'domain-win10.xml'].sort())
    // The capture aside, the parent is as it was.
    expect(treeDigest(join(parent, 'escaped'))).toEqual(escapedBefore)
    expect(readFileSync(join(parent, 'sibling.txt'), 'utf8')).toBe('untouched\n')
  })

  it('refuses a non-empty folder without --force, in one line, and leaves it as it was', async () => {
    const out = tmp('nonempty')
    writeFileSync(join(out, 'mine.txt'), 'mine\n')
    const before = treeDigest(out)
    const r = await runCli(['capture', out, '--root', richHost().dir, '--quiet'], place())
    expectOneLineError(r, new RegExp(`^vfio-doctor: ${out} is not empty: choose a new folder or pass --force$`, 'm'))
    expect(treeDigest(out)).toEqual(before)
  })

  it('with --force, a name in the folder that links elsewhere is replaced, never written through', async () => {
    const outside = tmp('victim')
    writeFileSync(join(outside, 'passwd'), 'root:x:0:0::/root:/bin/sh\n')
    writeFileSync(join(outside, 'shadow'), 'root:!:19000::::::\n')
    const outsideBefore = treeDigest(outside)
    const out = tmp('forced')
    symlinkSync(join(outside, 'passwd'), join(out, 'cmdline.txt'))
    linkSync(join(outside, 'shadow'), join(out, 'meta.json'))
    writeFileSync(join(out, 'mine.txt'), 'mine\n')
    const r = await runCli(['capture', out, '--root', richHost().dir, '--quiet', '--force'], place())
    expect(r.code, r.stderr).toBe(0)
    expect(treeDigest(outside)).toEqual(outsideBefore)
    expect(lstatSync(join(out, 'cmdline.txt')).isSymbolicLink()).toBe(false)
    expect(readFileSync(join(out, 'cmdline.txt'), 'utf8')).toContain('intel_iommu=on')
    expect(readFileSync(join(out, 'mine.txt'), 'utf8')).toBe('mine\n')
  })

  it('a file where the folder should be: exit 2 in one line, the file untouched', async () => {
    const out = join(tmp('file'), 'capture')
    writeFileSync(out, 'not a folder\n')
    const r = await runCli(['capture', out, '--root', richHost().dir, '--quiet'], place())
    expectOneLineError(r, /^vfio-doctor: \S*capture is a file, not a folder: choose a new folder$/m)
    expect(readFileSync(out, 'utf8')).toBe('not a folder\n')
  })

  it.each(['/proc/x', '/sys/vfio-doctor', '/dev/shm/../x'])('refuses the kernel\'s own file systems (%s): exit 2 in one line, nothing made', async (target) => {
    const r = await runCli(['capture', target, '--root', richHost().dir, '--quiet'], place())
    expectOneLineError(r, /^vfio-doctor: cannot write a capture into \/(?:proc|sys|dev)\S*: \/(?:proc|sys|dev) is the kernel's, not a folder on disk/m)
    expect(existsSync(target)).toBe(false)
  })

  it('a write that fails half-way (a folder where a file goes, with --force) leaves no half capture and no temporary file', async () => {
    const out = tmp('half')
    mkdirSync(join(out, 'meta.json'))
    const r = await runCli(['capture', out, '--root', richHost().dir, '--quiet', '--force'], place())
    expectOneLineError(r, /^vfio-doctor: cannot write .*meta\.json: /m)
    expect(readdirSync(out)).toEqual(['meta.json'])
  })
})
