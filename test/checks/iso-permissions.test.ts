import {execFileSync, spawnSync} from 'node:child_process'
import {chmodSync, mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import check from '../../checks/iso-permissions.js'
import {testCheck, type InvalidCase} from '../helpers/check-tester.js'
import {hasShared} from '../helpers/paths.js'
import {ARCH_RELEASE, DEBIAN_RELEASE, NIXOS_RELEASE, domains, edit, namei, seed000Nix, seed003Nix} from './libvirt-data.js'

// bryansteiner's domain keeps both ISOs under /home/bsteiner/.iso.
const WIN_ISO = '/home/bsteiner/.iso/Win10_1909_English_x64.iso'
const VIRTIO_ISO = '/home/bsteiner/.iso/virtio-win-0.1.171.iso'
const walk = (home: string, file = '-rw-r--r-- bsteiner bsteiner') =>
  namei(WIN_ISO, ['drwxr-xr-x root root', 'drwxr-xr-x root root', `${home} bsteiner bsteiner`, 'drwxr-xr-x bsteiner bsteiner', file]) +
  namei(VIRTIO_ISO, ['drwxr-xr-x root root', 'drwxr-xr-x root root', `${home} bsteiner bsteiner`, 'drwxr-xr-x bsteiner bsteiner', '-rw-r--r-- bsteiner bsteiner'])
const win10 = domains.bryansteinerWin10
/** The same domain with its Windows ISO swapped for a writable qcow2 disk in the images directory. */
const DISK = '/var/lib/libvirt/images/win10.qcow2'
const withDisk = () =>
  edit(win10, /<disk type="file" device="cdrom">(\s*)<driver name="qemu" type="raw"\/>(\s*)<source file="[^"]*Win10_1909[^"]*"\/>(\s*<target [^>]*>)\s*<readonly\/>/, `<disk type="file" device="disk">$1<driver name="qemu" type="qcow2"/>$2<source file="${DISK}"/>$3`)
const diskWalk = (file: string) => namei(DISK, ['drwxr-xr-x root root', 'drwxr-xr-x root root', 'drwxr-xr-x root root', 'drwxr-xr-x root root', 'drwx--x--x root root', file])

/** The real `namei -l` on a real tree: an ISO in a 0700 "home" directory. */
function realNameiCase(): InvalidCase[] {
  if (spawnSync('namei', ['--version']).status !== 0) return []
  const root = mkdtempSync(join(tmpdir(), 'vfio-doctor-namei-'))
  const home = join(root, 'home-ana')
  mkdirSync(join(home, 'Downloads'), {recursive: true})
  const iso = join(home, 'Downloads', 'Win11_23H2_English_x64.iso')
  writeFileSync(iso, '')
  chmodSync(root, 0o755)
  chmodSync(home, 0o700)
  return [{
    name: 'real namei -l output for an ISO behind a 0700 directory',
    files: {'win.xml': edit(win10, WIN_ISO, iso), 'namei.txt': execFileSync('namei', ['-l', iso], {encoding: 'utf8'}), 'os-release': DEBIAN_RELEASE},
    findings: [{id: 'iso-permissions', severity: 'error', subject: iso, message: new RegExp(`directory ${home} \\(drwx------`)}],
  }]
}

testCheck(check, {
  valid: [
    {name: 'a home directory others may pass through (0711)', files: {'win10.xml': win10, 'namei.txt': walk('drwx--x--x'), 'os-release': ARCH_RELEASE}, passes: [/^libvirt-qemu can reach \/home\/bsteiner\/\.iso\/Win10_1909_English_x64\.iso$/]},
    {name: 'an ACL lets the qemu user through a 0700 home (the "+")', files: {'win10.xml': win10, 'namei.txt': walk('drwx------+'), 'os-release': ARCH_RELEASE}},
    {name: 'NixOS with runAsRoot at its default (seed 000): qemu runs as root', files: {'win10.xml': win10, 'namei.txt': walk('drwx------'), 'configuration.nix': seed000Nix, 'os-release': NIXOS_RELEASE}, passes: [/^qemu runs as root \(NixOS, where virtualisation\.libvirtd\.qemu\.runAsRoot defaults to true\): file modes do not stop it$/]},
    {
      name: 'a block device disk (/dev/sdb, 0660 root:disk) is not a file this check judges',
      files: {'win10.xml': edit(win10, /<disk type="file" device="cdrom">(\s*)<driver name="qemu" type="raw"\/>(\s*)<source file="[^"]*Win10_1909[^"]*"\/>/, '<disk type="block" device="disk">$1<driver name="qemu" type="raw"/>$2<source dev="/dev/sdb"/>'), 'namei.txt': namei('/dev/sdb', ['drwxr-xr-x root root', 'drwxr-xr-x root root', 'brw-rw---- root disk']), 'os-release': DEBIAN_RELEASE},
    },
    {name: "a disk image 0640 root:libvirt-qemu on Debian: qemu's group may read it", files: {'win10.xml': withDisk(), 'namei.txt': diskWalk('-rw-r----- root libvirt-qemu'), 'os-release': DEBIAN_RELEASE}},
    {
      name: 'only `ls -l` of the disk image: judged on what it shows',
      files: {'win10.xml': withDisk(), 'ls.txt': `-rw-r--r-- 1 libvirt-qemu libvirt-qemu 42949672960 Oct 29 21:01 ${DISK}\n`, 'os-release': DEBIAN_RELEASE},
      passes: [/^libvirt-qemu can reach \/var\/lib\/libvirt\/images\/win10\.qcow2 \(as far as the listing shows\)$/],
    },
    {
      name: 'qemu.conf runs qemu as uid +1000 and namei -n lists that uid as the home\'s owner',
      files: {
        'win10.xml': win10,
        'qemu.conf': 'user = "+1000"\ngroup = "+1000"\n',
        'namei.txt':
          namei(WIN_ISO, ['drwxr-xr-x 0 0', 'drwxr-xr-x 0 0', 'drwx------ 1000 1000', 'drwxr-xr-x 1000 1000', '-rw-r--r-- 1000 1000']) +
          namei(VIRTIO_ISO, ['drwxr-xr-x 0 0', 'drwxr-xr-x 0 0', 'drwx------ 1000 1000', 'drwxr-xr-x 1000 1000', '-rw-r--r-- 1000 1000']),
        'os-release': ARCH_RELEASE,
      },
    },
    {
      name: 'ISOs in /var/lib/libvirt/images and /data/Downloads (sabinM1)',
      files: {
        '10ferestre.xml': domains.sabinWin10,
        'os-release': DEBIAN_RELEASE,
        'namei.txt':
          namei('/data/Downloads/Win10_21H2_English_x64.iso', ['drwxr-xr-x root root', 'drwxr-xr-x sabin sabin', 'drwxr-xr-x sabin sabin', '-rw-r--r-- sabin sabin']) +
          namei('/var/lib/libvirt/images/virtio-win-0.1.229.iso', ['drwxr-xr-x root root', 'drwxr-xr-x root root', 'drwxr-xr-x root root', 'drwxr-xr-x root root', 'drwx--x--x root root', '-rw-r--r-- libvirt-qemu libvirt-qemu']),
      },
    },
  ],
  invalid: [
    {
      name: 'a 0700 home directory on Arch (qemu runs as libvirt-qemu)',
      files: {'win10.xml': win10, 'namei.txt': walk('drwx------'), 'os-release': ARCH_RELEASE},
      findings: [
        {id: 'iso-permissions', severity: 'error', subject: WIN_ISO, message: /directory \/home\/bsteiner \(drwx------ bsteiner:bsteiner\) does not let libvirt-qemu through/, fix: /"blocker":"\/home\/bsteiner","need":"x","qemuUser":"libvirt-qemu"/},
        {id: 'iso-permissions', severity: 'error', subject: VIRTIO_ISO},
      ],
    },
    {
      name: 'NixOS with runAsRoot = false (seed 003): qemu-libvirtd',
      files: {'win10.xml': win10, 'namei.txt': walk('drwx------'), 'configuration.nix': seed003Nix, 'os-release': NIXOS_RELEASE},
      findings: [
        {id: 'iso-permissions', severity: 'error', subject: WIN_ISO, evidence: /qemu runs as qemu-libvirtd:qemu-libvirtd \(NixOS with virtualisation\.libvirtd\.qemu\.runAsRoot = false\)/},
        {id: 'iso-permissions', severity: 'error', subject: VIRTIO_ISO},
      ],
    },
    {
      name: 'NixOS without its configuration: a warning, the account is a guess',
      files: {'win10.xml': win10, 'namei.txt': walk('drwx------'), 'os-release': NIXOS_RELEASE},
      findings: [
        {id: 'iso-permissions', severity: 'warning', subject: WIN_ISO},
        {id: 'iso-permissions', severity: 'warning', subject: VIRTIO_ISO},
      ],
    },
    {
      name: 'the ISO itself is not readable: read-only media libvirt never gives back, so not relabelled (an error)',
      files: {'win10.xml': win10, 'namei.txt': walk('drwx--x--x', '-rw------- root root'), 'os-release': ARCH_RELEASE},
      findings: [{id: 'iso-permissions', severity: 'error', subject: WIN_ISO, message: /not readable by libvirt-qemu.*never gives them back/, fix: /"need":"r"/}],
    },
    {
      name: "qemu's own words, no namei",
      files: {'win10.xml': win10, 'qemu-win10.log': `2024-05-01T10:00:00.123456Z qemu-system-x86_64: -blockdev {"driver":"file","filename":"${WIN_ISO}","node-name":"libvirt-2-storage"}: Could not open '${WIN_ISO}': Permission denied\n`},
      findings: [{id: 'iso-permissions', severity: 'error', subject: WIN_ISO, message: /cdrom of domain win10.*namei -l/}],
    },
    {
      name: "libvirt's words with the uid, and the namei that names the directory",
      files: {'win10.xml': win10, 'namei.txt': walk('drwx------'), 'libvirt-error.txt': `error: Failed to start domain 'win10'\nerror: Cannot access storage file '${WIN_ISO}' (as uid:107, gid:107): Permission denied\n`, 'os-release': ARCH_RELEASE},
      findings: [
        {id: 'iso-permissions', severity: 'error', subject: WIN_ISO, message: /does not let uid 107 through/, fix: /"qemuUser":"107"/},
        {id: 'iso-permissions', severity: 'error', subject: VIRTIO_ISO},
      ],
    },
    {
      name: 'a symlink in /var/lib/libvirt/images that leads into a 0700 home (real namei layout)',
      files: {
        'win10.xml': edit(win10, WIN_ISO, '/var/lib/libvirt/images/win.iso'),
        'os-release': DEBIAN_RELEASE,
        'namei.txt': [
          'f: /var/lib/libvirt/images/win.iso',
          'drwxr-xr-x root root /',
          'drwxr-xr-x root root var',
          'drwxr-xr-x root root lib',
          'drwxr-xr-x root root libvirt',
          'drwx--x--x root root images',
          'lrwxrwxrwx root root win.iso -> /home/ana/iso/win.iso',
          'drwxr-xr-x root root   /',
          'drwxr-xr-x root root   home',
          'drwx------ ana  ana    ana',
          'drwxr-xr-x ana  ana    iso',
          '-rw-r--r-- ana  ana    win.iso',
        ].join('\n') + '\n',
      },
      findings: [{id: 'iso-permissions', severity: 'error', subject: '/var/lib/libvirt/images/win.iso', message: /directory \/home\/ana .*libvirt-qemu/}],
    },
    ...realNameiCase(),
    {
      name: 'a writable disk image 0600 root:root on Debian: how a stopped VM\'s disk looks, so a warning',
      files: {'win10.xml': withDisk(), 'namei.txt': diskWalk('-rw------- root root'), 'os-release': DEBIAN_RELEASE},
      findings: [{
        id: 'iso-permissions',
        severity: 'warning',
        subject: DISK,
        message: /^domain win10 \(win10\.xml\): \/var\/lib\/libvirt\/images\/win10\.qcow2 \(-rw------- root:root\) is not readable by libvirt-qemu, so qemu cannot open its disk image \/var\/lib\/libvirt\/images\/win10\.qcow2\. libvirt normally chowns the file when the VM starts/,
        evidence: /^permissions: drwxr-xr-x root root \/\n[\s\S]*permissions: drwx--x--x root root \/var\/lib\/libvirt\/images\npermissions: -rw------- root root \/var\/lib\/libvirt\/images\/win10\.qcow2   <- here\nqemu runs as libvirt-qemu:libvirt-qemu \(the Debian GNU\/Linux default\)$/,
        fix: /"blocker":"\/var\/lib\/libvirt\/images\/win10\.qcow2","need":"r","qemuUser":"libvirt-qemu"/,
      }],
    },
    {
      name: 'the same disk marked <readonly/>: libvirt never gives read-only media back, so an unreadable one was not relabelled (an error)',
      files: {'win10.xml': withDisk().replace(`<source file="${DISK}"/>`, `<source file="${DISK}"/>\n      <readonly/>`), 'namei.txt': diskWalk('-rw------- root root'), 'os-release': DEBIAN_RELEASE},
      findings: [{id: 'iso-permissions', severity: 'error', subject: DISK, message: /its disk image \/var\/lib\/libvirt\/images\/win10\.qcow2\. libvirt chowns read-only media to qemu when a VM starts and never gives them back/}],
    },
    {
      name: 'the same disk with dynamic_ownership = 0 in qemu.conf: nothing relabels it, an error',
      files: {'win10.xml': withDisk(), 'namei.txt': diskWalk('-rw------- root root'), 'os-release': DEBIAN_RELEASE, 'qemu.conf': 'dynamic_ownership = 0\n'},
      findings: [{id: 'iso-permissions', severity: 'error', subject: DISK, message: /so qemu cannot open its disk image \/var\/lib\/libvirt\/images\/win10\.qcow2\.$/}],
    },
    {
      name: "a disk image 0604 root:libvirt-qemu: qemu's group bits apply, not the others'",
      files: {'win10.xml': withDisk(), 'namei.txt': diskWalk('-rw----r-- root libvirt-qemu'), 'os-release': DEBIAN_RELEASE},
      findings: [{id: 'iso-permissions', severity: 'warning', subject: DISK, message: /\(-rw----r-- root:libvirt-qemu\) is not readable by libvirt-qemu/}],
    },
    {
      name: "qemu's words about a file no domain here uses",
      files: {'win10.xml': win10, 'qemu.log': "qemu-system-x86_64: Could not open '/srv/other.iso': Permission denied\n"},
      findings: [{id: 'iso-permissions', severity: 'error', subject: '/srv/other.iso', message: /^qemu could not open \/srv\/other\.iso: permission denied; run `namei -l` on the path/, fix: /"blocker":"\/srv","need":"x".*"domain":"VM"/}],
    },
    {
      name: "qemu's words: the ISO does not exist (no namei)",
      files: {'win10.xml': win10, 'qemu.log': `qemu-system-x86_64: -blockdev {"driver":"file","filename":"${WIN_ISO}"}: Could not open '${WIN_ISO}': No such file or directory\n`},
      findings: [{id: 'iso-permissions', severity: 'error', subject: WIN_ISO, message: /^\/home\/bsteiner\/\.iso\/Win10_1909_English_x64\.iso, the cdrom of domain win10 \(win10\.xml\), does not exist: the domain cannot start/, evidence: /No such file or directory$/, fix: /"blocker":"\/home\/bsteiner\/\.iso","need":"x".*"domain":"win10"/}],
    },
    {
      name: "qemu's words: an ISO at the root of the file system does not exist",
      files: {'win10.xml': edit(win10, WIN_ISO, '/win.iso'), 'qemu.log': "qemu-system-x86_64: Could not open '/win.iso': No such file or directory\n"},
      findings: [{id: 'iso-permissions', severity: 'error', subject: '/win.iso', fix: /"blocker":"\/","need":"x"/}],
    },
    {
      name: 'qemu.conf runs qemu as uid +1000, the 0700 home belongs to bsteiner',
      files: {'win10.xml': win10, 'namei.txt': walk('drwx------'), 'qemu.conf': 'user = "+1000"\ngroup = "+1000"\n', 'os-release': ARCH_RELEASE},
      findings: [
        {id: 'iso-permissions', severity: 'error', subject: WIN_ISO, message: /directory \/home\/bsteiner \(drwx------ bsteiner:bsteiner\) does not let uid 1000 through, so qemu cannot open its cdrom/, evidence: /qemu runs as 1000:1000 \(qemu\.conf line 1: user = "\+1000"\)$/, fix: /"qemuUser":"1000"/},
        {id: 'iso-permissions', severity: 'error', subject: VIRTIO_ISO},
      ],
    },
    {
      name: 'the ISO does not exist',
      files: {'win10.xml': win10, 'ls.txt': `ls: cannot access '${VIRTIO_ISO}': No such file or directory\n`, 'namei.txt': namei(WIN_ISO, ['drwxr-xr-x root root', 'drwxr-xr-x root root', 'drwx--x--x bsteiner bsteiner', 'drwxr-xr-x bsteiner bsteiner', '-rw-r--r-- bsteiner bsteiner']), 'os-release': ARCH_RELEASE},
      findings: [{id: 'iso-permissions', severity: 'error', subject: VIRTIO_ISO, message: /does not exist/}],
    },
  ],
  unknown: [
    {name: 'a domain without namei output or qemu errors', files: {'win10.xml': win10}, reason: /namei -l/},
    {name: 'namei output but no way to tell the qemu user', files: {'win10.xml': win10, 'namei.txt': walk('drwx------')}, reason: /which user qemu runs as/},
    {name: 'no domain XML', files: {'namei.txt': walk('drwx------')}},
  ],
}, {skip: !hasShared})
