/**
 * Live reading of a host that misbehaves: `check --root` on fake roots with odd files (through the
 * built CLI), and the real command runner against fake programs on PATH that hang, fail, flood
 * their output or are refused the kernel log. Each row says how the source is marked; none may
 * crash or hang.
 */
import {execFileSync} from 'node:child_process'
import {chmodSync, readFileSync} from 'node:fs'
import {createServer as createSocketServer} from 'node:net'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {diagnose} from '../../src/engine/pipeline.js'
import {assembleFacts} from '../../src/facts/assemble.js'
import {execaRunner, MAX_COMMAND_OUTPUT} from '../../src/sources/commands.js'
import {collectLive} from '../../src/sources/live/index.js'
import type {Source, SourceStatus} from '../../src/sources/types.js'
import {FakeRoot} from '../helpers/fake-root.js'
import {corpusDir, hasShared, readShared} from '../helpers/paths.js'
import {canDropToNobody, expectJsonReport, fakeBin, isRoot, NOBODY, notOk, pathWith, removeTempFolders, runCli} from './helpers.js'

afterAll(removeTempFolders)

const CPUINFO = 'processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Core(TM) i7-7700 CPU @ 3.60GHz\nflags\t\t: fpu vme vmx sse2\n'
const REAL_DOMAIN = readShared(join(corpusDir, 'libvirt-domains-real/bryansteiner__gpu-passthrough-tutorial__kvm_win10.xml'))

/** A small sane host to spoil: one row changes one thing. */
function host(): FakeRoot {
  return new FakeRoot()
    .file('proc/cmdline', 'BOOT_IMAGE=/vmlinuz intel_iommu=on\n')
    .file('proc/cpuinfo', CPUINFO)
    .file('etc/os-release', 'ID=arch\nPRETTY_NAME="Arch Linux"\n')
    .file('etc/passwd', 'root:x:0:0::/root:/bin/sh\nvini:x:1000:100::/home/vini:/bin/sh\n')
    .file('etc/group', 'root:x:0:\nusers:x:100:\nlibvirt:x:967:vini\n')
    .pciDevice('0000:00:02.0', {vendor: '8086', device: '5912', class: '030000', driver: 'i915', group: 0, bootVga: true})
    .pciDevice('0000:01:00.0', {vendor: '10de', device: '1b81', class: '030000', driver: 'vfio-pci', group: 1, bootVga: false})
}

/** A PATH with no programs at all: the domains come from /etc/libvirt/qemu, and nothing depends on this machine's libvirt. */
const NO_VIRSH = fakeBin({})
const sleeper = (seconds: number) => `sleep ${seconds} & wait` // the child keeps stdout open after its parent is killed

interface RootRow {
  kind: string
  root: () => FakeRoot | Promise<FakeRoot>
  /** Sources that must be among the marked ones: [origin, status, reason]. */
  marked: Array<[string, SourceStatus, RegExp]>
  /** PATH for the run; no virsh unless the row brings one. */
  bin?: string
  args?: string[]
  maxMs?: number
  also?: (sources: Array<Omit<Source, 'text'>>) => void
  /** Made from REAL_DOMAIN: skipped without ../shared. */
  shared?: true
}

