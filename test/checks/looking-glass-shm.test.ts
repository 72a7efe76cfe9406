import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import lookingGlassShm from '../../checks/looking-glass-shm.js'
import {requiredMiB, resolutionsFor} from '../../checks/lib/looking-glass.js'
import {testCheck} from '../helpers/check-tester.js'
import {corpusDir, hasShared, readShared} from '../helpers/paths.js'
import {domainXml, seed001Shmem, seed003Evdev, seed003LookingGlass, seed003Scream, seedText, SEED_003} from '../helpers/seed-xml.js'

const corpus = (folder: string, name: string) => readShared(join(corpusDir, folder, name))
/** The one real passthrough domain with Looking Glass: its shmem is named 'looking-glasss' (sic). */
const sabin = corpus('libvirt-domains-real', 'sabinM1__10ferestre__10ferestre.xml')
/** libvirt's own shmem tests: ivshmem devices that are not Looking Glass. */
const LIBVIRT_SHMEM_TESTS = [
  'shmem-plain-doorbell.xml',
  'shmem-plain-doorbell.x86_64-latest.xml',
  'shmem-invalid-size.xml',
  'shmem-small-size.xml',
  'shmem-msi-only.xml',
  'shmem-invalid-address.xml',
  'shmem-invalid-address.x86_64-latest.xml',
  'qemuhotplug-base-live+ivshmem-plain.xml',
  'qemuhotplug-base-live+ivshmem-doorbell.xml',
]

/** Seed 003's tmpfiles rule line (its placeholder swapped for the author's user name, as in its final config). */
const seed003Rule = () => (hasShared ? /"f \/dev\/shm\/looking-glass 0660 YOUR-USERNAME-HERE qemu-libvirtd -"/.exec(seedText(SEED_003))![0] : '')
const seed003Nix = (rule = seed003Rule().replace('YOUR-USERNAME-HERE', '${username}')) => `{ pkgs, ... }:

let
  username = "vini";
in
{
  systemd.tmpfiles.rules = [
    ${rule}
  ];

  virtualisation.libvirtd = {
    enable = true;
    onBoot = "ignore";
    onShutdown = "shutdown";
    qemu = {
      ovmf.enable = true;
      runAsRoot = false;
    };
  };
}
`
const seed001Nix = `{ pkgs, config, ... }:
  # Change this to your username.
  user = "my-user";
in {
  systemd.tmpfiles.rules = [
      "f /dev/shm/looking-glass 0660 \${user} qemu-libvirtd -"
  ];
  users.users.\${user}.extraGroups = [ "qemu-libvirtd" "libvirtd" "disk" ];
}
`
const NIXOS = 'NAME=NixOS\nID=nixos\nVERSION_ID="21.11"\n'
const VINI = 'uid=1000(vini) gid=100(users) groups=100(users),1(wheel),67(libvirtd)\n'
const seed003Domain = (lookingGlass = seed003LookingGlass()) => domainXml([lookingGlass, seed003Evdev()])
const lsShm = (mode: string, owner: string, group: string, size = 0, path = '/dev/shm/looking-glass') => `${mode} 1 ${owner} ${group} ${size} Oct 29 21:01 ${path}\n`
/** Looking Glass's kvmfr block for QEMU >= 6.2 / libvirt >= 7.9, from its ivshmem_kvmfr docs. */
const kvmfrArgs = (size = 33554432) =>
  `<qemu:commandline xmlns:qemu="http://libvirt.org/schemas/domain/qemu/1.0">
  <qemu:arg value="-device"/>
  <qemu:arg value='{"driver":"ivshmem-plain","id":"shmem0","memdev":"looking-glass"}'/>
  <qemu:arg value="-object"/>
  <qemu:arg value='{"qom-type":"memory-backend-file","id":"looking-glass","mem-path":"/dev/kvmfr0","size":${size},"share":true}'/>
</qemu:commandline>`
const kvmfrDomain = (size?: number) => domainXml([seed003Evdev()]).replace('</domain>', `${kvmfrArgs(size)}\n</domain>`)
/** Seed 003's Looking Glass block with another <size> line. */
const sizedDomain = (size: string) => seed003Domain(seed003LookingGlass().replace("<size unit='M'>32</size>", size))
const tmpfilesNix = (...rules: string[]) => `{ ... }:\n{\n  systemd.tmpfiles.rules = [\n${rules.map((r) => `    "${r}"\n`).join('')}  ];\n}\n`
const LSMOD = 'Module                  Size  Used by\nvfio_pci               16384  0\n'
const KVMFR_NODE = 'crw-rw---- 1 vini kvm 242, 0 Oct 29 21:01 /dev/kvmfr0\n'
/** The client's log lines (Looking Glass B6's wording) when it cannot open the file or device. */
const openFailed = (path: string) => `[E]   3123456 ivshmem.c:128  | ivshmemOpenDev   | Failed to open: ${path}\n[E]   3123456 ivshmem.c:129  | ivshmemOpenDev   | Permission denied\n`
const VERSION_MISMATCH = '[E] 1234 main.c:1640 | lg_run | The host application is not compatible with this client\n[E] 1234 main.c:1641 | lg_run | Expected KVMFR version 19, got 18\n'
const TOO_SMALL_64 = 'IVSHMEM too small, screen truncated\nRecommend increase size to 64 MiB\n'
const DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nID=debian\n'

