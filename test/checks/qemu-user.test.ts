/**
 * checks/lib/libvirt.ts qemuUser: the account qemu runs as under qemu:///system, which decides whether
 * it can read an ISO or open Looking Glass's shared memory. qemu.conf wins where the evidence has it;
 * else NixOS's configuration; else the distribution's packaging default (by os-release ID).
 */
import {describe, expect, it} from 'vitest'
import {qemuUser} from '../../checks/lib/libvirt.js'
import {assembleFacts} from '../../src/facts/assemble.js'
import {sourceSetFromFiles, type EvidenceFiles} from '../helpers/check-tester.js'

const user = (files: EvidenceFiles) => qemuUser(assembleFacts(sourceSetFromFiles(files), {}))
const os = (id: string, name: string) => `NAME="${name}"\nID=${id}\n`

describe('qemuUser: the distribution default', () => {
  it.each([
    ['debian', 'Debian GNU/Linux', 'libvirt-qemu', 'libvirt-qemu'],
    ['ubuntu', 'Ubuntu', 'libvirt-qemu', 'kvm'],
    ['arch', 'Arch Linux', 'libvirt-qemu', 'libvirt-qemu'],
    ['fedora', 'Fedora Linux', 'qemu', 'qemu'],
    ['opensuse-slowroll', 'openSUSE Slowroll', 'qemu', 'qemu'],
  ])('%s: %s', (id, name, account, group) => {
    expect(user({'os-release.txt': os(id, name)})).toEqual({name: account, group, how: `the ${name} default`, certain: true})
  })
  it('an unknown distribution, or none, gives no account', () => {
    expect(user({'os-release.txt': os('void', 'Void')})).toBeUndefined()
    expect(user({'cmdline.txt': 'quiet\n'})).toBeUndefined()
  })
})

describe('qemuUser: qemu.conf', () => {
  const debian = os('debian', 'Debian GNU/Linux')
  it('a numeric user and a group: both as set, with the line that sets the user', () => {
    expect(user({'os-release.txt': debian, 'qemu.conf': 'user = "+1000"\ngroup = "kvm"\n'})).toMatchObject({name: '1000', uid: '1000', group: 'kvm', how: expect.stringMatching(/line 1: user = "\+1000"$/), certain: true})
  })
  it('uid 0 is root', () => {
    expect(user({'os-release.txt': debian, 'qemu.conf': 'user = "+0"\n'})).toMatchObject({name: 'root', uid: '0'})
  })
  it('a user without a group: the group is not known (libvirt\'s build default), not the distribution\'s', () => {
    const u = user({'os-release.txt': debian, 'qemu.conf': 'user = "alice"\n'})
    expect(u).toMatchObject({name: 'alice', certain: true})
    expect(u?.group).toBeUndefined()
  })
  it("a group alone keeps the distribution's user", () => {
    expect(user({'os-release.txt': os('ubuntu', 'Ubuntu'), 'qemu.conf': 'group = "libvirt"\n'})).toMatchObject({name: 'libvirt-qemu', group: 'libvirt'})
  })
  it('dynamic_ownership = 0 turns ownership off; = 1 does not', () => {
    expect(user({'os-release.txt': debian, 'qemu.conf': 'dynamic_ownership = 0\n'})).toMatchObject({name: 'libvirt-qemu', ownershipOff: true})
    expect(user({'os-release.txt': debian, 'qemu.conf': 'dynamic_ownership = 1\n'})?.ownershipOff).toBeUndefined()
  })
})

describe('qemuUser: NixOS', () => {
  const nixos = os('nixos', 'NixOS')
  it('runAsRoot = false: qemu-libvirtd', () => {
    expect(user({'os-release.txt': nixos, 'configuration.nix': '{ ... }: { virtualisation.libvirtd.enable = true; virtualisation.libvirtd.qemu.runAsRoot = false; }\n'})).toMatchObject({name: 'qemu-libvirtd', group: 'qemu-libvirtd', certain: true})
  })
  it('libvirtd configured, runAsRoot left at its default: root', () => {
    expect(user({'os-release.txt': nixos, 'configuration.nix': '{ ... }: { virtualisation.libvirtd.enable = true; }\n'})).toMatchObject({name: 'root', group: 'root', how: expect.stringMatching(/defaults to true/), certain: true})
  })
  it('no configuration given: a guess, and said to be one', () => {
    expect(user({'os-release.txt': nixos})).toMatchObject({name: 'qemu-libvirtd', certain: false})
  })
  it("verbatimConfig's user = the uid of a declared user: that user, by name", () => {
    const config = "{ config, ... }: {\n  users.users.alice = { isNormalUser = true; uid = 1000; };\n  virtualisation.libvirtd.enable = true;\n  virtualisation.libvirtd.qemu.verbatimConfig = ''\n    user = \"+1000\"\n  '';\n}\n"
    expect(user({'os-release.txt': nixos, 'configuration.nix': config})).toMatchObject({name: 'alice', uid: '1000', certain: true})
  })
  const verbatim = (body: string, extra = '') =>
    `{ config, ... }:\nlet\n  user = "my-user";\nin {\n${extra}  virtualisation.libvirtd.enable = true;\n  virtualisation.libvirtd.qemu.verbatimConfig = ''\n${body}  '';\n}\n`
  it('verbatimConfig with a user by name, a group and dynamic_ownership = 0: all three, and the line the user is on', () => {
    expect(user({'os-release.txt': nixos, 'configuration.nix': verbatim('    user = "alice"\n    group = "kvm"\n    dynamic_ownership = 0\n')})).toEqual({
      name: 'alice',
      group: 'kvm',
      how: 'configuration.nix line 7: virtualisation.libvirtd.qemu.verbatimConfig sets user = "alice"',
      certain: true,
      ownershipOff: true,
    })
  })
  it("seed 001's user = \"+${builtins.toString config.users.users.${user}.uid}\": the let binding's user and the uid it declares", () => {
    const config = verbatim('    namespaces = []\n    user = "+${builtins.toString config.users.users.${user}.uid}"\n', '  users.users.${user} = { isNormalUser = true; uid = 1000; };\n')
    expect(user({'os-release.txt': nixos, 'configuration.nix': config})).toEqual({
      name: 'my-user',
      uid: '1000',
      how: 'configuration.nix line 9: virtualisation.libvirtd.qemu.verbatimConfig sets user = "+${builtins.toString config.users.users.${user}.uid}" (uid 1000, my-user)',
      certain: true,
    })
  })
  it('the uid of a user the configuration names but does not declare: the name, uid unknown', () => {
    expect(user({'os-release.txt': nixos, 'configuration.nix': verbatim('    user = "+${builtins.toString config.users.users.bob.uid}"\n')})).toEqual({name: 'bob', how: expect.stringMatching(/^configuration\.nix line 7: /), certain: true})
  })
  it('a user = the configuration cannot resolve: unknown, not the runAsRoot default', () => {
    expect(user({'os-release.txt': nixos, 'configuration.nix': verbatim('    user = "${config.services.foo.user}"\n')})).toBeUndefined()
  })
  it("a group alone in verbatimConfig keeps runAsRoot's user", () => {
    expect(user({'os-release.txt': nixos, 'configuration.nix': verbatim('    group = "+36"\n')})).toEqual({name: 'root', group: '36', how: 'configuration.nix line 7: virtualisation.libvirtd.qemu.verbatimConfig', certain: true})
  })
})