const rootRows: RootRow[] = [
  {
    kind: 'an empty folder as the root',
    root: () => new FakeRoot(),
    marked: [
      ['/proc/cmdline', 'missing', /^\/proc\/cmdline does not exist$/],
      ['/sys/bus/pci/devices', 'missing', /does not exist/],
      ['find /sys/kernel/iommu_groups -type l', 'missing', /\/sys is not mounted/],
      ['dmesg', 'missing', /not run: --root reads a folder/],
    ],
  },
  {
    kind: 'sysfs with dangling links: a device, its driver, its group',
    root: () =>
      host()
        .link('sys/bus/pci/devices/0000:02:00.0', '../../../devices/pci0000:00/0000:02:00.0')
        .link('sys/bus/pci/devices/0000:01:00.1', '../../../devices/gone')
        .file('sys/bus/pci/devices/0000:03:00.0/vendor', '0x1002\n')
        .file('sys/bus/pci/devices/0000:03:00.0/device', '0x67df\n')
        .file('sys/bus/pci/devices/0000:03:00.0/class', '0x030000\n')
        .link('sys/bus/pci/devices/0000:03:00.0/driver', '../../../bus/pci/drivers/nowhere')
        .link('sys/bus/pci/devices/0000:03:00.0/iommu_group', '../../../kernel/iommu_groups/77')
        .link('sys/kernel/iommu_groups/1/devices/0000:09:00.0', '../../../../bus/pci/devices/0000:09:00.0'),
    marked: [],
    also: (sources) => expect(sources.find((s) => s.kind === 'pciSysfs')?.status).toBe('ok'),
  },
  {
    kind: '/proc/cmdline is a folder',
    root: () => new FakeRoot().folder('proc/cmdline').file('proc/cpuinfo', CPUINFO),
    marked: [['/proc/cmdline', 'error', /^\/proc\/cmdline is not a regular file$/]],
  },
  {
    kind: '/proc is a file, so /proc/cmdline goes through a file (ENOTDIR)',
    root: () => new FakeRoot().file('proc', 'not a folder\n'),
    marked: [
      ['/proc/cmdline', 'missing', /^\/proc\/cmdline does not exist$/],
      ['/proc/cpuinfo', 'missing', /does not exist/],
    ],
  },
  {
    kind: 'named pipes where /proc/cmdline, /etc/passwd, a modprobe file, a sysfs attribute and a qemu log should be',
    shared: true,
    root: () => {
      const root = host().file('etc/libvirt/qemu/win10.xml', REAL_DOMAIN).folder('etc/modprobe.d').folder('var/log/libvirt/qemu')
      for (const p of ['proc/cmdline', 'etc/passwd', 'etc/modprobe.d/vfio.conf', 'sys/bus/pci/devices/0000:01:00.0/vendor', 'var/log/libvirt/qemu/win10.log'].map((p) => join(root.dir, p))) {
        execFileSync('rm', ['-f', p])
        execFileSync('mkfifo', [p])
      }
      return root
    },
    marked: [
      ['/proc/cmdline', 'error', /^\/proc\/cmdline is not a regular file$/],
      ['/etc/modprobe.d/vfio.conf', 'error', /is not a regular file$/],
      ['/var/log/libvirt/qemu/win10.log', 'error', /is not a regular file$/],
    ],
  },
  {
    kind: 'a socket where /etc/os-release should be',
    root: async () => {
      const root = host()
      execFileSync('rm', [join(root.dir, 'etc/os-release')])
      const socket = createSocketServer()
      await new Promise<void>((resolve) => socket.listen(join(root.dir, 'etc/os-release'), resolve))
      socket.unref() // closing would remove the socket file
      return root
    },
    marked: [['/etc/os-release', 'error', /^\/etc\/os-release is not a regular file$/]],
  },
  {
    kind: 'symlink loops: a modprobe file, /run/current-system, a driver link',
    root: () =>
      host()
        .link('etc/modprobe.d/loop.conf', 'loop.conf')
        .link('run/current-system', 'current-system')
        .link('sys/bus/pci/devices/0000:04:00.0', '0000:04:00.0'),
    marked: [
      ['/etc/modprobe.d/loop.conf', 'error', /ELOOP/],
      ['/run/current-system/kernel-params', 'error', /ELOOP/],
    ],
  },
  {
    kind: 'sysfs attributes that are nonsense or 10 MB long',
    root: () =>
      host()
        .file('sys/bus/pci/devices/0000:05:00.0/vendor', 'garbage\n')
        .file('sys/bus/pci/devices/0000:05:00.0/class', 'zzzzzz\n')
        .file('sys/bus/pci/devices/0000:05:00.0/device', `0x${'f'.repeat(10_000_000)}\n`)
        .file('sys/bus/pci/devices/0000:05:00.0/reset_method', 'flr bus '.repeat(100_000))
        .file('sys/module/kvm/parameters/ignore_msrs', `${'Y'.repeat(1_000_000)}\n`),
    marked: [],
  },
  {
    kind: 'a domain XML on disk that is a billion-laughs bomb with an external entity',
    root: () =>
      host().file(
        'etc/libvirt/qemu/lol.xml',
        `<!DOCTYPE domain [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY x SYSTEM "file:///etc/shadow">]>
<domain type="kvm"><name>lol&c;&x;</name><devices><disk type="file" device="cdrom"><source file="/home/vini/&c;.iso"/></disk></devices></domain>`,
      ),
    marked: [],
    also: (sources) => expect(JSON.stringify(sources)).not.toMatch(/a{100}/),
  },
  {
    kind: 'virsh that hangs, with a child holding its output open (--timeout 1)',
    root: () => host(),
    bin: fakeBin({virsh: sleeper(30)}),
    args: ['--timeout', '1'],
    marked: [['virsh -c qemu:///system list --all --name', 'timeout', /^virsh did not answer in time$/]],
    // 1 s, a second's grace for the output the child holds, start-up: far from the 30 s the child sleeps.
    maxMs: 15_000,
  },
  {
    kind: 'virsh that fails (libvirtd not running)',
    root: () => host(),
    bin: fakeBin({virsh: "echo 'error: failed to connect to the hypervisor' >&2\necho \"error: Failed to connect socket to '/var/run/libvirt/virtqemud-sock': No such file or directory\" >&2\nexit 1"}),
    marked: [['virsh -c qemu:///system list --all --name', 'error', /^virsh: error: failed to connect to the hypervisor/]],
  },
  {
    kind: 'virsh that lists 20 MB of domain names',
    root: () => host(),
    bin: fakeBin({
      virsh: `case "$3" in
list) exec awk 'BEGIN { for (i = 0; i < 600000; i++) printf "domain-with-a-long-name-%08d\\n", i }' ;;
*) echo "<domain type='kvm'><name>$5</name></domain>" ;;
esac`,
    }),
    marked: [['virsh dumpxml', 'error', /^\d+ more domains were not read: vfio-doctor reads the first 200$/]],
    maxMs: 30_000,
    also: (sources) => expect(sources.filter((s) => s.kind === 'domainXml' && s.status === 'ok')).toHaveLength(200),
  },
]

