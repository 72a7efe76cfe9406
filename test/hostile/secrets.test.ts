/**
 * Nothing private leaks: fixtures/secrets-host (seed 003's host, seeded with a host name, user
 * names, MACs, serials, UUIDs, IPs, an SSH key and its fingerprint, a Wi-Fi SSID) through the built
 * CLI in every format, through --share, and a capture of a fake root seeded the same way.
 * Every format can leave the machine (pasted, attached, kept in CI logs), so every one is redacted by
 * default: Markdown, BBCode, HTML (with its topology picture), text, JSON, JUnit, SARIF, GitHub and
 * GitLab annotations, --share and capture. Only text on a terminal is not (the fix names the person's
 * real paths). --no-redact keeps everything.
 */
import {createServer} from 'node:http'
import {chmodSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {Report} from '../../src/report/model.js'
import {FakeRoot} from '../helpers/fake-root.js'
import {fixturesDir} from '../helpers/paths.js'
import {fakeBin, removeTempFolders, runCli, tmp} from './helpers.js'

afterAll(removeTempFolders)

const HOST = join(fixturesDir, 'secrets-host')
const fixture = (name: string) => readFileSync(join(HOST, name), 'utf8')

/** Every private value planted in fixtures/secrets-host, as it is written there. */
const SECRETS = {
  'host name': ['kestrel-ws', 'kestrel'],
  'user names': ['marguerite', 'tobias'],
  MACs: ['70:85:c2:4e:19:a7', 'a4:2b:b0:c1:d2:e3', 'f8:e4:e3:5a:07:11', '52:54:00:3c:9e:71'],
  serials: ['4C530001170622117393', 'M80-C7015700423', 'WD-WX41A19H7KLM'],
  UUIDs: ['d3b07384-d9a0-4c9b-8f1e-2a6c5e7b9f10', '6b1e5c7a-93d2-4f0e-a8b4-2c7d9e1f3a05', '8e1f4c2a-7b3d-4e6f-9a0b-1c2d3e4f5a6b'],
  IPs: ['192.168.178.23', '192.168.178.40', '2a02:8109:b6c0:1e00::4f2a'],
  'SSH key and fingerprint': ['AAAAC3NzaC1lZDI1NTE5AAAAIHq3vWc9Lr2XbT8kPz4nD6fY1sE0aJmQ7uN5oR3tKxVw', 'Qm3xR8yT2vN6pL0kJ4hG7fD1sA9zX5cV3bB8nM2wE6q'],
  'Wi-Fi SSID': ['Vogelnest-5G', 'Vogelnest'],
}
const ALL_SECRETS = Object.values(SECRETS).flat()
/** What the diagnosis needs, which redaction must leave alone. */
const KEPT = ['0000:01:00.0', '10de:1b81', '10de:10f0', '6.6.52', 'intel_iommu=on', 'Win10_22H2_EnglishInternational_x64.iso', 'pc-q35-8.2', 'qemu-libvirtd']

const leaks = (text: string) => ALL_SECRETS.filter((s) => text.toLowerCase().includes(s.toLowerCase()))

describe('fixtures/secrets-host through the CLI', () => {
  // Every format can leave the machine (pasted, attached, kept in CI logs): all are redacted by default.
  // (Text on a terminal is not, so the fix names the person's real paths; tests have no terminal.)
  it.each(['markdown', 'bbcode', 'html', 'text', 'json', 'junit', 'sarif', 'github', 'codequality'])('%s (redacted by default) carries none of the secrets, and keeps ids, addresses, versions, file names', async (format) => {
    for (const args of [[], ['--verbose']]) {
      // Text as wide as it wants: wrapped, a secret cut across two lines would slip past leaks().
      const r = await runCli(['check', '--input', HOST, '--format', format, ...args], {env: {COLUMNS: '100000'}})
      expect(r.code, r.stderr).toBe(1)
      expect(leaks(r.stdout), args.join(' ')).toEqual([])
    }
    const r = await runCli(['check', '--input', HOST, '--format', format])
    // The forum formats carry the raw sources; the others only findings, whose evidence keeps these.
    // GitHub and GitLab carry each finding's message, not its evidence.
    const kept = ['markdown', 'bbcode', 'html'].includes(format) ? KEPT : ['github', 'codequality'].includes(format) ? ['Win10_22H2_EnglishInternational_x64.iso', 'qemu-libvirtd'] : ['0000:01:00.0', 'Win10_22H2_EnglishInternational_x64.iso', 'qemu-libvirtd']
    expect(kept.filter((k) => !r.stdout.includes(k))).toEqual([])
  })

  it('groups --format svg (the picture, redacted by default) carries none of the secrets', async () => {
    const r = await runCli(['groups', '--input', HOST, '--format', 'svg'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('data-address="0000:01:00.0"')
    expect(leaks(r.stdout)).toEqual([])
  })

  it.each(['text', 'markdown', 'json', 'junit', 'sarif', 'github', 'codequality'])('%s with several hosts: each redacted, none of the secrets', async (format) => {
    const r = await runCli(['check', '--input', HOST, '--input', join(fixturesDir, 'seed-000-working'), '--format', format], {env: {COLUMNS: '100000'}})
    expect(r.code, r.stderr).toBe(1)
    expect(r.stdout).toContain('secrets-host')
    expect(leaks(r.stdout)).toEqual([])
  })

  it('the fixture really is seeded: every secret is in its files', () => {
    const all = readdirSync(HOST).map(fixture).join('\n')
    expect(ALL_SECRETS.filter((s) => !all.includes(s))).toEqual([])
  })

  it.each(['markdown', 'bbcode', 'html'])('%s with --no-redact carries every secret of the recognised outputs; the unrecognised NetworkManager log is not shared at all', async (format) => {
    const r = await runCli(['check', '--input', HOST, '--format', format, '--no-redact'])
    const recognised = readdirSync(HOST).filter((f) => f !== 'networkmanager.log').map(fixture).join('\n')
    expect(ALL_SECRETS.filter((s) => recognised.includes(s) && !r.stdout.includes(s))).toEqual([])
    expect(r.stdout).not.toContain('networkmanager.log · log')
  })

  it.each(['text', 'json', 'junit'])('%s with --no-redact shows the names its findings quote', async (format) => {
    const r = await runCli(['check', '--input', HOST, '--format', format, '--no-redact'])
    expect(leaks(r.stdout)).toContain('marguerite')
  })

  describe('--share uploads the redacted Markdown and nothing else', () => {
    const bodies: string[] = []
    let url = ''
    const server = createServer((req, res) => {
      let body = ''
      req.on('data', (c: Buffer) => (body += c.toString()))
      req.on('end', () => {
        bodies.push(body)
        res.end('https://paste.example.invalid/abc\n')
      })
    })
    beforeAll(async () => {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      const address = server.address()
      url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`
    })
    afterAll(() => server.close())

    it('the uploaded body leaks nothing; what is printed leaks nothing either in markdown', async () => {
      const r = await runCli(['check', '--input', HOST, '--format', 'markdown', '--share', '--yes', '--share-url', url])
      expect(r.stderr).not.toMatch(/\n\s+at /)
      expect(bodies).toHaveLength(1)
      expect(bodies[0]!.length).toBeGreaterThan(1000)
      expect(leaks(bodies[0]!)).toEqual([])
      expect(leaks(r.stdout)).toEqual([])
    })
  })
})

/** The same host as a live root: its files where a live run reads them. */
function seededRoot(): FakeRoot {
  const root = new FakeRoot()
    .file('proc/cmdline', fixture('cmdline.txt'))
    .file('proc/cpuinfo', 'processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Core(TM) i7-9700K CPU @ 3.60GHz\nflags\t\t: fpu vmx sse2\n')
    .file('proc/version', 'Linux version 6.6.52 (nixbld@localhost) #1-NixOS SMP PREEMPT_DYNAMIC Wed Sep 18 17:24:10 UTC 2024\n')
    .file('etc/os-release', fixture('os-release.txt'))
    .file('etc/passwd', 'root:x:0:0::/root:/bin/sh\nmarguerite:x:1000:100::/home/marguerite:/bin/sh\ntobias:x:1001:100::/home/tobias:/bin/sh\nqemu-libvirtd:x:301:301::/var/empty:/bin/false\n')
    .file('etc/group', 'root:x:0:\nusers:x:100:\nwheel:x:1:marguerite\nlibvirtd:x:67:marguerite,tobias\nkvm:x:302:marguerite\n')
    .file('etc/nixos/configuration.nix', fixture('configuration.nix'))
    .file('etc/libvirt/qemu/win10.xml', fixture('domain-win10.xml'))
    .file('var/log/libvirt/qemu/win10.log', fixture('qemu-win10.log'))
    .file('home/marguerite/Downloads/Win10_22H2_EnglishInternational_x64.iso', 'iso', 0o644)
    .pciDevice('0000:00:02.0', {vendor: '8086', device: '3e92', class: '030000', driver: 'i915', group: 2, bootVga: true})
    .pciDevice('0000:01:00.0', {vendor: '10de', device: '1b81', class: '030000', driver: 'vfio-pci', group: 1, bootVga: false})
    .pciDevice('0000:01:00.1', {vendor: '10de', device: '10f0', class: '040300', driver: 'vfio-pci', group: 1})
    .file('nix/store/w7r0d9bsm1fq5a2cv8k3n6h4p0x2z1yl-nixos-system-kestrel-ws-24.05.20240920.4f807e8/kernel-params', 'intel_iommu=on iommu=pt vfio-pci.ids=10de:1b81,10de:10f0 loglevel=4')
    .link('run/current-system', '/nix/store/w7r0d9bsm1fq5a2cv8k3n6h4p0x2z1yl-nixos-system-kestrel-ws-24.05.20240920.4f807e8')
    .link('run/booted-system', '/nix/store/w7r0d9bsm1fq5a2cv8k3n6h4p0x2z1yl-nixos-system-kestrel-ws-24.05.20240920.4f807e8')
  chmodSync(root.dir, 0o755) // a temp folder is 0700; a real / is not
  chmodSync(join(root.dir, 'home/marguerite'), 0o700)
  return root
}

describe('capture of a seeded live host', () => {
  // No virsh: the domains come from /etc/libvirt/qemu, whatever this machine runs.
  const env = {PATH: fakeBin({})}
  const files = (dir: string) => readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')] as const)
  const secretsSeeded = ['kestrel-ws', 'marguerite', '52:54:00:3c:9e:71', 'M80-C7015700423', 'WD-WX41A19H7KLM', 'd3b07384-d9a0-4c9b-8f1e-2a6c5e7b9f10', '6b1e5c7a-93d2-4f0e-a8b4-2c7d9e1f3a05', 'AAAAC3NzaC1lZDI1NTE5AAAAIHq3vWc9Lr2XbT8kPz4nD6fY1sE0aJmQ7uN5oR3tKxVw']

  it('redacted by default: no file of the capture carries a secret; --no-redact keeps them all', async () => {
    const root = seededRoot()
    const redacted = join(tmp('cap'), 'capture')
    const plain = join(tmp('cap'), 'capture')
    expect((await runCli(['capture', redacted, '--root', root.dir, '--quiet'], {env})).code).toBe(0)
    expect((await runCli(['capture', plain, '--root', root.dir, '--quiet', '--no-redact'], {env})).code).toBe(0)
    expect(files(redacted).flatMap(([f, text]) => leaks(text).map((s) => `${f}: ${s}`))).toEqual([])
    const everything = files(plain).map(([, text]) => text).join('\n')
    expect(secretsSeeded.filter((s) => !everything.includes(s))).toEqual([])
  })

  it('the redacted capture still gives the live run its findings', async () => {
    const root = seededRoot()
    const dir = join(tmp('cap'), 'capture')
    await runCli(['capture', dir, '--root', root.dir, '--quiet'], {env})
    const live = JSON.parse((await runCli(['check', '--root', root.dir, '--format', 'json', '--quiet'], {env})).stdout) as Report
    const replay = JSON.parse((await runCli(['check', '--input', dir, '--format', 'json'])).stdout) as Report
    const verdicts = (r: Report) => r.findings.map((f) => `${f.severity} ${f.id}`).sort()
    expect(verdicts(replay)).toEqual(verdicts(live))
    expect(verdicts(live)).toContain('error iso-permissions')
    const markdown = (await runCli(['check', '--input', dir, '--format', 'markdown', '--no-redact'])).stdout
    expect(leaks(markdown)).toEqual([])
  })
})