describe('Looking Glass memory formula', () => {
  it('matches the documented values', () => {
    expect(requiredMiB(1920, 1080)).toBe(32)
    expect(requiredMiB(1920, 1200)).toBe(32)
    expect(requiredMiB(2560, 1440)).toBe(64)
    expect(requiredMiB(3440, 1440)).toBe(64) // seed 000's monitor
    expect(requiredMiB(3840, 2160)).toBe(128)
    expect(requiredMiB(1920, 1080, 8)).toBe(64) // HDR
  })
  it('says what a size is good for', () => {
    expect(resolutionsFor(32 * 2 ** 20)).toEqual({fits: '2560x1080', next: {resolution: '2560x1440', miB: 64}})
    expect(resolutionsFor(16 * 2 ** 20).fits).toBe('1024x768')
    expect(resolutionsFor(4 * 2 ** 20).fits).toBeUndefined()
  })
})

testCheck(lookingGlassShm, {
  valid: [
    {
      name: "seed 003: tmpfiles rule for vini:qemu-libvirtd 0660, runAsRoot = false, the file as the rule made it",
      files: {'domain-win10.xml': seed003Domain(), 'configuration.nix': seed003Nix(), 'dev-nodes.txt': lsShm('-rw-rw----', 'vini', 'qemu-libvirtd'), 'groups.txt': VINI, 'os-release.txt': NIXOS},
    },
    {
      name: "seed 003's 32 MiB with --looking-glass 1920x1080: 1920x1080x4x2 + 10 MiB is 26 MiB, 32 is enough",
      files: {'domain-win10.xml': seed003Domain(), 'configuration.nix': seed003Nix(), 'dev-nodes.txt': lsShm('-rw-rw----', 'vini', 'qemu-libvirtd'), 'groups.txt': VINI, 'os-release.txt': NIXOS},
      lookingGlass: {width: 1920, height: 1080},
    },
    {
      name: "seed 001: the shmem as pasted (no </shmem>), 32M, the file owned by my-user after the VM ran",
      files: {
        'domain-win10.xml': domainXml([seed001Shmem()]),
        'configuration.nix': seed001Nix,
        'dev-nodes.txt': lsShm('-rw-rw----', 'my-user', 'qemu-libvirtd', 33554432),
        'os-release.txt': NIXOS,
      },
    },
    {
      name: '64M for a 3440x1440 monitor (seed 000), file 0660 vini:kvm on Debian',
      files: {'win10.xml': seed003Domain(seed003LookingGlass().replace('>32<', '>64<')), 'dev-nodes.txt': lsShm('-rw-rw----', 'vini', 'kvm', 67108864), 'groups.txt': VINI, 'os-release.txt': DEBIAN},
    },
    {
      name: 'kvmfr: /dev/kvmfr0 a character device for vini:kvm, static_size_mb=32',
      files: {
        'win10.xml': kvmfrDomain(),
        'dev-nodes.txt': 'crw-rw---- 1 vini kvm 242, 0 Oct 29 21:01 /dev/kvmfr0\n',
        'modprobe-kvmfr.conf': 'options kvmfr static_size_mb=32\n',
        'groups.txt': VINI,
        'os-release.txt': DEBIAN,
      },
    },
    {
      name: '32M, a file 0660 vini:kvm on Debian: what the size is good for and who can open it are printed',
      files: {'win10.xml': seed003Domain(), 'dev-nodes.txt': lsShm('-rw-rw----', 'vini', 'kvm'), 'groups.txt': VINI, 'os-release.txt': DEBIAN},
      passes: [/^domain win10 \(win10\.xml\): \/dev\/shm\/looking-glass is 32 MiB: enough for frames up to 2560x1080 \(SDR\); 2560x1440 needs 64 MiB$/, /^\/dev\/shm\/looking-glass: -rw-rw---- vini:kvm, open to vini and libvirt-qemu$/],
    },
    {
      name: "seed 003's tmpfiles rule for Scream's shmem next to the Looking Glass one: only the Looking Glass rule is judged",
      files: {
        'win10.xml': domainXml([seed003LookingGlass(), seed003Scream()]),
        'configuration.nix': tmpfilesNix('f /dev/shm/scream 0660 vini qemu-libvirtd -', 'f /dev/shm/looking-glass 0660 vini qemu-libvirtd -'),
        'dev-nodes.txt': lsShm('-rw-rw----', 'vini', 'qemu-libvirtd'),
        'groups.txt': VINI,
        'os-release.txt': NIXOS,
      },
      passes: [/^\/dev\/shm\/looking-glass: -rw-rw---- vini:qemu-libvirtd, open to vini$/],
    },
    {
      name: 'no user known, a world-writable root:root file: every user can open it',
      files: {'win10.xml': seed003Domain(), 'dev-nodes.txt': lsShm('-rw-rw-rw-', 'root', 'root'), 'os-release.txt': DEBIAN},
      passes: [/^\/dev\/shm\/looking-glass: -rw-rw-rw- root:root, open to libvirt-qemu$/],
    },
    {
      name: 'no user known, a root:root file with an ACL (+): the ACL may let the user in',
      files: {'win10.xml': seed003Domain(), 'dev-nodes.txt': lsShm('-rw-rw----+', 'root', 'root'), 'os-release.txt': DEBIAN},
      passes: [/-rw-rw----\+ root:root, open to libvirt-qemu$/],
    },
    {
      name: 'no user known, a 0660 root:kvm file: a user in kvm can open it',
      files: {'win10.xml': seed003Domain(), 'dev-nodes.txt': lsShm('-rw-rw----', 'root', 'kvm'), 'os-release.txt': DEBIAN},
      passes: [/-rw-rw---- root:kvm, open to libvirt-qemu$/],
    },
    {
      name: "seed 003's 32 MiB at 1920x1080: the pass says how much that needs",
      files: {'win10.xml': seed003Domain(), 'dev-nodes.txt': lsShm('-rw-rw----', 'vini', 'kvm'), 'groups.txt': VINI, 'os-release.txt': DEBIAN},
      lookingGlass: {width: 1920, height: 1080},
      passes: [/\/dev\/shm\/looking-glass is 32 MiB: enough for 1920x1080 \(32 MiB needed\)$/],
    },
    {
      name: 'NixOS without its configuration, nobody known: the pass says only the owner and group may open it',
      files: {'win10.xml': seed003Domain(), 'dev-nodes.txt': lsShm('-rw-rw----', 'vini', 'kvm'), 'os-release.txt': NIXOS},
      passes: [/^\/dev\/shm\/looking-glass: -rw-rw---- vini:kvm, open to its owner and group$/],
    },
    {
      name: 'kvmfr without a size in the domain: no size to judge, the device is fine',
      files: {'win10.xml': kvmfrDomain().replace(',"size":33554432', ''), 'dev-nodes.txt': KVMFR_NODE, 'groups.txt': VINI, 'os-release.txt': DEBIAN},
      passes: [/^\/dev\/kvmfr0: the kvmfr device, crw-rw---- vini:kvm$/],
    },
    ...LIBVIRT_SHMEM_TESTS.map((name) => ({name: `libvirt test suite ${name}: ivshmem that is not Looking Glass`, files: {[name]: corpus('libvirt-domains', name)}, skipped: /^no domain uses Looking Glass/})),
    {name: 'a real passthrough domain without Looking Glass', files: {'win10.xml': corpus('libvirt-domains-real', 'xkevinx45__log__win10.xml')}, skipped: /^no domain uses Looking Glass/},
  ],
  invalid: [
    {
      // Seed 000 plays on a 3440x1440 ultrawide: 3440x1440x4x2 + 10 MiB = 47.8 MiB, so 64 MiB.
      name: "seed 003's 32 MiB with --looking-glass 3440x1440 (seed 000's monitor): needs 64 MiB",
      files: {'domain-win10.xml': seed003Domain(), 'configuration.nix': seed003Nix(), 'dev-nodes.txt': lsShm('-rw-rw----', 'vini', 'qemu-libvirtd'), 'groups.txt': VINI, 'os-release.txt': NIXOS},
      lookingGlass: {width: 3440, height: 1440},
      findings: [{id: 'looking-glass-shm', severity: 'error', subject: '/dev/shm/looking-glass', message: /is 32 MiB: Looking Glass at 3440x1440 needs 64 MiB/}],
    },
    {
      name: 'seed 003: /dev/shm/looking-glass root:root 0644 (recreated by QEMU), neither vini nor qemu-libvirtd can write it',
      files: {'domain-win10.xml': seed003Domain(), 'configuration.nix': seed003Nix(), 'dev-nodes.txt': lsShm('-rw-r--r--', 'root', 'root'), 'groups.txt': VINI, 'os-release.txt': NIXOS},
      findings: [{id: 'looking-glass-shm', severity: 'error', subject: '/dev/shm/looking-glass', message: /vini.*qemu-libvirtd/, evidence: /-rw-r--r-- root root/, fix: /"qemuGroup":"qemu-libvirtd".*"user":"vini"/}],
    },
    {
      name: 'the same without `id` output: the rule names vini, who is shut out',
      files: {'domain-win10.xml': seed003Domain(), 'configuration.nix': seed003Nix(), 'dev-nodes.txt': lsShm('-rw-r--r--', 'root', 'root'), 'os-release.txt': NIXOS},
      findings: [{id: 'looking-glass-shm', severity: 'error', subject: '/dev/shm/looking-glass', message: /you \(vini/}],
    },
    {
      name: 'no user known at all: a root:root 0644 file shuts every ordinary user out',
      files: {'win10.xml': seed003Domain(), 'dev-nodes.txt': lsShm('-rw-r--r--', 'root', 'root'), 'os-release.txt': DEBIAN},
      findings: [{id: 'looking-glass-shm', severity: 'error', subject: '/dev/shm/looking-glass', message: /no ordinary user.*libvirt-qemu/}],
    },
    {
      name: "seed 001's resize: the domain now asks 64M, the old 32 MiB file is still in /dev/shm",
      files: {
        'domain-win10.xml': domainXml([seed001Shmem().replace('>32<', '>64<')]),
        'configuration.nix': seed001Nix,
        'dev-nodes.txt': lsShm('-rw-rw----', 'my-user', 'qemu-libvirtd', 33554432),
        'os-release.txt': NIXOS,
      },
      findings: [{id: 'looking-glass-shm', severity: 'error', subject: '/dev/shm/looking-glass', message: /32 MiB.*64 MiB.*backing store/, fix: /"sizeMiB":"64"/}],
    },
    {
      name: 'the file is missing although the rule makes it',
      files: {'domain-win10.xml': seed003Domain(), 'configuration.nix': seed003Nix(), 'dev-nodes.txt': "ls: cannot access '/dev/shm/looking-glass': No such file or directory\n", 'groups.txt': VINI, 'os-release.txt': NIXOS},
      findings: [{id: 'looking-glass-shm', severity: 'warning', subject: '/dev/shm/looking-glass', message: /rule has not run.*qemu-libvirtd/}],
    },
    {
      name: 'the file is missing and no rule makes it (Debian)',
      files: {'win10.xml': seed003Domain(), 'dev-nodes.txt': "ls: cannot access '/dev/shm/looking-glass': No such file or directory\n", 'groups.txt': VINI, 'os-release.txt': DEBIAN},
      findings: [{id: 'looking-glass-shm', severity: 'warning', subject: '/dev/shm/looking-glass', message: /nothing creates it.*libvirt-qemu/}],
    },
    {
      name: '16M: enough for 1024x768 only',
      files: {'win10.xml': seed003Domain(seed003LookingGlass().replace('>32<', '>16<')), 'dev-nodes.txt': lsShm('-rw-rw----', 'vini', 'kvm'), 'groups.txt': VINI, 'os-release.txt': DEBIAN},
      findings: [{id: 'looking-glass-shm', severity: 'warning', subject: '/dev/shm/looking-glass', message: /16 MiB.*1024x768.*1280x720 needs 32 MiB/, fix: /"sizeMiB":"32"/}],
    },
    {
      name: 'the file is missing, NixOS without its configuration: the qemu account is not known',
      files: {'win10.xml': seed003Domain(), 'dev-nodes.txt': "ls: cannot access '/dev/shm/looking-glass': No such file or directory\n", 'os-release.txt': NIXOS},
      findings: [{id: 'looking-glass-shm', severity: 'warning', subject: '/dev/shm/looking-glass', message: /^\/dev\/shm\/looking-glass does not exist and nothing creates it for you: QEMU will create it as the qemu user when win10 starts, and the client cannot open it\.$/, evidence: /\ndev-nodes: \/dev\/shm\/looking-glass: No such file or directory$/, fix: /"qemuGroup":"qemu-libvirtd"/}],
    },
    {
      name: 'no <size>: libvirt gives 4 MiB, less than Looking Glass keeps for itself',
      files: {'win10.xml': seed003Domain(seed003LookingGlass().replace(/\s*<size unit='M'>32<\/size>/, '')), 'dev-nodes.txt': lsShm('-rw-rw----', 'vini', 'kvm'), 'groups.txt': VINI, 'os-release.txt': DEBIAN},
      findings: [{id: 'looking-glass-shm', severity: 'error', subject: '/dev/shm/looking-glass', message: /no <size>.*4 MiB/}],
    },
    {
      name: "a size that is not a power of two (libvirt's shmem-invalid-size value) on a looking-glass shmem",
      files: {'win10.xml': seed003Domain(seed003LookingGlass().replace("<size unit='M'>32</size>", "<size unit='K'>12345</size>")), 'dev-nodes.txt': lsShm('-rw-rw----', 'vini', 'kvm'), 'groups.txt': VINI, 'os-release.txt': DEBIAN},
      findings: [{id: 'looking-glass-shm', severity: 'error', subject: '/dev/shm/looking-glass', message: /power of two/}],
    },
    {
      name: "sabinM1's real domain: shmem 'looking-glasss', so the client must be pointed at it",
      files: {'10ferestre.xml': sabin},
      findings: [{id: 'looking-glass-shm', severity: 'info', subject: '/dev/shm/looking-glasss', message: /-f \/dev\/shm\/looking-glasss/}],
    },
    {
      name: "sabinM1's domain with seed 003's tmpfiles rule: the rule prepares a file QEMU does not use",
      files: {'10ferestre.xml': sabin, 'configuration.nix': seed003Nix(), 'os-release.txt': NIXOS},
      findings: [{id: 'looking-glass-shm', severity: 'warning', subject: 'configuration.nix line 8', message: /prepares \/dev\/shm\/looking-glass.*looking-glasss/}],
    },
    {
      name: "seed 003's rule copied with its placeholder YOUR-USERNAME-HERE",
      files: {'domain-win10.xml': seed003Domain(), 'configuration.nix': seed003Nix(seed003Rule()), 'dev-nodes.txt': lsShm('-rw-rw----', 'vini', 'qemu-libvirtd'), 'os-release.txt': NIXOS},
      findings: [{id: 'looking-glass-shm', severity: 'warning', subject: 'configuration.nix line 8', message: /placeholder 'YOUR-USERNAME-HERE'/}],
    },
    {
      name: 'kvmfr: /dev/kvmfr0 is a plain file QEMU made before the module was loaded',
      files: {'win10.xml': kvmfrDomain(), 'dev-nodes.txt': lsShm('-rw-r--r--', 'root', 'root', 33554432, '/dev/kvmfr0'), 'groups.txt': VINI, 'os-release.txt': DEBIAN},
      findings: [{id: 'looking-glass-shm', severity: 'error', subject: '/dev/kvmfr0', message: /regular file/}],
    },
    {
      name: 'kvmfr: static_size_mb=32 but the domain maps 64 MiB',
      files: {
        'win10.xml': kvmfrDomain(67108864),
        'dev-nodes.txt': 'crw-rw---- 1 vini kvm 242, 0 Oct 29 21:01 /dev/kvmfr0\n',
        'modprobe-kvmfr.conf': 'options kvmfr static_size_mb=32\n',
        'groups.txt': VINI,
        'os-release.txt': DEBIAN,
      },
      findings: [{id: 'looking-glass-shm', severity: 'error', subject: '/dev/kvmfr0', message: /static_size_mb=32.*64 MiB/}],
    },
    {
      name: "the client's own words: the host application is another version",
      files: {
        'win10.xml': seed003Domain(),
        'dev-nodes.txt': lsShm('-rw-rw----', 'vini', 'kvm'),
        'groups.txt': VINI,
        'os-release.txt': DEBIAN,
        'looking-glass-client.txt': '[E] 1234 main.c:1640 | lg_run | The host application is not compatible with this client\n[E] 1234 main.c:1641 | lg_run | Expected KVMFR version 19, got 18\n',
      },
      findings: [{id: 'looking-glass-shm', severity: 'error', subject: 'looking-glass-host', evidence: /not compatible/}],
    },
    {
      name: "the client's own words: permission denied on the shm file, no listing",
      files: {
        'win10.xml': seed003Domain(),
        'os-release.txt': DEBIAN,
        'looking-glass-client.txt': '[E]   3123456 ivshmem.c:128  | ivshmemOpenDev   | Failed to open: /dev/shm/looking-glass\n[E]   3123456 ivshmem.c:129  | ivshmemOpenDev   | Permission denied\n',
      },
      findings: [{id: 'looking-glass-shm', severity: 'error', subject: '/dev/shm/looking-glass', evidence: /Failed to open/}],
    },
    {
      name: "the client's own words: the memory is too small for the guest's screen",
      files: {
        'win10.xml': seed003Domain(),
        'dev-nodes.txt': lsShm('-rw-rw----', 'vini', 'kvm'),
        'groups.txt': VINI,
        'os-release.txt': DEBIAN,
        'looking-glass-client.txt': 'IVSHMEM too small, screen truncated\nRecommend increase size to 64 MiB\n',
      },
      findings: [{id: 'looking-glass-shm', severity: 'error', subject: '/dev/shm/looking-glass', fix: /"sizeMiB":"64"/}],
    },
    {
      name: 'no user known, a 0640 root:users file: no ordinary user can write it, nor can libvirt-qemu',
      files: {'win10.xml': seed003Domain(), 'dev-nodes.txt': lsShm('-rw-r-----', 'root', 'users'), 'os-release.txt': DEBIAN},
      findings: [{id: 'looking-glass-shm', severity: 'error', subject: '/dev/shm/looking-glass', message: /-rw-r----- root:users: no ordinary user \(the client\) and qemu \(libvirt-qemu, the Debian GNU\/Linux default\) cannot read and write it\.$/, evidence: /qemu: libvirt-qemu, groups libvirt-qemu kvm/}],
    },
    {
      name: 'no user known, a 0660 root:users file: users can, libvirt-qemu cannot',
      files: {'win10.xml': seed003Domain(), 'dev-nodes.txt': lsShm('-rw-rw----', 'root', 'users'), 'os-release.txt': DEBIAN},
      findings: [{id: 'looking-glass-shm', severity: 'error', subject: '/dev/shm/looking-glass', message: /root:users: qemu \(libvirt-qemu/}],
    },
    {
      name: "no user known, a 0660 file of qemu's own account: only qemu can open it",
      files: {'win10.xml': seed003Domain(), 'dev-nodes.txt': lsShm('-rw-rw----', 'libvirt-qemu', 'libvirt-qemu'), 'os-release.txt': DEBIAN},
      findings: [{id: 'looking-glass-shm', severity: 'error', subject: '/dev/shm/looking-glass', message: /libvirt-qemu:libvirt-qemu: no ordinary user \(the client\) cannot read and write it\.$/}],
    },
    {
      name: "`id` run as root: the client is the rule's user, with the groups NixOS gives them",
      files: {
        'domain-win10.xml': seed003Domain(),
        'configuration.nix': '{ ... }:\n{\n  systemd.tmpfiles.rules = [\n    "f /dev/shm/looking-glass 0660 vini qemu-libvirtd -"\n  ];\n  users.users.vini.extraGroups = [ "qemu-libvirtd" "libvirtd" ];\n}\n',
        'dev-nodes.txt': lsShm('-rw-r--r--', 'root', 'root'),
        'groups.txt': 'uid=0(root) gid=0(root) groups=0(root)\n',
        'os-release.txt': NIXOS,
      },
      findings: [{id: 'looking-glass-shm', severity: 'error', subject: '/dev/shm/looking-glass', message: /you \(vini, the client\) cannot read and write it\. The tmpfiles rule asks for 0660 vini:qemu-libvirtd, so something else made it/, evidence: /client: vini, groups qemu-libvirtd libvirtd \(the tmpfiles rule\)/, fix: /"user":"vini"/}],
    },
    {
      name: 'qemu.conf runs qemu as root (Debian): the fix gives the file to kvm, not to root',
      files: {'win10.xml': seed003Domain(), 'qemu.conf': 'user = "root"\ngroup = "root"\n', 'dev-nodes.txt': lsShm('-rw-r--r--', 'root', 'root'), 'groups.txt': VINI, 'os-release.txt': DEBIAN},
      findings: [{id: 'looking-glass-shm', severity: 'error', subject: '/dev/shm/looking-glass', message: /root:root: you \(vini, the client\) cannot read and write it\.$/, fix: /"qemuGroup":"kvm"/}],
    },
    {
      name: '64M and a file no one but root can write: the fix keeps the 64 MiB',
      files: {'win10.xml': sizedDomain("<size unit='M'>64</size>"), 'dev-nodes.txt': lsShm('-rw-r--r--', 'root', 'root', 67108864), 'groups.txt': VINI, 'os-release.txt': DEBIAN},
      findings: [{id: 'looking-glass-shm', severity: 'error', subject: '/dev/shm/looking-glass', message: /you \(vini, the client\) and qemu \(libvirt-qemu/, fix: /"sizeMiB":"64"/}],
    },
    {
      name: '48M is not a power of two: the fix rounds up to 64 MiB',
      files: {'win10.xml': sizedDomain("<size unit='M'>48</size>"), 'dev-nodes.txt': lsShm('-rw-rw----', 'vini', 'kvm'), 'groups.txt': VINI, 'os-release.txt': DEBIAN},
      findings: [{id: 'looking-glass-shm', severity: 'error', subject: '/dev/shm/looking-glass', message: /is 48 MiB: libvirt refuses/, fix: /"sizeMiB":"64"/}],
    },
    {
      name: '512K is a power of two but under 1 MiB: libvirt refuses it',
      files: {'win10.xml': sizedDomain("<size unit='K'>512</size>"), 'dev-nodes.txt': lsShm('-rw-rw----', 'vini', 'kvm'), 'groups.txt': VINI, 'os-release.txt': DEBIAN},
      findings: [{id: 'looking-glass-shm', severity: 'error', subject: '/dev/shm/looking-glass', message: /524288 bytes: libvirt refuses/, fix: /"sizeMiB":"32"/}],
    },
    {
      name: 'already 64M and Looking Glass still says too small, recommending 64: at least double it',
      files: {'win10.xml': sizedDomain("<size unit='M'>64</size>"), 'dev-nodes.txt': lsShm('-rw-rw----', 'vini', 'kvm', 67108864), 'groups.txt': VINI, 'os-release.txt': DEBIAN, 'looking-glass-client.txt': TOO_SMALL_64},
      findings: [{id: 'looking-glass-shm', severity: 'error', subject: '/dev/shm/looking-glass', message: /is 64 MiB and Looking Glass says it is too small.*make it 128 MiB\.$/, evidence: /Recommend increase size to 64 MiB/, fix: /"sizeMiB":"128"/}],
    },
    {
      name: 'kvmfr mapped with 10 MiB: all of it is Looking Glass\'s own overhead',
      files: {'win10.xml': kvmfrDomain(10485760), 'dev-nodes.txt': KVMFR_NODE, 'groups.txt': VINI, 'os-release.txt': DEBIAN},
      findings: [{id: 'looking-glass-shm', severity: 'error', subject: '/dev/kvmfr0', message: /is 10 MiB: Looking Glass needs 10 MiB for itself plus two frames, so no frame fits/, fix: /"sizeMiB":"32"/}],
    },
    {
      name: 'kvmfr: lsmod has no kvmfr and there is no listing of /dev',
      files: {'win10.xml': kvmfrDomain(), 'lsmod.txt': LSMOD, 'os-release.txt': DEBIAN},
      findings: [{id: 'looking-glass-shm', severity: 'error', subject: '/dev/kvmfr0', message: /uses \/dev\/kvmfr0 but the kvmfr module is not loaded\.$/, evidence: /lsmod: kvmfr not loaded/}],
    },
    {
      name: 'kvmfr: /dev/kvmfr0 does not exist',
      files: {'win10.xml': kvmfrDomain(), 'dev-nodes.txt': "ls: cannot access '/dev/kvmfr0': No such file or directory\n", 'lsmod.txt': LSMOD, 'os-release.txt': DEBIAN},
      findings: [{id: 'looking-glass-shm', severity: 'error', subject: '/dev/kvmfr0', message: /^\/dev\/kvmfr0 does not exist: the kvmfr module is not loaded/, evidence: /No such file[\s\S]*lsmod: kvmfr not loaded/}],
    },
    {
      name: 'kvmfr: the device is 0600 root:root (no udev rule)',
      files: {'win10.xml': kvmfrDomain(), 'dev-nodes.txt': 'crw------- 1 root root 242, 0 Oct 29 21:01 /dev/kvmfr0\n', 'groups.txt': VINI, 'os-release.txt': DEBIAN},
      findings: [{id: 'looking-glass-shm', severity: 'error', subject: '/dev/kvmfr0', message: /^\/dev\/kvmfr0 is crw------- root:root: you \(vini, the client\) and qemu \(libvirt-qemu, the Debian GNU\/Linux default\) cannot read and write it\.$/, evidence: /client: vini, groups users wheel libvirtd \(`id` output\)\nqemu: libvirt-qemu, groups libvirt-qemu kvm/}],
    },
    {
      name: 'only a tmpfiles rule, with the placeholder `user` as owner',
      files: {'configuration.nix': tmpfilesNix('f /dev/shm/looking-glass 0660 user qemu-libvirtd -'), 'os-release.txt': NIXOS},
      findings: [{id: 'looking-glass-shm', severity: 'warning', subject: 'configuration.nix line 4', message: /placeholder 'user' as owner/, fix: /"qemuGroup":"qemu-libvirtd"/}],
    },
    {
      name: 'only a tmpfiles rule, for another user than the one running the client',
      files: {'configuration.nix': tmpfilesNix('f /dev/shm/looking-glass 0660 alice qemu-libvirtd -'), 'groups.txt': VINI, 'os-release.txt': NIXOS},
      findings: [{id: 'looking-glass-shm', severity: 'warning', subject: 'configuration.nix line 4', message: /gives \/dev\/shm\/looking-glass to alice, but you are vini: the client cannot open it unless it runs as alice/, evidence: /id: vini/}],
    },
    {
      name: "only the client's log: the versions differ, and it says which",
      files: {'looking-glass-client.txt': VERSION_MISMATCH},
      findings: [{id: 'looking-glass-shm', severity: 'error', subject: 'looking-glass-host', message: /different versions \(the client expects 19, the host has 18\): install/, evidence: /Expected KVMFR version 19, got 18/}],
    },
    {
      name: "only the client's log: the versions differ, without the numbers",
      files: {'looking-glass-client.txt': VERSION_MISMATCH.split('\n')[0]! + '\n'},
      findings: [{id: 'looking-glass-shm', severity: 'error', subject: 'looking-glass-host', message: /different versions: install the host application/}],
    },
    {
      name: "only the client's log: too small for the guest's screen",
      files: {'looking-glass-client.txt': TOO_SMALL_64},
      findings: [{id: 'looking-glass-shm', severity: 'error', subject: '/dev/shm/looking-glass', message: /too small for the guest's resolution: make it 64 MiB\.$/, fix: /"sizeMiB":"64"/}],
    },
    {
      name: "only the client's log: permission denied on the shm file",
      files: {'looking-glass-client.txt': openFailed('/dev/shm/looking-glass')},
      findings: [{id: 'looking-glass-shm', severity: 'error', subject: '/dev/shm/looking-glass', message: /^\/dev\/shm\/looking-glass could not be opened: Permission denied\.$/, evidence: /Failed to open: \/dev\/shm\/looking-glass/}],
    },
    {
      name: "only the client's log: permission denied on /dev/kvmfr0",
      files: {'looking-glass-client.txt': openFailed('/dev/kvmfr0')},
      findings: [{id: 'looking-glass-shm', severity: 'error', subject: '/dev/kvmfr0', message: /^\/dev\/kvmfr0 could not be opened: Permission denied\.$/, fix: /"shmPath":"\/dev\/kvmfr0","shmName":"kvmfr0"/}],
    },
  ],
  unknown: [
    {name: 'no evidence at all', files: {}, reason: /no domain XML/},
    {name: 'only os-release', files: {'os-release.txt': NIXOS}},
    {name: 'kvmfr loaded but no listing of /dev', files: {'win10.xml': kvmfrDomain(), 'lsmod.txt': LSMOD + 'kvmfr                  28672  0\n', 'os-release.txt': DEBIAN}, reason: /ls -l \/dev\/kvmfr0/},
    {name: 'a Looking Glass domain but no listing of /dev/shm', files: {'win10.xml': seed003Domain(), 'os-release.txt': NIXOS}, reason: /ls -l \/dev\/shm\/looking-glass/},
  ],
}, {skip: !hasShared})