describe.concurrent(`check --root on ${rootRows.length} odd hosts: sources marked, never a crash or a hang`, () => {
  for (const row of rootRows) {
    it.skipIf(row.shared && !hasShared)(row.kind, async () => {
      const root = await row.root()
      const r = await runCli(['check', '--root', root.dir, '--format', 'json', '--quiet', ...(row.args ?? [])], {env: {PATH: row.bin ? pathWith(row.bin) : NO_VIRSH}, timeoutMs: (row.maxMs ?? 10_000) * 2})
      expect(r.timedOut, 'hung').toBe(false)
      expect(r.ms).toBeLessThan(row.maxMs ?? 10_000)
      const report = expectJsonReport(r)
      const marked = notOk(report)
      for (const [origin, status, reason] of row.marked) {
        const found = marked.find(([o, s]) => o === origin && s === status)
        expect(found, `${origin} ${status} among ${JSON.stringify(marked)}`).toBeDefined()
        expect(found![2]).toMatch(reason)
      }
      row.also?.(report.sources)
    })
  }
})

describe('what the live reader writes, the parsers read', () => {
  // The namei chain was once written indented, which namei -l never does: the parser read nothing and
  // an ISO in a 0700 home passed. The whole chain must come through.
  it('the namei -l chain of a domain file becomes a path the checks can walk', async () => {
    const root = host()
      .file('etc/libvirt/qemu/win11.xml', "<domain type='kvm'><name>win11</name><devices><disk type='file' device='cdrom'><source file='/home/vini/Win11.iso'/></disk></devices></domain>")
      .file('home/vini/Win11.iso', 'iso', 0o644)
    chmodSync(root.dir, 0o755) // a temp folder is 0700; a real / is not
    chmodSync(join(root.dir, 'home/vini'), 0o700)
    const set = await collectLive({root: root.dir, run: execaRunner(5_000, {PATH: NO_VIRSH}), user: 'vini'})
    const access = assembleFacts(set).fileAccess?.get('/home/vini/Win11.iso')
    expect(access?.chain.map((c) => `${c.mode} ${c.path}`)).toEqual(['drwxr-xr-x /', 'drwxr-xr-x /home', 'drwx------ /home/vini', '-rw-r--r-- /home/vini/Win11.iso'])
  })
})

