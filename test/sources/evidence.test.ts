import {execFileSync} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {writeCapture} from '../../src/sources/capture.js'
import {listFiles, MAX_EVIDENCE_RUN, readEvidenceFolder} from '../../src/sources/evidence.js'
import {kindOfFileName} from '../../src/sources/kinds.js'
import {CAPTURE_FORMAT} from '../../src/sources/meta.js'
import type {SourceSet} from '../../src/sources/types.js'

const tmp = () => mkdtempSync(join(tmpdir(), 'vfio-doctor-ev-'))

describe('evidence file names (DESIGN.md contract)', () => {
  it.each([
    ['dmesg.txt', 'kernelLog'],
    ['DMESG', 'kernelLog'],
    ['journalctl-k.log', 'kernelLog'],
    ['cmdline', 'cmdline'],
    ['cpuinfo.txt', 'cpuinfo'],
    ['iommu_groups.txt', 'iommuListing'],
    ['IOMMU-Groups.TXT', 'iommuListing'],
    ['lspci-nnk.txt', 'lspci'],
    ['lsmod.txt', 'modules'],
    ['modules', 'modules'],
    ['win10.xml', 'domainXml'],
    ['configuration.nix', 'nixConfig'],
    ['modprobe-vfio.conf', 'modprobe'],
    ['os-release', 'osRelease'],
    ['uname.txt', 'uname'],
    ['current-system-kernel-params', 'nixKernelParams'],
    ['booted-system-kernel-params.txt', 'nixKernelParams'],
    ['booted-system-target.txt', 'nixSystem'],
    ['permissions.txt', 'permissions'],
    ['ls-l.txt', 'permissions'],
    ['namei.txt', 'permissions'],
    ['qemu-win10.log', 'qemuLog'],
    ['libvirtd.log', 'qemuLog'],
    ['virt-manager-error.txt', 'qemuLog'],
    ['pci-sysfs.txt', 'pciSysfs'],
    ['what-i-saw.txt', 'log'],
    ['screenshot-notes.md', 'log'],
  ])('%s is read as %s', (name, kind) => expect(kindOfFileName(name)).toBe(kind))
})

