/**
 * checks/lib/looking-glass.ts: the kvmfr memory a domain sets up with <qemu:commandline> (QEMU's JSON
 * form and the legacy one, as the Looking Glass kvmfr documentation gives them) and its size, and the
 * systemd.tmpfiles.rules that create the /dev/shm file on NixOS.
 */
import {describe, expect, it} from 'vitest'
import {canReadWrite, lookingGlassMemories, nodeAt, ruleEvidence, shmTmpfilesRules} from '../../checks/lib/looking-glass.js'
import {assembleFacts} from '../../src/facts/assemble.js'
import {sourceSetFromFiles} from '../helpers/check-tester.js'

const domainWith = (...args: string[]) => {
  const xml = `<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'><name>win10</name><devices/><qemu:commandline>${args.map((a) => `<qemu:arg value='${a}'/>`).join('')}</qemu:commandline></domain>\n`
  return assembleFacts(sourceSetFromFiles({'win10.xml': xml}), {}).domains![0]!
}
const kvmfr = (...args: string[]) => lookingGlassMemories(domainWith(...args)).map((m) => [m.kind, m.path, m.sizeBytes])
const MIB = 1024 * 1024

describe('kvmfr memories', () => {
  it("QEMU's JSON form: mem-path and the size in bytes", () => {
    expect(kvmfr('-object', '{"qom-type":"memory-backend-file","id":"looking-glass","mem-path":"/dev/kvmfr0","size":33554432,"share":true}')).toEqual([['kvmfr', '/dev/kvmfr0', 32 * MIB]])
  })
  it('the legacy form: size with a K, M or G suffix in powers of 1024, any case, or plain bytes', () => {
    const legacy = (size: string) => kvmfr('-object', `memory-backend-file,id=looking-glass,mem-path=/dev/kvmfr1,size=${size},share=yes`)[0]
    expect(legacy('32M')).toEqual(['kvmfr', '/dev/kvmfr1', 32 * MIB])
    expect(legacy('128m')).toEqual(['kvmfr', '/dev/kvmfr1', 128 * MIB])
    expect(legacy('1G')).toEqual(['kvmfr', '/dev/kvmfr1', 1024 * MIB])
    expect(legacy('65536K')).toEqual(['kvmfr', '/dev/kvmfr1', 64 * MIB])
    expect(legacy('33554432')).toEqual(['kvmfr', '/dev/kvmfr1', 32 * MIB])
    expect(legacy('32MB')).toEqual(['kvmfr', '/dev/kvmfr1', 32 * MIB])
  })
  it('a size it cannot read is left unknown, not guessed', () => {
    expect(kvmfr('-object', 'memory-backend-file,id=lg,mem-path=/dev/kvmfr0,size=32X,share=yes')).toEqual([['kvmfr', '/dev/kvmfr0', undefined]])
    expect(kvmfr('-object', 'memory-backend-file,id=lg,mem-path=/dev/kvmfr0,share=yes')).toEqual([['kvmfr', '/dev/kvmfr0', undefined]])
  })
  it('a mem-path that is not a kvmfr device node is not kvmfr memory', () => {
    expect(kvmfr('-object', 'memory-backend-file,id=lg,mem-path=/dev/kvmfr0.bak,size=32M')).toEqual([])
    expect(kvmfr('-object', 'memory-backend-file,id=lg,mem-path=/dev/shm/kvmfr0,size=32M')).toEqual([])
  })
})

describe('shmTmpfilesRules', () => {
  const rules = (nix: string) => shmTmpfilesRules(assembleFacts(sourceSetFromFiles({'configuration.nix': nix}), {})).map((r) => [r.type, r.path, r.mode, r.user, r.group])
  it('reads type, path, mode, user and group of the rules under /dev/shm only; "-" is a default, not a value', () => {
    const nix = '{ ... }: {\n  systemd.tmpfiles.rules = [\n    "f /dev/shm/looking-glass 0660 alice qemu-libvirtd -"\n    "f /dev/shm/scream 0660 - - -"\n    "d /var/lib/libvirt/images 0755 root root -"\n  ];\n}\n'
    expect(rules(nix)).toEqual([
      ['f', '/dev/shm/looking-glass', '0660', 'alice', 'qemu-libvirtd'],
      ['f', '/dev/shm/scream', '0660', undefined, undefined],
    ])
  })
})

describe('lookingGlassMemories: the domain text a finding quotes', () => {
  it('a shmem with its model and size, and one without a <size> (libvirt then gives 4 MiB)', () => {
    const xml = "<domain type='kvm'><name>win10</name><devices><shmem name='looking-glass'><model type='ivshmem-plain'/><size unit='M'>32</size></shmem><shmem name='looking-glass-2'/></devices></domain>\n"
    const memories = lookingGlassMemories(assembleFacts(sourceSetFromFiles({'win10.xml': xml}), {}).domains![0]!)
    expect(memories.map((m) => [m.path, m.sizeBytes, m.element])).toEqual([
      ['/dev/shm/looking-glass', 32 * MIB, "<shmem name='looking-glass'> <model type='ivshmem-plain'/> <size> 32 MiB"],
      ['/dev/shm/looking-glass-2', undefined, "<shmem name='looking-glass-2'> (no <size>)"],
    ])
  })
  it('a kvmfr memory quotes its <qemu:arg>', () => {
    const arg = 'memory-backend-file,id=looking-glass,mem-path=/dev/kvmfr0,size=32M,share=yes'
    expect(lookingGlassMemories(domainWith('-object', arg)).map((m) => m.element)).toEqual([`<qemu:arg value='${arg}'/>`])
  })
})