describe('the real command runner against programs that misbehave (fake PATH, real execa)', () => {
  const live = (bin: string, timeoutMs = 5_000) => collectLive({root: host().dir, run: execaRunner(timeoutMs, {PATH: pathWith(bin)}), user: 'vini'})
  const kernelLog = (sources: Source[]) => sources.find((s) => s.kind === 'kernelLog')!

  it('dmesg and journalctl that never answer, with children holding their output: timeout, in bounded time', async () => {
    const started = performance.now()
    const set = await live(fakeBin({dmesg: sleeper(30), journalctl: sleeper(30)}), 300)
    // Each: 300 ms, then at most a second's grace for output a child holds open (and a busy machine's slack).
    expect(performance.now() - started).toBeLessThan(8_000)
    expect(kernelLog(set.sources)).toMatchObject({status: 'timeout', reason: '/dev/kmsg does not exist; dmesg did not answer in time; journalctl: journalctl did not answer in time'})
  })

  it('a program that ignores SIGTERM is killed all the same', async () => {
    const started = performance.now()
    const set = await live(fakeBin({lspci: "trap '' TERM\nwhile :; do sleep 1; done"}), 300)
    expect(performance.now() - started).toBeLessThan(8_000)
    expect(set.sources.find((s) => s.kind === 'lspci')).toMatchObject({status: 'timeout'})
  })

  it('lspci that exits non-zero: an error with what it said on stderr', async () => {
    const set = await live(fakeBin({lspci: "echo 'pcilib: Cannot open /sys/bus/pci/devices' >&2\necho 'lspci: Cannot find any working access method.' >&2\nexit 1"}))
    const lspci = set.sources.find((s) => s.kind === 'lspci')!
    expect(lspci.status).toBe('error')
    expect(lspci.reason).toMatch(/^lspci: pcilib: Cannot open \/sys\/bus\/pci\/devices/)
  })

  it('lspci that prints 100 MB: cut at MAX_COMMAND_OUTPUT, and the whole pipeline still runs', async () => {
    const bin = fakeBin({
      lspci: `exec awk 'BEGIN { for (i = 0; i < 1300000; i++) printf "%02x:%02x.%d VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1070] [10de:1b81] (rev a1)\\n", (i/256)%256, (i/8)%32, i%8 }'`,
    })
    const started = performance.now()
    const set = await live(bin, 20_000)
    const lspci = set.sources.find((s) => s.kind === 'lspci')!
    expect(lspci.status).toBe('ok')
    expect(lspci.text!.length).toBe(MAX_COMMAND_OUTPUT)
    const {report} = diagnose(set)
    expect(report.summary.crashed).toBe(0)
    expect(performance.now() - started).toBeLessThan(25_000)
  }, 60_000)

  it('dmesg refused (kernel.dmesg_restrict=1) and an empty journal: denied, with the sudo hint', async () => {
    const set = await live(fakeBin({dmesg: "echo 'dmesg: read kernel buffer failed: Operation not permitted' >&2\nexit 1", journalctl: "echo '-- No entries --'"}))
    expect(kernelLog(set.sources)).toMatchObject({status: 'denied', reason: 'the kernel log is restricted to root (kernel.dmesg_restrict=1)', hint: 'run vfio-doctor with sudo'})
  })

  it('programs that are not installed: missing, with how to get them', async () => {
    const set = await collectLive({root: host().dir, run: execaRunner(5_000, {PATH: NO_VIRSH}), user: 'vini'})
    expect(set.sources.find((s) => s.kind === 'lspci')).toMatchObject({status: 'missing', hint: 'install pciutils for device names'})
    expect(set.sources.find((s) => s.kind === 'kernelLog')).toMatchObject({status: 'missing', reason: '/dev/kmsg does not exist; dmesg is not installed; journalctl: journalctl is not installed'})
  })
})

describe('the real dmesg, refused to an unprivileged user', () => {
  const restricted = (() => {
    try {
      return readFileSync('/proc/sys/kernel/dmesg_restrict', 'utf8').trim() === '1'
    } catch {
      return false
    }
  })()
  // As root the test drops to nobody; as a user it is that user. Where dmesg is open to all there is nothing to refuse.
  it.skipIf(!restricted || !canDropToNobody)('check on this machine as a user: the kernel log is denied with the sudo hint, and the report goes on', async () => {
    const r = await runCli(['check', '--format', 'json', '--quiet'], isRoot ? {uid: NOBODY} : {})
    const report = expectJsonReport(r)
    expect(report.sources.find((s) => s.kind === 'kernelLog')).toMatchObject({status: 'denied', hint: 'run vfio-doctor with sudo'})
  })
})