describe('reading an evidence folder', () => {
  it('reads loose files, reads subfolders, never follows symlinks', async () => {
    const dir = tmp()
    writeFileSync(join(dir, 'dmesg.txt'), '[    0.1] DMAR: IOMMU enabled\n')
    mkdirSync(join(dir, 'vm'))
    writeFileSync(join(dir, 'vm', 'win10.xml'), '<domain><name>win10</name></domain>')
    symlinkSync('/etc/passwd', join(dir, 'lspci.txt'))
    symlinkSync(dir, join(dir, 'loop'))
    const set = await readEvidenceFolder(dir)
    const summary = set.sources.map((s) => [s.origin, s.kind, s.status]).sort()
    expect(summary).toEqual([
      ['dmesg.txt', 'kernelLog', 'ok'],
      ['loop', 'log', 'error'],
      ['lspci.txt', 'lspci', 'error'],
      ['vm/win10.xml', 'domainXml', 'ok'],
    ])
    // Marked as the kind its name says, so the checks that needed it say why they skipped.
    expect(set.sources.find((s) => s.origin === 'lspci.txt')!.reason).toBe('lspci.txt: symbolic link, not followed')
    expect(JSON.stringify(set)).not.toContain('root:x:0:0')
  })

  it('marks what is not a plain file, links out of the folder and loops, and reads on', async () => {
    const dir = tmp()
    writeFileSync(join(dir, 'cmdline.txt'), 'intel_iommu=on\n')
    symlinkSync(tmpdir(), join(dir, 'outside'))
    symlinkSync('b.log', join(dir, 'a.log'))
    symlinkSync('a.log', join(dir, 'b.log'))
    execFileSync('mkfifo', [join(dir, 'dmesg.txt')])
    const set = await readEvidenceFolder(dir)
    expect(set.sources.map((s) => [s.origin, s.kind, s.status, s.reason])).toEqual([
      ['a.log', 'log', 'error', 'a.log: symbolic link, not followed'],
      ['b.log', 'log', 'error', 'b.log: symbolic link, not followed'],
      ['cmdline.txt', 'cmdline', 'ok', undefined],
      ['dmesg.txt', 'kernelLog', 'error', 'dmesg.txt: a named pipe, not a regular file'],
      ['outside', 'log', 'error', 'outside: symbolic link, not followed'],
    ])
  })

  // Root reads what chmod forbids, but not a sysfs attribute with no read method.
  it.runIf(existsSync('/sys/bus/pci/rescan'))('marks a file even root may not read denied (a write-only sysfs attribute)', async () => {
    const set = await readEvidenceFolder('/sys/bus/pci/rescan')
    expect(set.sources).toEqual([{kind: 'log', origin: 'rescan', label: 'rescan', status: 'denied', reason: 'rescan: permission denied'}])
  })

  it('marks an unreadable file denied and goes on', async () => {
    if (process.getuid?.() === 0) return // root reads everything: nothing to deny
    const dir = tmp()
    writeFileSync(join(dir, 'cmdline'), 'intel_iommu=on')
    chmodSync(join(dir, 'cmdline'), 0)
    const set = await readEvidenceFolder(dir)
    expect(set.sources[0]).toMatchObject({status: 'denied'})
  })

  it('reads files in name order until the bytes of one run are used, and marks the rest not read', async () => {
    const dir = tmp()
    writeFileSync(join(dir, 'a-dmesg.txt'), 'x'.repeat(60))
    writeFileSync(join(dir, 'b-lspci.txt'), 'x'.repeat(30))
    writeFileSync(join(dir, 'c-cmdline'), 'x'.repeat(20))
    writeFileSync(join(dir, 'd-lsmod.txt'), 'x'.repeat(10))
    const listed = await listFiles(dir, 100)
    expect(listed.map((f) => [f.rel, f.skipped])).toEqual([
      ['a-dmesg.txt', undefined],
      ['b-lspci.txt', undefined],
      ['c-cmdline', 'c-cmdline: not read, the files before it hold 90 bytes of the 100 bytes read in one run'],
      ['d-lsmod.txt', undefined],
    ])
    expect(MAX_EVIDENCE_RUN).toBe(512 * 1024 * 1024)
    // The next host of a run of several starts where the folders before it stopped.
    expect((await listFiles(dir, 100, 85)).map((f) => [f.rel, f.skipped])).toEqual([
      ['a-dmesg.txt', 'a-dmesg.txt: not read, the files before it hold 85 bytes of the 100 bytes read in one run'],
      ['b-lspci.txt', 'b-lspci.txt: not read, the files before it hold 85 bytes of the 100 bytes read in one run'],
      ['c-cmdline', 'c-cmdline: not read, the files before it hold 85 bytes of the 100 bytes read in one run'],
      ['d-lsmod.txt', undefined],
    ])
  })

  it('keeps a domain XML only as far as the XML limits read it, and says so on the source', async () => {
    const dir = tmp()
    const hostdev = "<hostdev mode='subsystem' type='pci'><source><address bus='0x05' slot='0x00' function='0x0'/></source></hostdev>\n"
    writeFileSync(join(dir, 'win.xml'), `<domain type="kvm">\n<name>big</name>\n<devices>\n${hostdev.repeat(7000)}</devices>\n</domain>\n`)
    const [source] = (await readEvidenceFolder(dir)).sources
    expect(source).toMatchObject({kind: 'domainXml', status: 'ok', truncated: 'more than 20000 elements: read to line 6669, the rest was not read'})
    // 3 elements before the devices, 3 in each hostdev: the 20,001st is the <address> of hostdev 6,666 (line 6,669).
    expect(source!.text!.split('\n')).toHaveLength(6669)
    expect(source!.text!.split('\n').at(-1)).toBe("<hostdev mode='subsystem' type='pci'><source>")
    const small = tmp()
    writeFileSync(join(small, 'win.xml'), `<domain type="kvm"><name>w</name><devices>${hostdev.repeat(3)}</devices></domain>`)
    expect((await readEvidenceFolder(small)).sources[0]!.truncated).toBeUndefined()
  })

  it('reads one file given instead of a folder', async () => {
    const dir = tmp()
    writeFileSync(join(dir, 'dmesg.log'), 'x')
    const set = await readEvidenceFolder(join(dir, 'dmesg.log'))
    expect(set.sources).toMatchObject([{kind: 'kernelLog', status: 'ok', text: 'x'}])
  })

  it('says in one line that a folder does not exist', async () => {
    await expect(readEvidenceFolder('/nonexistent/evidence')).rejects.toThrow('cannot read /nonexistent/evidence: no such file or directory')
  })

  it('refuses a capture from a newer format, naming the version that made it', async () => {
    const dir = tmp()
    writeFileSync(join(dir, 'meta.json'), JSON.stringify({format: CAPTURE_FORMAT + 1, tool: {name: 'vfio-doctor', version: '9.0.0'}, date: '2030-01-01', sources: []}))
    await expect(readEvidenceFolder(dir)).rejects.toThrow(/made by vfio-doctor 9\.0\.0 .*upgrade vfio-doctor/)
  })
})

