import {spawnSync} from 'node:child_process'
import check from '../../checks/libvirt-access.js'
import {testCheck, type CheckCase, type InvalidCase} from '../helpers/check-tester.js'
import {hasShared} from '../helpers/paths.js'
import {hasVirsh} from '../helpers/tools.js'
import {DEBIAN_RELEASE, NIXOS_RELEASE, domains, seed000Nix} from './libvirt-data.js'

// virsh's own words when the daemon is down, and when polkit has nobody to ask.
const SOCKET_MISSING = "error: failed to connect to the hypervisor\nerror: Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory\n"
const VIRTQEMUD_MISSING = "error: failed to connect to the hypervisor\nerror: Failed to connect socket to '/var/run/libvirt/virtqemud-sock': No such file or directory\n"
const POLKIT = "error: failed to connect to the hypervisor\nerror: authentication unavailable: no polkit agent available to authenticate action 'org.libvirt.unix.manage'\n"
const EMPTY_TABLE = ' Id   Name   State\n--------------------\n\n'
const VIOLET_IN_GROUPS = 'uid=1000(violet) gid=100(users) groups=100(users),1(wheel),67(libvirtd),993(kvm)\n'
const VIOLET_NO_GROUP = 'uid=1000(violet) gid=100(users) groups=100(users),1(wheel)\n'

/** The real virsh: its test:/// driver's table, and its own error where no system daemon runs. */
function virsh(...args: string[]): {status: number | null; stdout: string; stderr: string} | undefined {
  return hasVirsh ? spawnSync('virsh', args, {encoding: 'utf8', timeout: 20_000}) : undefined
}
const testDriverTable = virsh('-c', 'test:///default', 'list', '--all')
const realValid: CheckCase[] = testDriverTable?.status === 0 ? [{name: 'real `virsh -c test:///default list --all` output', files: {'virsh-list.txt': testDriverTable.stdout}}] : []
const noDaemon = virsh('-c', 'qemu:///system', 'list', '--all', '--name')
const realInvalid: InvalidCase[] =
  noDaemon && /Failed to connect socket to '[^']*libvirt-sock': No such file or directory/.test(noDaemon.stderr)
    ? [{name: 'real virsh error on a host without the system daemon', files: {'virsh-error.txt': noDaemon.stderr}, findings: [{id: 'libvirt-access', severity: 'error', message: /not running/}]}]
    : []

