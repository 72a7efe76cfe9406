/**
 * checks/lib/looking-glass.ts: the kvmfr memory a domain sets up with <qemu:commandline> (QEMU's JSON
 * form and the legacy one, as the Looking Glass kvmfr documentation gives them) and its size, and the
 * systemd.tmpfiles.rules that create the /dev/shm file on NixOS.
 */
import {describe, expect, it} from 'vitest'
import {lookingGlassMemories, shmTmpfilesRules} from '../../checks/lib/looking-glass.js'
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