describe('capture', () => {
  const set: SourceSet = {
    mode: 'live',
    root: '/',
    sources: [
      {kind: 'cmdline', origin: '/proc/cmdline', status: 'ok', text: 'intel_iommu=on\n'},
      {kind: 'kernelLog', origin: 'dmesg', status: 'denied', reason: 'restricted', hint: 'run vfio-doctor with sudo'},
      {kind: 'domainXml', origin: 'virsh dumpxml ../../etc/x', label: '../../etc/x', status: 'ok', text: '<domain/>'},
      {kind: 'modprobe', origin: '/etc/modprobe.d/vfio.conf', label: 'vfio.conf', status: 'ok', text: 'options vfio-pci ids=10de:1b81\n'},
      {kind: 'modprobe', origin: '/etc/modprobe.d/vfio.conf', label: 'vfio.conf', status: 'ok', text: 'blacklist nouveau\n'},
    ],
  }

  it('writes only inside its folder, under names --input reads back as the same kinds', async () => {
    const dir = join(tmp(), 'cap')
    const {files} = await writeCapture(dir, set)
    expect(files).toEqual(['cmdline.txt', 'domain-__.._etc_x.xml', 'modprobe-vfio.conf', 'modprobe-vfio-2.conf'])
    expect(readdirSync(dir).sort()).toEqual([...files, 'meta.json'].sort())
    const back = await readEvidenceFolder(dir)
    const ok = back.sources.filter((s) => s.status === 'ok').map((s) => [s.kind, s.text])
    expect(ok).toEqual(
      expect.arrayContaining([
        ['cmdline', 'intel_iommu=on\n'],
        ['domainXml', '<domain/>'],
        ['modprobe', 'options vfio-pci ids=10de:1b81\n'],
        ['modprobe', 'blacklist nouveau\n'],
      ]),
    )
    // The denied kernel log comes back as denied, with its hint, so replay skips the same checks.
    expect(back.sources.find((s) => s.kind === 'kernelLog')).toMatchObject({status: 'denied', hint: 'run vfio-doctor with sudo'})
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'))
    expect(meta).toMatchObject({format: CAPTURE_FORMAT, tool: {name: 'vfio-doctor'}})
  })

  it('refuses a non-empty folder without --force', async () => {
    const dir = tmp()
    writeFileSync(join(dir, 'keep.txt'), 'mine')
    await expect(writeCapture(dir, set)).rejects.toThrow(`${dir} is not empty: choose a new folder or pass --force`)
    await expect(writeCapture(dir, set, {force: true})).resolves.toBeDefined()
    expect(readFileSync(join(dir, 'keep.txt'), 'utf8')).toBe('mine')
  })
})