testCheck(check, {
  valid: [
    {name: 'NixOS user in libvirtd (seed 000 groups)', files: {'os-release': NIXOS_RELEASE, 'groups.txt': VIOLET_IN_GROUPS}, passes: [/^violet is in the libvirtd group$/]},
    {name: 'in the group, and virsh lists a domain: two pass lines', files: {'os-release': NIXOS_RELEASE, 'groups.txt': VIOLET_IN_GROUPS, 'virsh-list.txt': 'win10\n'}, passes: [/^violet is in the libvirtd group$/, /^virsh lists 1 domain\(s\)$/]},
    {name: 'Debian user in libvirt', files: {'os-release': DEBIAN_RELEASE, 'id.txt': 'uid=1000(ana) gid=1000(ana) groups=1000(ana),27(sudo),118(libvirt)\n'}},
    {name: 'virsh lists the domain', files: {'virsh-list.txt': 'win10\n', 'win10.xml': domains.xkevinWin10}},
    {name: 'virsh list --all table with the domain', files: {'virsh-list.txt': ' Id   Name    State\n------------------------\n -    win10   shut off\n', 'win10.xml': domains.xkevinWin10}},
    {name: 'root runs the tool', files: {'groups.txt': 'uid=0(root) gid=0(root) groups=0(root)\n'}, skipped: /^no virsh list output/},
    ...realValid,
  ],
  invalid: [
    ...realInvalid,
    {
      name: 'libvirtd not running: its socket is missing',
      files: {'virsh-error.txt': SOCKET_MISSING},
      findings: [{id: 'libvirt-access', severity: 'error', message: /not running/, evidence: /libvirt-sock/, fix: /"daemon":"libvirtd"/}],
    },
    {
      name: 'modular daemon: virtqemud socket missing',
      files: {'virsh-error.txt': VIRTQEMUD_MISSING},
      findings: [{id: 'libvirt-access', severity: 'error', fix: /"daemon":"virtqemud"/}],
    },
    {
      name: 'polkit has no agent and the user is not in the libvirt group',
      files: {'os-release': DEBIAN_RELEASE, 'libvirt-error.txt': POLKIT, 'groups.txt': 'uid=1000(ana) gid=1000(ana) groups=1000(ana),27(sudo)\n'},
      findings: [{id: 'libvirt-access', severity: 'error', message: /ana is not in the libvirt group/, fix: /"group":"libvirt","user":"ana"/}],
    },
    {
      name: 'the per-user daemon\'s socket: virsh asked qemu:///session',
      files: {'virsh-error.txt': "error: failed to connect to the hypervisor\nerror: Failed to connect socket to '/run/user/1000/libvirt/libvirt-sock': No such file or directory\n"},
      findings: [{id: 'libvirt-access', severity: 'error', message: /^The per-user libvirt daemon could not be reached at \/run\/user\/1000\/libvirt\/libvirt-sock: this is the qemu:\/\/\/session connection/, evidence: /^virsh-error\.txt line 2: error: Failed to connect socket/, fix: /"group":"libvirt","user":"YOUR_USER","daemon":"libvirtd"/}],
    },
    {
      name: 'polkit refuses although id shows the group: the login predates it',
      files: {'os-release': NIXOS_RELEASE, 'libvirt-error.txt': POLKIT, 'groups.txt': VIOLET_IN_GROUPS},
      findings: [{id: 'libvirt-access', severity: 'error', message: /^You may not use the system libvirt daemon, although violet is in libvirtd: a new group only applies from the next login/, evidence: /\nid: violet is in users, wheel, libvirtd, kvm$/}],
    },
    {
      name: 'polkit refuses and no `id` output',
      files: {'os-release': DEBIAN_RELEASE, 'libvirt-error.txt': POLKIT},
      findings: [{id: 'libvirt-access', severity: 'error', message: /^You may not use the system libvirt daemon: add yourself to the libvirt group\.$/}],
    },
    {
      name: 'live: virsh list failed with an authentication error',
      mode: 'live',
      files: {'os-release': NIXOS_RELEASE},
      unreadable: [{kind: 'virshList', origin: 'virsh -c qemu:///system list --all --name', status: 'error', reason: 'virsh: error: failed to connect to the hypervisor\nerror: authentication unavailable'}],
      findings: [{id: 'libvirt-access', severity: 'error', message: /\): you may not use the daemon\.$/, evidence: /^virsh list: virsh: error: failed to connect/}],
    },
    {
      name: 'live: virsh list refused at the socket',
      mode: 'live',
      files: {'os-release': NIXOS_RELEASE},
      unreadable: [{kind: 'virshList', origin: 'virsh -c qemu:///system list --all --name', status: 'error', reason: "virsh: error: Failed to connect socket to '/var/run/libvirt/libvirt-sock': Connection refused"}],
      findings: [{id: 'libvirt-access', severity: 'error', message: /\): the daemon is not running\.$/}],
    },
    {
      name: 'live: no daemon socket, so virsh was not started',
      mode: 'live',
      files: {'os-release': NIXOS_RELEASE},
      unreadable: [{kind: 'virshList', origin: 'virsh -c qemu:///system list --all --name', status: 'error', reason: 'no libvirt daemon listens for qemu:///system: neither /run/libvirt/virtqemud-sock nor /run/libvirt/libvirt-sock exists, so virsh was not started'}],
      findings: [
        {
          id: 'libvirt-access',
          severity: 'error',
          message: /^The libvirt daemon is not running: \/run\/libvirt\/virtqemud-sock and \/run\/libvirt\/libvirt-sock, the sockets virsh connects to for qemu:\/\/\/system, do not exist\.$/,
          evidence: /^virsh list: no libvirt daemon listens for qemu:\/\/\/system: neither/,
        },
      ],
    },
    {
      name: 'live: virsh did not answer',
      mode: 'live',
      files: {'os-release': NIXOS_RELEASE},
      unreadable: [{kind: 'virshList', origin: 'virsh -c qemu:///system list --all --name', status: 'error', reason: 'virsh did not answer within 10 s'}],
      findings: [{id: 'libvirt-access', severity: 'error', message: /^virsh could not list the VMs \(virsh did not answer within 10 s\): the daemon is not running, you may not use it, or the connection URI is wrong\.$/}],
    },
    {
      name: 'NixOS user without libvirtd and no error yet',
      files: {'os-release': NIXOS_RELEASE, 'groups.txt': VIOLET_NO_GROUP},
      findings: [{id: 'libvirt-access', severity: 'warning', message: /^violet is not in the libvirtd group: virt-manager asks for the root password/, evidence: /^id: violet is in users, wheel$/, fix: /"group":"libvirtd"/}],
    },
    {
      name: 'seed 000 configuration adds libvirtd, the session does not have it yet',
      files: {'os-release': NIXOS_RELEASE, 'configuration.nix': seed000Nix, 'groups.txt': VIOLET_NO_GROUP},
      findings: [{id: 'libvirt-access', severity: 'warning', message: /log out and in/, evidence: /configuration\.nix:\d+: users\.users\.violet\.extraGroups includes "libvirtd"/}],
    },
    {
      name: 'an empty virsh list beside a defined domain: the wrong connection',
      files: {'virsh-list.txt': EMPTY_TABLE, 'win10.xml': domains.xkevinWin10},
      findings: [{id: 'libvirt-access', severity: 'warning', message: /qemu:\/\/\/session/, evidence: /domain win10/}],
    },
    {
      name: 'virsh lists nothing at all',
      files: {'virsh-list.txt': EMPTY_TABLE},
      findings: [{id: 'libvirt-access', severity: 'info', message: /has no domains/}],
    },
    {
      name: 'live: virsh -c qemu:///system list failed',
      mode: 'live',
      files: {'groups.txt': VIOLET_NO_GROUP, 'os-release': NIXOS_RELEASE},
      unreadable: [{kind: 'virshList', origin: 'virsh -c qemu:///system list --all --name', status: 'error', reason: 'virsh: error: failed to connect to the hypervisor'}],
      findings: [{id: 'libvirt-access', severity: 'error', message: /failed to connect to the hypervisor\): violet is not in the libvirtd group, or the daemon is not running/}],
    },
  ],
  unknown: [
    {name: 'only a domain XML', files: {'win10.xml': domains.xkevinWin10}, reason: /no virsh list output/},
    {name: 'a log without libvirt errors', files: {'qemu-win10.log': '2024-01-01 12:00:00.000+0000: starting up libvirt version: 10.0.0\n'}},
  ],
}, {skip: !hasShared})
