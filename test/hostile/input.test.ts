/**
 * `check --input` on evidence nobody should have to trust, through the built CLI: one row per kind
 * of bad input, each with its outcome written down. Either a report (exit 0/1) in which the bad
 * source is marked with its reason, or exit 2 with one line; never a stack trace, never a hang.
 * Every report row is also rendered in-process in every format, so no renderer trips on it either.
 *
 * Permission denied as root: root reads whatever chmod forbids, so those rows run the CLI as
 * `nobody` (execFile's uid), and one row reads a write-only sysfs attribute, which the kernel
 * refuses even to root. What root cannot test in-process: readEvidenceFile's EACCES/EPERM branch
 * (covered through the CLI as nobody, and by test/sources/evidence.test.ts when not root).
 */
import {createServer, type Server} from 'node:http'
import {chmodSync, existsSync, mkdirSync, symlinkSync, truncateSync, writeFileSync} from 'node:fs'
import {createServer as createSocketServer} from 'node:net'
import {execFileSync} from 'node:child_process'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {diagnose} from '../../src/engine/pipeline.js'
import {FORMATS, renderReport} from '../../src/report/render.js'
import {readEvidenceFolder} from '../../src/sources/evidence.js'
import {CAPTURE_FORMAT} from '../../src/sources/meta.js'
import {corpusDir, hasShared, readShared} from '../helpers/paths.js'
import {canDropToNobody, evidenceDir, expectOneLineError, isRoot, NOBODY, removeTempFolders, runCli, tmp} from './helpers.js'
import {checkRow, rowTimeout, SEED_000_FINDINGS, seed000, type ReportRow} from './report-rows.js'

afterAll(removeTempFolders)

const REAL_DOMAIN = readShared(join(corpusDir, 'libvirt-domains-real/bryansteiner__gpu-passthrough-tutorial__kvm_win10.xml'))
/** The skip of the rows made from REAL_DOMAIN. */
const NO_SHARED = hasShared ? undefined : 'no ../shared'

/** The same pseudo-random bytes every run (mulberry32), so a failing row fails again. */
function garbage(bytes: number, seed: number): Buffer {
  const out = Buffer.alloc(bytes)
  let a = seed
  for (let i = 0; i < bytes; i++) {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    out[i] = (t ^ (t >>> 14)) & 0xff
  }
  return out
}

/** One file of every kind the naming contract knows. */
const EVERY_KIND = [
  'dmesg.txt', 'cmdline.txt', 'cpuinfo.txt', 'iommu-groups.txt', 'lspci-nnk.txt', 'pci-sysfs.txt', 'modules.txt', 'os-release.txt',
  'uname.txt', 'permissions.txt', 'dev-nodes.txt', 'groups.txt', 'domain-win10.xml', 'qemu-win10.log', 'configuration.nix',
  'modprobe-vfio.conf', 'current-system-kernel-params.txt', 'booted-system-target.txt', 'kvm-params.txt', 'virsh-list.txt',
  'acpi-tables.txt', 'sys-class-iommu.txt', 'systemd-detect-virt.txt', 'notes.txt',
]
/** Kinds whose empty output is an answer (no groups, no domains, an empty config), so an empty file is read. */
const EMPTY_ANSWERS = ['iommu-groups.txt', 'qemu-win10.log', 'configuration.nix', 'modprobe-vfio.conf', 'virsh-list.txt', 'sys-class-iommu.txt', 'notes.txt']

