/**
 * Redaction over real public logs (../shared/corpus): what the diagnosis needs survives untouched in
 * every file, and the names each file gives away are replaced.
 */
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
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
