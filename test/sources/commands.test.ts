import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {execaRunner, isAllowedCommand} from '../../src/sources/commands.js'
import {nixEvalArgs} from '../../src/sources/nix-eval.js'
import {collectLive} from '../../src/sources/live/index.js'
import {parseDomainXml} from '../../src/parse/domain-xml.js'
import {FakeRoot} from '../helpers/fake-root.js'
import {fixturesDir} from '../helpers/paths.js'
import {readFileSync} from 'node:fs'
import {hasVirsh} from '../helpers/tools.js'

describe('the command allowlist', () => {
  const allowed: Array<[string, string[]]> = [
    ['dmesg', []],
    ['journalctl', ['-k', '-b', '--no-pager']],
    ['lspci', ['-nnk']],
    ['virsh', ['-c', 'qemu:///system', 'list', '--all', '--name']],
    ['virsh', ['-c', 'qemu:///system', 'dumpxml', '--inactive', 'win10']],
    ['nix-instantiate', nixEvalArgs('/etc/nixos/configuration.nix')],
  ]
  const refused: Array<[string, string[]]> = [
    ['dmesg', ['-C']], // clears the ring buffer
    ['dmesg', ['--clear']],
    ['systemd-detect-virt', []], // its answer comes from files (src/sources/live/virt.ts)
    ['virsh', ['-c', 'qemu:///system', 'start', 'win10']],
    ['virsh', ['-c', 'qemu:///system', 'destroy', 'win10']],
    ['virsh', ['-c', 'qemu:///system', 'define', '/tmp/x.xml']],
    ['virsh', ['-c', 'qemu:///system', 'nodedev-detach', 'pci_0000_01_00_0']],
    ['virsh', ['-c', 'test:///default', 'list --all; destroy test']],
    ['virsh', ['list', '--all', '--name']], // no explicit connection
    ['sh', ['-c', 'rm -rf /']],
    ['modprobe', ['vfio-pci']],
    ['setpci', ['-s', '01:00.0', 'COMMAND=0']],
    ['toString', []], // an Object.prototype name is not a command
    // Nix evaluates only the reviewed expression, read-only, over an absolute .nix path.
    ['nix-instantiate', ['--eval', '--expr', 'builtins.readFile /etc/shadow']],
    ['nix-instantiate', nixEvalArgs('/etc/nixos/configuration.nix').filter((a) => a !== '--readonly-mode')],
    ['nix-instantiate', nixEvalArgs('configuration.nix')],
    ['nix-instantiate', nixEvalArgs('/etc/nixos/configuration.nix\n--expr')],
    ['nix-instantiate', [...nixEvalArgs('/etc/nixos/configuration.nix').slice(0, -1), 'import /etc/nixos/evil.nix']],
    ['nix-instantiate', [...nixEvalArgs('/etc/nixos/configuration.nix'), '--add-root', '/tmp/r']],
    ['nix-instantiate', ['/etc/nixos/configuration.nix']], // instantiating writes .drv files to the store
  ]
  it.each(allowed)('allows %s %j', (cmd, args) => expect(isAllowedCommand(cmd, args)).toBe(true))
  it.each(refused)('refuses %s %j', (cmd, args) => expect(isAllowedCommand(cmd, args)).toBe(false))

  it('refuses before starting anything', async () => {
    const r = await execaRunner(1000)('modprobe', ['vfio-pci'])
    expect(r).toMatchObject({status: 'error', reason: expect.stringContaining('not a read-only command')})
  })

  it('reports a missing program as missing', async () => {
    const r = await execaRunner(1000, {PATH: '/nonexistent'})('lspci', ['-nnk'])
    expect(r.status).toBe('missing')
  })
})

// Real libvirt: the test:/// driver runs in the client, no daemon needed.
describe.runIf(hasVirsh)('libvirt through the real virsh (test:/// driver)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vfio-doctor-virsh-'))
  const node = join(dir, 'node.xml')
  writeFileSync(
    node,
    `<node xmlns:test="http://libvirt.org/schemas/domain/test/1.0">
  <domain type="kvm">
    <name>win10</name>
    <memory unit="GiB">16</memory>
    <vcpu>8</vcpu>
    <os firmware="efi"><type arch="x86_64" machine="q35">hvm</type></os>
    <devices>
      <hostdev mode="subsystem" type="pci" managed="yes">
        <source><address domain="0x0000" bus="0x01" slot="0x00" function="0x0"/></source>
      </hostdev>
      <hostdev mode="subsystem" type="pci" managed="yes">
        <source><address domain="0x0000" bus="0x01" slot="0x00" function="0x1"/></source>
      </hostdev>
    </devices>
    <test:runstate>5</test:runstate>
  </domain>
  <domain type="kvm"><name>linux</name><memory unit="GiB">2</memory><os><type>hvm</type></os></domain>
</node>`,
  )

  it('lists and dumps domains through virsh, hostdevs included', async () => {
    const set = await collectLive({root: new FakeRoot().dir, run: execaRunner(10_000), libvirtUri: `test://${node}`, user: 'root'})
    const list = set.sources.find((s) => s.kind === 'virshList')!
    expect(list.status).toBe('ok')
    const domains = set.sources.filter((s) => s.kind === 'domainXml')
    expect(domains.map((d) => [d.label, d.status])).toEqual([
      ['linux', 'ok'],
      ['win10', 'ok'],
    ])
    const win10 = parseDomainXml(domains.find((d) => d.label === 'win10')!.text!, 'virsh')
    expect(win10.hostdevs.map((h) => h.source)).toEqual([
      {domain: 0, bus: 1, slot: 0, function: 0},
      {domain: 0, bus: 1, slot: 0, function: 1},
    ])
  })

  it('reads the passthrough domain of a fixture back through virsh, hostdevs included', async () => {
    // Seed 003's domain, as the fixture holds it, defined in a test:/// driver file.
    const fixture = readFileSync(join(fixturesDir, 'seed-003-healthy/domain-win10.xml'), 'utf8').replace(/^<\?xml[^>]*>\s*/, '')
    const file = join(dir, 'seed-003.xml')
    writeFileSync(file, `<node>\n${fixture}\n</node>\n`)
    const set = await collectLive({root: new FakeRoot().dir, run: execaRunner(10_000), libvirtUri: `test://${file}`, user: 'root'})
    const xml = set.sources.find((s) => s.kind === 'domainXml' && s.label === 'win10')
    expect(xml?.status).toBe('ok')
    const domain = parseDomainXml(xml!.text!, 'virsh')
    expect(domain.hostdevs.map((h) => h.source)).toEqual(parseDomainXml(fixture, 'fixture').hostdevs.map((h) => h.source))
    expect(domain.hostdevs.length).toBeGreaterThan(0)
  })

  it('makes an unreachable connection a source status, not a crash', async () => {
    const set = await collectLive({root: new FakeRoot().dir, run: execaRunner(10_000), libvirtUri: 'test:///nonexistent/node.xml', user: 'root'})
    const list = set.sources.find((s) => s.kind === 'virshList')!
    expect(list.status).toBe('error')
    expect(list.reason).toMatch(/virsh: /)
  })
})