/** A billion laughs: ten levels of ten references, a few GB if anything expanded it. */
const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE domain [
  <!ENTITY lol "lol">
${Array.from({length: 9}, (_, i) => `  <!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('\n')}
]>
<domain type="kvm"><name>&lol9;</name><memory unit="GiB">8</memory><os><type arch="x86_64" machine="q35">hvm</type></os></domain>
`


const secretOutside = tmp('outside')
writeFileSync(join(secretOutside, 'private.txt'), 'outside-the-evidence-folder-7f3a\n')
let server: Server
let serverHits = 0
let serverUrl = ''

beforeAll(async () => {
  server = createServer((_, res) => {
    serverHits++
    res.end('<!ENTITY x "fetched-over-http-91c2">')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  serverUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/x.dtd`
})
afterAll(() => server.close())

const rows: ReportRow[] = [
  {
    kind: 'every kind of file, empty',
    input: () => evidenceDir(Object.fromEntries(EVERY_KIND.map((f) => [f, '']))),
    marked: EVERY_KIND.filter((f) => !EMPTY_ANSWERS.includes(f)).map((f) => [f, 'missing', new RegExp(`^${f.replace(/\./g, '\\.')} is empty$`)]),
    // An empty group listing and an empty virsh list are answers: no groups (nothing says why), no domains.
    findings: ['error iommu-groups-empty', 'info libvirt-access'],
  },
  {
    kind: 'every kind of file, only blank lines and spaces',
    input: () => evidenceDir(Object.fromEntries(EVERY_KIND.map((f) => [f, ' \n\n\t \r\n']))),
    marked: EVERY_KIND.filter((f) => !EMPTY_ANSWERS.includes(f)).map((f) => [f, 'missing', /is empty$/]),
    findings: ['error iommu-groups-empty', 'info libvirt-access'],
  },
  {
    kind: 'a kernel log with NUL runs (written during a crash) is still text',
    input: () => evidenceDir({...seed000(), 'dmesg.txt': seed000()['dmesg.txt']!.replace('[    0.035553]', `${'\0'.repeat(20_000)}\n[    0.035553]`)}),
    findings: SEED_000_FINDINGS,
  },
  {
    kind: 'latin1 bytes (not UTF-8) in the kernel log and command line',
    input: () => {
      const files: Record<string, string | Buffer> = seed000()
      files['dmesg.txt'] = Buffer.concat([Buffer.from('[    0.000000] Linux version 6.12.18 (Jos\xe9@build) caf\xe9\n', 'latin1'), Buffer.from(files['dmesg.txt'] as string)])
      files['cmdline.txt'] = Buffer.from(`${(files['cmdline.txt'] as string).trim()} quiet splash=caf\xe9\n`, 'latin1')
      return evidenceDir(files)
    },
    findings: SEED_000_FINDINGS,
  },
  {
    kind: 'UTF-16 with a byte-order mark (saved on Windows)',
    input: () => evidenceDir(Object.fromEntries(Object.entries(seed000()).map(([f, t]) => [f, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(t, 'utf16le')])]))),
    findings: SEED_000_FINDINGS,
  },
  {
    kind: 'a UTF-8 byte-order mark',
    input: () => evidenceDir(Object.fromEntries(Object.entries(seed000()).map(([f, t]) => [f, `\ufeff${t}`]))),
    findings: SEED_000_FINDINGS,
  },
  {
    kind: 'CRLF line ends',
    input: () => evidenceDir(Object.fromEntries(Object.entries(seed000()).map(([f, t]) => [f, t.replace(/\n/g, '\r\n')]))),
    findings: SEED_000_FINDINGS,
  },
  {
    kind: 'CR-only line ends (classic Mac)',
    input: () => evidenceDir(Object.fromEntries(Object.entries(seed000()).map(([f, t]) => [f, t.replace(/\n/g, '\r')]))),
    findings: SEED_000_FINDINGS,
  },
  {
    kind: 'a 10 MB single line in the kernel log, command line, listing, lspci, permissions and domain XML',
    input: () =>
      evidenceDir(
        Object.fromEntries(
          ['dmesg.txt', 'cmdline.txt', 'iommu-groups.txt', 'lspci-nnk.txt', 'permissions.txt', 'domain-win10.xml'].map((f) => [f, 'intel_iommu=on DMAR: IOMMU enabled 01:00.0 [10de:1b81] drwx------ '.repeat(150_000)]),
        ),
      ),
    // Each file is one line of text; XML without a root element is not a domain.
    marked: [['domain-win10.xml', 'error', /not a libvirt domain \(no XML element in it\)/]],
    maxMs: 20_000,
  },
  {
    kind: 'a truncated domain XML (a real passthrough domain cut in half)',
    skip: NO_SHARED,
    input: () => evidenceDir({'domain-win10.xml': REAL_DOMAIN.slice(0, Math.floor(REAL_DOMAIN.length / 2))}),
    // Still a domain: what was read is judged; nothing is marked.
    marked: [],
  },
  {
    kind: 'a domain XML with a DOCTYPE declaring entities',
    skip: NO_SHARED,
    input: () => evidenceDir({'domain-win10.xml': REAL_DOMAIN.replace('<domain', '<!DOCTYPE domain [<!ENTITY disk "/etc/shadow">]>\n<domain').replace('</name>', '&disk;</name>')}),
    marked: [],
    also: (_, stdout) => expect(stdout).not.toContain('/etc/shadow'),
  },
  {
    kind: 'billion laughs',
    input: () => evidenceDir({'domain-lol.xml': BILLION_LAUGHS}),
    marked: [],
    also: (_, stdout) => {
      expect(stdout.length).toBeLessThan(1_000_000)
      expect(stdout).not.toContain('lollollol')
    },
    maxMs: 15_000,
  },
  {
    kind: 'external entities (a local file and a URL): never read, never fetched',
    input: () =>
      evidenceDir({
        'domain-xxe.xml': `<?xml version="1.0"?>
<!DOCTYPE domain [
  <!ENTITY secret SYSTEM "file://${join(secretOutside, 'private.txt')}">
  <!ENTITY remote SYSTEM "${serverUrl}">
  <!ENTITY % dtd SYSTEM "${serverUrl}"> %dtd;
]>
<domain type="kvm"><name>&secret;&remote;</name><description>&x;</description><os><type>hvm</type></os></domain>
`,
      }),
    marked: [],
    also: (_, stdout) => {
      expect(stdout).not.toContain('outside-the-evidence-folder')
      expect(stdout).not.toContain('fetched-over-http')
      expect(serverHits).toBe(0)
    },
  },
  {
    kind: 'a domain pasted with the command and prompt before it is still a domain',
    skip: NO_SHARED,
    input: () => evidenceDir({'win10.xml': `[alice@nixos:~]$ virsh dumpxml win10\n${REAL_DOMAIN}`}),
    marked: [],
    also: (r) => expect(r.checks.find((c) => c.id === 'domain-firmware')?.status).not.toBe('skipped'),
  },
  {
    kind: 'a domain whose name, paths, uuid and machine are 1 MB each, and an id line as long',
    input: () => {
      const big = 'W'.repeat(1024 * 1024)
      return evidenceDir({
        ...seed000(),
        'domain-big.xml': `<domain type="kvm"><name>${big}</name><uuid>${big}</uuid><os firmware="efi"><type arch="x86_64" machine="${big}">hvm</type><loader>${big}</loader></os><devices><disk type="file" device="cdrom"><source file="/home/${big}/x.iso"/><target dev="sda" bus="sata"/></disk><hostdev mode="subsystem" type="pci"><source><address domain="0x0000" bus="0x01" slot="0x00" function="0x0"/></source></hostdev></devices></domain>`,
        'groups.txt': `uid=1000(${big}) gid=100(users) groups=100(users),67(${big})`,
      })
    },
    marked: [],
    maxMs: 20_000,
  },
  {
    kind: 'a domain with 10,000 hostdevs at impossible PCI addresses',
    input: () =>
      evidenceDir({
        ...seed000(),
        'domain-many.xml': `<domain type="kvm"><name>many</name><devices>${Array.from({length: 10_000}, (_, i) => `<hostdev mode="subsystem" type="pci" managed="yes"><source><address domain="0x${(i * 7919).toString(16)}" bus="0x${i.toString(16)}" slot="0x${(i % 64).toString(16)}" function="0x${(i % 11).toString(16)}"/></source></hostdev>`).join('')}</devices></domain>`,
      }),
    marked: [],
    maxMs: 20_000,
  },
  {
    kind: 'symlinks to a file and a folder outside the evidence folder',
    input: () => {
      const dir = evidenceDir(seed000())
      symlinkSync(join(secretOutside, 'private.txt'), join(dir, 'lspci-nnk.txt'))
      symlinkSync(secretOutside, join(dir, 'more'))
      symlinkSync('../../../../../../../../etc/passwd', join(dir, 'groups.txt'))
      return dir
    },
    marked: [
      ['groups.txt', 'error', /^groups\.txt: symbolic link, not followed$/],
      ['lspci-nnk.txt', 'error', /^lspci-nnk\.txt: symbolic link, not followed$/],
      ['more', 'error', /^more: symbolic link, not followed$/],
    ],
    findings: SEED_000_FINDINGS,
    also: (_, stdout) => {
      expect(stdout).not.toContain('outside-the-evidence-folder')
      expect(stdout).not.toContain('root:x:0:0')
    },
  },
  {
    kind: 'the folder given is itself a link (the person chose it: followed; what is inside is not)',
    input: () => {
      const link = join(tmp('link'), 'evidence')
      symlinkSync(evidenceDir(seed000()), link)
      return link
    },
    marked: [],
    findings: SEED_000_FINDINGS,
  },
  {
    kind: 'symlink loops (to itself, to each other, to the folder)',
    input: () => {
      const dir = evidenceDir(seed000())
      symlinkSync('dmesg-self.txt', join(dir, 'dmesg-self.txt'))
      symlinkSync('b.log', join(dir, 'a.log'))
      symlinkSync('a.log', join(dir, 'b.log'))
      mkdirSync(join(dir, 'sub'))
      symlinkSync('..', join(dir, 'sub', 'up'))
      return dir
    },
    marked: [
      ['a.log', 'error', /symbolic link, not followed/],
      ['b.log', 'error', /symbolic link, not followed/],
      ['dmesg-self.txt', 'error', /symbolic link, not followed/],
      ['sub/up', 'error', /symbolic link, not followed/],
    ],
    findings: SEED_000_FINDINGS,
  },
  {
    kind: 'a named pipe where a file should be (nothing ever writes to it)',
    input: () => {
      const dir = evidenceDir(seed000())
      execFileSync('mkfifo', [join(dir, 'lspci-nnk.txt')])
      return dir
    },
    marked: [['lspci-nnk.txt', 'error', /^lspci-nnk\.txt: a named pipe, not a regular file$/]],
    findings: SEED_000_FINDINGS,
  },
  {
    kind: 'a socket where a file should be',
    input: async () => {
      const dir = evidenceDir(seed000())
      // Left listening (unref'd): closing it would remove the socket file.
      const socket = createSocketServer()
      await new Promise<void>((resolve) => socket.listen(join(dir, 'cpuinfo.txt'), resolve))
      socket.unref()
      return dir
    },
    marked: [['cpuinfo.txt', 'error', /^cpuinfo\.txt: a socket, not a regular file$/]],
    findings: SEED_000_FINDINGS,
  },
  {
    kind: 'a folder named like a file: its files are read as a subfolder',
    input: () => evidenceDir({'dmesg.txt/cmdline': 'intel_iommu=on\n', 'os-release.txt': 'ID=nixos\n'}),
    marked: [],
    also: (r) => expect(r.sources.map((s) => [s.origin, s.kind])).toEqual(expect.arrayContaining([['dmesg.txt/cmdline', 'cmdline']])),
  },
  {
    kind: 'a file nobody may read (run as an unprivileged user)',
    skip: canDropToNobody ? undefined : 'root, and the checkout is not readable by nobody',
    input: () => {
      const dir = evidenceDir(seed000())
      chmodSync(join(dir, 'uname.txt'), 0)
      chmodSync(dir, 0o755)
      return dir
    },
    uid: isRoot ? NOBODY : undefined,
    marked: [['uname.txt', 'denied', /^uname\.txt: permission denied$/]],
    findings: SEED_000_FINDINGS,
  },
  {
    kind: 'a subfolder nobody may list (run as an unprivileged user)',
    skip: canDropToNobody ? NO_SHARED : 'root, and the checkout is not readable by nobody',
    input: () => {
      const dir = evidenceDir({...seed000(), 'vm/win10.xml': REAL_DOMAIN})
      chmodSync(join(dir, 'vm'), 0)
      chmodSync(dir, 0o755)
      return dir
    },
    uid: isRoot ? NOBODY : undefined,
    marked: [['vm', 'error', /^vm: folder not readable \(EACCES\)$/]],
    findings: SEED_000_FINDINGS,
  },
  {
    kind: '300,000 blank lines (and 100,000 of one space) in every kind of file (quadratic before: over two minutes for 1 MB in the redactor)',
    input: () =>
      evidenceDir({
        ...seed000(),
        ...Object.fromEntries(
          ['permissions-extra.txt', 'journal.log', 'configuration-extra.nix', 'domain-blank.xml', 'iommu-groups-2.txt', 'lspci-extra.txt', 'modprobe-blank.conf', 'qemu-blank.log', 'notes.txt'].map((f) => [f, `x\n${'\n'.repeat(300_000)}${' \n'.repeat(100_000)}y\n`]),
        ),
      }),
    also: (report) => expect(report.summary.crashed).toBe(0),
    maxMs: 30_000,
  },
  {
    kind: '10 MB of nested start tags that never close (a domain)',
    // Read to the depth limit: a domain with nothing in it, which changes no finding.
    input: () => evidenceDir({...seed000(), 'domain-deep.xml': `<domain type="kvm">${'<a>'.repeat(3_500_000)}`}),
    findings: SEED_000_FINDINGS,
    maxMs: 20_000,
  },
  {
    kind: 'a domain with 100,000 hostdevs: read to the element limit, reports stay small',
    input: () =>
      evidenceDir({
        ...seed000(),
        'domain-many.xml': `<domain type="kvm"><name>many</name><os><type arch="x86_64">hvm</type></os><devices>${"<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' bus='0x05' slot='0x00' function='0x0'/></source></hostdev>".repeat(100_000)}</devices></domain>`,
      }),
    also: (report, stdout) => {
      expect(stdout.length).toBeLessThan(512 * 1024)
      expect(report.sources.find((s) => s.origin === 'domain-many.xml')?.status).toBe('ok')
    },
    maxMs: 20_000,
  },
  {
    kind: 'a file larger than 512 MB (sparse: nothing is written)',
    input: () => {
      const dir = evidenceDir(seed000())
      writeFileSync(join(dir, 'journal.log'), '')
      truncateSync(join(dir, 'journal.log'), 513 * 1024 * 1024)
      return dir
    },
    marked: [['journal.log', 'error', /^journal\.log: larger than 512 MB$/]],
    findings: SEED_000_FINDINGS,
  },
  {
    kind: 'more than 5000 files',
    input: () => {
      const dir = evidenceDir(seed000())
      mkdirSync(join(dir, 'zz'))
      for (let i = 0; i < 5001; i++) writeFileSync(join(dir, 'zz', `note-${String(i).padStart(4, '0')}.txt`), 'x\n')
      return dir
    },
    marked: [['zz/note-4994.txt', 'error', /more than 5000 files, this one and the rest were not read/]],
    findings: SEED_000_FINDINGS,
    also: (r) => expect(r.sources.length).toBe(5001),
    // A hang guard, not a speed test: 2 s alone, 10 s on a loaded 2-core CI runner.
    maxMs: 30_000,
  },
  {
    kind: 'folders nested deeper than 4 levels',
    input: () => evidenceDir({...seed000(), 'a/b/c/d/e/dmesg.txt': 'DMAR: IOMMU enabled\n'}),
    marked: [['a/b/c/d/e', 'error', /^a\/b\/c\/d\/e: folder more than 4 levels deep, not read$/]],
    findings: SEED_000_FINDINGS,
  },
  {
    kind: 'a capture whose meta.json names files outside it, odd statuses and smuggled text',
    input: () => {
      const dir = evidenceDir(seed000())
      const meta = {
        format: CAPTURE_FORMAT,
        tool: {name: 'vfio-doctor', version: '0.1.0'},
        date: '2025-01-01T00:00:00.000Z',
        sources: [
          {kind: 'lspci', origin: 'lspci -nnk', status: 'ok', file: `../${secretOutside.split('/').pop()}/private.txt`},
          {kind: 'cpuinfo', origin: '/proc/cpuinfo', status: 'ok', file: join(secretOutside, 'private.txt')},
          {kind: 'modules', origin: '../../etc/passwd', status: 'denied', reason: 'restricted', hint: 'run with sudo', text: 'smuggled-text-4b1d', file: '../../etc/passwd'},
          {kind: 'uname', origin: 'uname -r', status: 'pwned', reason: 'a status nobody knows'},
          {kind: '__proto__', origin: 'x', status: 'error'},
          {kind: 'kernelLog', origin: 'dmesg', status: 'timeout', reason: {toString: 'not a string'}},
        ],
      }
      writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta))
      return dir
    },
    // Only what meta.json says could not be read comes back, as words: never a file it names.
    marked: [
      ['../../etc/passwd', 'denied', /^restricted$/],
      ['dmesg', 'timeout', /^$/],
    ],
    findings: SEED_000_FINDINGS,
    also: (r, stdout) => {
      expect(stdout).not.toContain('outside-the-evidence-folder')
      expect(stdout).not.toContain('smuggled-text')
      expect(stdout).not.toContain('root:x:0:0')
      expect(r.sources.find((s) => s.origin === '../../etc/passwd')).toEqual({kind: 'modules', origin: '../../etc/passwd', status: 'denied', reason: 'restricted', hint: 'run with sudo'})
    },
  },
  {
    kind: 'a meta.json that is not ours (garbage, another tool, a list)',
    input: () => evidenceDir({...seed000(), 'meta.json': '{"format": "2", "tool": "someone else", '}),
    marked: [],
    findings: SEED_000_FINDINGS,
  },
  {
    kind: 'an IOMMU listing with impossible addresses and group numbers',
    input: () =>
      evidenceDir({
        'iommu-groups.txt': [
          'IOMMU Group -1 01:00.0 VGA compatible controller [0300]: NVIDIA [10de:1b81]',
          'IOMMU Group 99999999999999999999 02:00.0 VGA compatible controller [0300]: NVIDIA [10de:1b81]',
          'IOMMU Group 3 1ff:00.0 VGA compatible controller [0300]: NVIDIA [10de:1b81]',
          'IOMMU Group 4 03:20.0 VGA compatible controller [0300]: NVIDIA [10de:1b81]',
          'IOMMU Group 5 04:00.8 VGA compatible controller [0300]: NVIDIA [10de:1b81]',
          'IOMMU Group 6 123456789:05:00.0 VGA compatible controller [0300]: NVIDIA [10de:1b81]',
          // Not impossible: Intel VMD puts NVMe drives in PCI domains from 10000.
          'IOMMU Group 10 10000:e1:00.0 Non-Volatile memory controller [0108]: Samsung [144d:a80a]',
          'IOMMU Group 7 zz:00.0 VGA compatible controller [0300]: NVIDIA [zzzz:1b81]',
          '/sys/kernel/iommu_groups/8/devices/0000:06:00.9',
          '/sys/kernel/iommu_groups/NaN/devices/0000:07:00.0',
          '/sys/kernel/iommu_groups/1e400/devices/0000:08:00.0',
          'IOMMU Group 9 09:00.0 VGA compatible controller [0300]: NVIDIA [10de:1b81]',
        ].join('\n'),
      }),
    marked: [],
    also: async (r, _stdout, input) => {
      // Nothing impossible became a device or a group; the one good line did.
      const {facts} = diagnose(await readEvidenceFolder(input))
      const addresses = (facts.pciDevices ?? []).map((d) => d.address)
      expect(addresses).toContain('0000:09:00.0')
      for (const a of addresses) expect(a).toMatch(/^[0-9a-f]{4,8}:[0-9a-f]{2}:[01][0-9a-f]\.[0-7]$/)
      for (const g of facts.iommuGroups ?? []) expect(Number.isSafeInteger(g.id) && g.id >= 0).toBe(true)
      expect(r.summary.crashed).toBe(0)
    },
  },
  {
    kind: 'escape sequences and control characters in contents and file names',
    input: () =>
      evidenceDir({
        ...seed000(),
        'dmesg.txt': `${seed000()['dmesg.txt']}[    0.5] DMAR: DRHD: handling fault status reg 3 \u001b]0;pwned\u0007\u001b[2J\r\u0008\n`,
        'notes\u001b[31m.txt': 'vfio-pci 0000:01:00.0: BAR 3: can\'t reserve \u001b]8;;http://x\u0007\n',
        'cmdline\u0007.txt': 'quiet',
      }),
    // The report stands; the escapes are defused in every format (the in-process block and the last block below).
  },
  {
    kind: 'names that look like paths: "..", "...", leading dots, newlines',
    skip: NO_SHARED,
    input: () => evidenceDir({...seed000(), '..dmesg.txt': 'DMAR: IOMMU enabled\n', '...': 'x\n', '.hidden.xml': REAL_DOMAIN, 'line\nbreak.log': 'x\n'}),
    marked: [],
    also: (r) => expect(r.sources.map((s) => s.origin)).toEqual(expect.arrayContaining(['..dmesg.txt', '...', '.hidden.xml', 'line\nbreak.log'])),
  },
]

/** Each row's input, for the in-process re-runs. */
const rowDirs = new Map<string, string>()

describe.concurrent(`check --input on ${rows.length} kinds of bad evidence: a report with the source marked, never a crash`, () => {
  for (const row of rows) {
    it.skipIf(row.skip !== undefined)(row.kind, async () => rowDirs.set(row.kind, await checkRow(row)), rowTimeout(row))
  }
})

describe('the same bad evidence in every output format (in-process)', () => {
  for (const row of rows.filter((r) => r.uid === undefined)) {
    it.skipIf(row.skip !== undefined)(row.kind, async () => {
      const set = await readEvidenceFolder(rowDirs.get(row.kind) ?? (await row.input()))
      const {facts, report} = diagnose(set)
      for (const format of FORMATS) {
        const out = await renderReport(report, {format, set, facts, failOn: 'error', verbose: true})
        expect(out.length, format).toBeGreaterThan(0)
        if (format !== 'json') expect(out, `${format} carries a control character`).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/)
      }
      // Eight formats, each redacted on its own: a 1 MB-per-field domain takes a few seconds a format
      // (23 s for all eight on a busy 2-core machine; over 60 s while the whole suite runs beside it).
    }, 120_000)
  }
})

describe.concurrent('--input that cannot be read at all: exit 2 with one line', () => {
  const cases: Array<{kind: string; input: () => string; uid?: number; message: RegExp}> = [
    {kind: 'no such folder', input: () => '/nonexistent/evidence', message: /^vfio-doctor: cannot read \/nonexistent\/evidence: no such file or directory$/m},
    {kind: 'a path through a file (ENOTDIR)', input: () => join(evidenceDir(seed000()), 'dmesg.txt', 'x'), message: /cannot read .*dmesg\.txt\/x: ENOTDIR: not a directory/},
    {kind: 'a device', input: () => '/dev/null', message: /^vfio-doctor: \/dev\/null is not a folder or a file$/m},
    {
      kind: 'a single file larger than 512 MB, given directly (sparse: nothing is written)',
      input: () => {
        const file = join(tmp('big-file'), 'journal.log')
        writeFileSync(file, '')
        truncateSync(file, 600 * 1024 * 1024)
        return file
      },
      message: /^vfio-doctor: nothing to judge in .*journal\.log: nothing in it could be read \(journal\.log: larger than 512 MB\)/m,
    },
    {
      kind: 'a link that loops',
      input: () => {
        const link = join(tmp('loop'), 'evidence')
        symlinkSync(link, link)
        return link
      },
      message: /^vfio-doctor: cannot read .*evidence: ELOOP: too many symbolic links/m,
    },
    {
      kind: 'a named pipe',
      input: () => {
        const p = join(tmp('fifo'), 'evidence')
        execFileSync('mkfifo', [p])
        return p
      },
      message: /is not a folder or a file$/m,
    },
    {
      kind: 'a folder nobody may list (run as an unprivileged user)',
      input: () => {
        const dir = evidenceDir(seed000())
        chmodSync(dir, 0o300)
        return dir
      },
      uid: isRoot ? NOBODY : undefined,
      message: /^vfio-doctor: cannot read .*: EACCES: permission denied/m,
    },
    {
      kind: 'a capture from a newer vfio-doctor',
      input: () => evidenceDir({...seed000(), 'meta.json': JSON.stringify({format: CAPTURE_FORMAT + 1, tool: {name: 'vfio-doctor', version: '9.1.0'}, date: '2031-01-01', sources: []})}),
      message: new RegExp(`^vfio-doctor: this capture was made by vfio-doctor 9\\.1\\.0 \\(capture format ${CAPTURE_FORMAT + 1}\\); this is vfio-doctor .* upgrade vfio-doctor to read it$`, 'm'),
    },
    {
      kind: 'a newer capture whose version is an escape sequence and a thousand lines',
      input: () =>
        evidenceDir({'meta.json': JSON.stringify({format: 99, tool: {name: 'vfio-doctor', version: `\u001b]0;pwned\u0007\u001b[2J${'\nline'.repeat(1000)}`}, date: 'x', sources: []})}),
      message: /^vfio-doctor: this capture was made by vfio-doctor 0pwned2Jlinelinelinelinelinelinelineline \(capture format 99\)/m,
    },
    {
      kind: 'a newer capture whose version is not a string',
      input: () => evidenceDir({'meta.json': JSON.stringify({format: 2, tool: {name: 'vfio-doctor', version: {major: 9}}, date: 'x', sources: []})}),
      message: /made by vfio-doctor of unknown version \(capture format 2\)/,
    },
    {
      kind: 'a folder whose one file is NUL bytes to its end',
      input: () => evidenceDir({'dmesg.txt': Buffer.alloc(1024 * 1024).toString()}),
      message: /nothing in it could be read \(dmesg\.txt holds only NUL bytes\)/,
    },
    {
      kind: 'a single file nobody may read, given directly (run as an unprivileged user)',
      input: () => {
        const dir = evidenceDir(seed000())
        chmodSync(join(dir, 'dmesg.txt'), 0)
        chmodSync(dir, 0o755)
        return join(dir, 'dmesg.txt')
      },
      uid: isRoot ? NOBODY : undefined,
      message: /nothing in it could be read \(dmesg\.txt: permission denied\)/,
    },
    {kind: 'an empty folder', input: () => tmp('empty'), message: /nothing to judge in .*: it is empty\. Gather the evidence with `sudo vfio-doctor capture DIR`/},
    {
      kind: 'binary garbage in every file',
      input: () => evidenceDir(Object.fromEntries(EVERY_KIND.map((f, i) => [f, garbage(64 * 1024, i + 1)]))),
      message: /nothing in it could be read \([^;]+: binary data, not text;.*and \d+ more\)/,
    },
    {
      kind: 'XML that is not a domain: a network, an HTML page, JSON named .xml',
      input: () =>
        evidenceDir({
          'default-net.xml': "<network><name>default</name><forward mode='nat'/><bridge name='virbr0'/></network>",
          'saved-page.xml': '<!DOCTYPE html><html><body>404</body></html>',
          'domain-json.xml': '{"domain": {"name": "win10"}}',
        }),
      message: /default-net\.xml: not a libvirt domain \(its root element is <network>\); domain-json\.xml: not a libvirt domain \(no XML element in it\); saved-page\.xml: not a libvirt domain \(its root element is <html>\)/,
    },
    ...(existsSync('/sys/bus/pci/rescan') ? [{kind: 'a file even root may not read: a write-only sysfs attribute', input: () => '/sys/bus/pci/rescan', message: /nothing in it could be read \(rescan: permission denied\)/}] : []),
  ]
  for (const c of cases) {
    it.skipIf(c.uid !== undefined && !canDropToNobody)(c.kind, async () => {
      const r = await runCli(['check', '--input', c.input()], c.uid !== undefined ? {uid: c.uid} : {})
      expect(r.timedOut, 'hung').toBe(false)
      expectOneLineError(r, c.message)
    })
  }
})

describe('escape sequences in evidence never reach the terminal', () => {
  it.each(['text', 'markdown', 'bbcode'])('%s, verbose, through the CLI', async (format) => {
    const dir = evidenceDir({
      ...seed000(),
      'dmesg.txt': `${seed000()['dmesg.txt']}[    0.5] DMAR: DRHD: handling fault status reg 3 \u001b]0;pwned\u0007\u001b[2J\r\u0008\u009b31m\n`,
      'notes\u001b[31m.txt': "vfio-pci 0000:01:00.0: BAR 3: can't reserve \u001b]8;;http://x\u0007\n",
    })
    const r = await runCli(['check', '--input', dir, '--format', format, '--verbose'])
    expect([0, 1]).toContain(r.code)
    expect(r.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/)
    // The forum formats show the raw sources: the escapes are there, defused.
    if (format !== 'text') expect(r.stdout).toContain('\ufffd')
  })
})
