/** `vfio-doctor capture` redacts what it writes, unless --no-redact; the capture still reads back. */
import {mkdtempSync, readdirSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import Capture from '../../src/commands/capture.js'
import {FakeRoot} from '../helpers/fake-root.js'
import {repoRoot} from '../helpers/paths.js'
import {runCommand} from '../report/run-command.js'

const seeded = (name: string) => readFileSync(join(repoRoot, 'test/redact/seeded-host', name), 'utf8')

function host(): FakeRoot {
  return new FakeRoot()
    .file('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nalice:x:1000:100:Alice Liddell:/home/alice:/bin/sh\n')
    .file('etc/group', 'root:x:0:\nusers:x:100:\nwheel:x:1:alice\nlibvirtd:x:67:alice\n')
    .file('etc/nixos/configuration.nix', seeded('configuration.nix'))
    .file('proc/cmdline', seeded('cmdline.txt'))
    .file('etc/os-release', seeded('os-release.txt'))
}

function written(dir: string): string {
  return readdirSync(dir)
    .map((f) => `${f}\n${readFileSync(join(dir, f), 'utf8')}`)
    .join('\n')
}

describe('vfio-doctor capture', () => {
  it('redacts by default: names, keys and ids leave as pseudonyms, and it says what it replaced', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'vfio-doctor-capture-')), 'out')
    const r = await runCommand(Capture, ['--root', host().dir, '--quiet', '--timeout', '2', dir], {USER: 'alice', SUDO_USER: undefined})
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^Wrote \d+ files to .*\nRedacted .*user name.*\(--no-redact keeps them\)\.\n$/)
    const all = written(dir)
    for (const secret of ['alice', 'alice-desktop', 'correct horse battery staple', '3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f', 'AAAAC3NzaC1lZDI1NTE5']) expect(all).not.toContain(secret)
    expect(all).toContain('uid=1000(user1)')
    expect(all).toContain('vfio-pci.ids=10de:2684,10de:22ba')
    expect(JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')).redaction).toMatch(/^replaced .*user name/)
  })

  it('--no-redact writes the host as it is, and says so', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'vfio-doctor-capture-')), 'out')
    const r = await runCommand(Capture, ['--root', host().dir, '--quiet', '--timeout', '2', '--no-redact', dir], {USER: 'alice', SUDO_USER: undefined})
    expect(r.stdout).toContain('Not redacted: check the files before you share them.')
    expect(written(dir)).toContain('uid=1000(alice)')
    expect(JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')).redaction).toMatch(/^off: written with --no-redact/)
  })
})
