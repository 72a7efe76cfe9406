/**
 * Redaction over real public logs (../shared/corpus): what the diagnosis needs survives untouched in
 * every file, and the names each file gives away are replaced.
 */
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {redactorFor} from '../../src/redact/index.js'
import type {SourceKind} from '../../src/sources/types.js'
import {corpusDir, hasShared} from '../helpers/paths.js'

const KINDS: Record<string, SourceKind> = {dmesg: 'kernelLog', lspci: 'lspci', 'iommu-groups': 'iommuListing', 'libvirt-domains-real': 'domainXml', cpuinfo: 'cpuinfo'}

const files = Object.entries(hasShared ? KINDS : {}).flatMap(([dir, kind]) =>
  readdirSync(join(corpusDir, dir))
    .map((f) => join(corpusDir, dir, f))
    .filter((path) => statSync(path).size < 400_000)
    .map((path) => ({path, kind})),
)

/** What must survive: PCI addresses and ids, kernel releases, the kernel command line's options. */
function kept(text: string): string[] {
  const all = (re: RegExp) => [...text.matchAll(re)].map((m) => m[0])
  return [
    ...all(/\b[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]\b/g),
    ...all(/\[[0-9a-f]{4}:[0-9a-f]{4}\]/g),
    ...all(/Linux version \S+/g),
    ...all(/\b(?:intel_iommu|amd_iommu|iommu|vfio-pci\.ids|pcie_acs_override|video)=\S+/g),
  ].sort()
}

describe.skipIf(!hasShared)(`redaction of ${files.length} real corpus files`, () => {
  it('keeps every PCI address and id, kernel release and IOMMU option', () => {
    const changed: string[] = []
    for (const {path, kind} of files) {
      const text = readFileSync(path, 'utf8')
      const out = redactorFor({mode: 'input', root: '/', sources: [{kind, origin: path, status: 'ok', text}]}).redact(text)
      if (JSON.stringify(kept(out)) !== JSON.stringify(kept(text))) changed.push(path)
    }
    expect(changed).toEqual([])
  })

  it('replaces the host names systemd and syslog give away', () => {
    const path = join(corpusDir, 'dmesg/aleksfadini__linux-surface-pro-7-dump-files__old_dmesg.txt')
    const text = readFileSync(path, 'utf8')
    expect(text).toContain('Set hostname to <BlackLightSpeed>')
    const out = redactorFor({mode: 'input', root: '/', sources: [{kind: 'kernelLog', origin: 'dmesg', status: 'ok', text}]}).redact(text)
    expect(out).not.toContain('BlackLightSpeed')
    expect(out).toContain('Set hostname to <host1>')
  })
})

/** Where a host or user name is given away, as real programs print it ({N} is the planted name). */
const CARRIERS = [
  'Nov 21 23:57:01 {N} kernel: pci 0000:00:01.0: PCI bridge to [bus 01]',
  '[    3.100000] systemd[1]: Hostname set to <{N}>.',
  "f: /home/{N}/ISOs/Win11_23H2_English_x64.iso",
  '[{N}@{N}-pc ~]$ sudo dmesg',
  'uid=1000({N}) gid=100(users) groups=100(users),992(libvirtd)',
  '2024-11-21 22:57:03.123+0000: starting up libvirt version: 10.0.0, qemu version: 8.2.2, kernel: 6.6.52, hostname: {N}',
  'Nov 21 23:57:01 localhost sshd[2211]: Accepted publickey for {N} from 192.0.2.7 port 51514 ssh2',
]

describe.skipIf(!hasShared)('property: a name planted anywhere in a real log never reaches the shared output', () => {
  const logs = files.filter((f) => f.kind === 'kernelLog').slice(0, 12).map((f) => readFileSync(f.path, 'utf8').split('\n'))
  // Names a person picks: letters and digits, not an everyday word (those are replaced only where they are names).
  const name = fc.stringMatching(/^[a-z][a-z0-9]{4,9}[0-9]$/)

  it('in any carrier, at any line of any log', () => {
    fc.assert(
      fc.property(fc.nat(logs.length - 1), fc.nat(CARRIERS.length - 1), fc.nat(), name, (log, carrier, at, planted) => {
        const lines = [...logs[log]!]
        lines.splice(at % (lines.length + 1), 0, CARRIERS[carrier]!.replaceAll('{N}', planted))
        // The carrier gives the name away, and a second mention elsewhere is a bare word.
        lines.splice(Math.floor(lines.length / 2), 0, `[   99.000000] eth0: link to ${planted} is up`)
        const text = lines.join('\n')
        const out = redactorFor({mode: 'input', root: '/', sources: [{kind: 'kernelLog', origin: 'dmesg', status: 'ok', text}]}).redact(text)
        return !out.includes(planted)
      }),
      {numRuns: 60, seed: 20261204},
    )
  })
})