describe('nodeAt: one file from the listings', () => {
  const KEYBOARD = '/dev/input/by-id/usb-Logitech_Gaming_Keyboard_G213_167C305A3330-event-kbd'
  const facts = assembleFacts(
    sourceSetFromFiles({
      'namei-kbd.txt': `f: ${KEYBOARD}\ndrwxr-xr-x root root /\ndrwxr-xr-x root root dev\ndrwxr-xr-x root root input\ndrwxr-xr-x root root by-id\nlrwxrwxrwx root root ${KEYBOARD.split('/').at(-1)} -> ../event3\ndrwxr-xr-x root root   ..\ncrw-rw---- root input  event3\n`,
      'namei-shm.txt': 'f: /dev/shm/looking-glass\ndrwxr-xr-x root root /\ndrwxr-xr-x root root dev\ndrwxrwxrwt root root shm\n-rw-rw---- vini kvm looking-glass\n',
      'ls.txt': "ls: cannot access '/dev/shm/lg2': No such file or directory\n-rw-rw---- 1 vini kvm 33554432 Oct 29 21:01 /dev/shm/lg3\n",
      'dev-nodes.txt': "crw-rw---- 1 vini kvm 242, 0 Oct 29 21:01 /dev/kvmfr0\nls: cannot access '/dev/kvmfr1': No such file or directory\n",
    }),
    {},
  )
  it('a namei walk through a symlink gives the node it reaches, and says so', () => {
    expect(nodeAt(facts, KEYBOARD)).toEqual({path: KEYBOARD, exists: true, mode: 'crw-rw----', owner: 'root', group: 'input', evidence: `permissions: crw-rw---- root input /dev/input/event3 (${KEYBOARD} -> /dev/input/event3)`})
  })
  it('a directory on the way is not the file', () => {
    expect(nodeAt(facts, '/dev/input/by-id')).toBeUndefined()
    expect(nodeAt(facts, '/dev/shm/none')).toBeUndefined()
  })
  it('a plain namei walk, an ls -l line with its size, a missing file', () => {
    expect(nodeAt(facts, '/dev/shm/looking-glass')).toEqual({path: '/dev/shm/looking-glass', exists: true, mode: '-rw-rw----', owner: 'vini', group: 'kvm', evidence: 'permissions: -rw-rw---- vini kvm /dev/shm/looking-glass'})
    expect(nodeAt(facts, '/dev/shm/lg3')).toMatchObject({size: 33554432, evidence: 'permissions: -rw-rw---- vini kvm 33554432 /dev/shm/lg3'})
    expect(nodeAt(facts, '/dev/shm/lg2')).toEqual({path: '/dev/shm/lg2', exists: false, evidence: 'permissions: /dev/shm/lg2: No such file or directory'})
  })
  it('dev-nodes.txt: a device node, and one that is not there', () => {
    expect(nodeAt(facts, '/dev/kvmfr0')?.evidence).toBe('dev-nodes: crw-rw---- vini kvm /dev/kvmfr0')
    expect(nodeAt(facts, '/dev/kvmfr1')?.evidence).toBe('dev-nodes: /dev/kvmfr1: No such file or directory')
  })
})

describe('canReadWrite', () => {
  const node = (mode: string, owner = 'root', group = 'kvm') => ({path: '/dev/shm/looking-glass', exists: true, mode, owner, group})
  const vini = {name: 'vini', groups: ['users', 'kvm']}
  it('owner, group and other bits, in that order', () => {
    expect(canReadWrite(node('-rw-------', 'vini'), vini)).toBe(true)
    expect(canReadWrite(node('-r--rw-rw-', 'vini'), vini)).toBe(false)
    expect(canReadWrite(node('-rw-rw----'), vini)).toBe(true)
    expect(canReadWrite(node('-rw-r--rw-'), vini)).toBe(false)
    expect(canReadWrite(node('-rw----rw-', 'root', 'root'), vini)).toBe(true)
  })
  it('an ACL (+) may decide either way; root always can', () => {
    expect(canReadWrite(node('-rw-------+'), vini)).toBeUndefined()
    expect(canReadWrite(node('-rw-------', 'vini', 'vini'), {name: 'root', groups: []})).toBe(true)
  })
})

describe('shmTmpfilesRules: interpolated fields', () => {
  it('a field the Nix parser resolved is read; one it could not (${...}) is unknown; runs of spaces are one separator', () => {
    const nix = '{ config, ... }: let u = "vini"; in {\n  systemd.tmpfiles.rules = [\n    "f /dev/shm/looking-glass 0660 ${u} qemu-libvirtd -"\n    "f  /dev/shm/scream  0660  ${config.users.users.x.name}  kvm -"\n  ];\n}\n'
    const rules = shmTmpfilesRules(assembleFacts(sourceSetFromFiles({'configuration.nix': nix}), {}))
    expect(rules.map((r) => [r.type, r.path, r.mode, r.user, r.group, ruleEvidence(r)])).toEqual([
      ['f', '/dev/shm/looking-glass', '0660', 'vini', 'qemu-libvirtd', 'configuration.nix line 3: "f /dev/shm/looking-glass 0660 ${u} qemu-libvirtd -"'],
      ['f', '/dev/shm/scream', '0660', undefined, 'kvm', 'configuration.nix line 4: "f  /dev/shm/scream  0660  ${config.users.users.x.name}  kvm -"'],
    ])
  })
})
