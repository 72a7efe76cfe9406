/**
 * A host seeded with everything private a real one leaks (test/redact/seeded-host/): every format
 * that leaves the machine must carry none of it, and must still carry what the diagnosis needs.
 */
import {mkdtempSync, readdirSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {diagnose} from '../../src/engine/pipeline.js'
import {redactorFor, redactSourceSet} from '../../src/redact/index.js'
import {renderReport, renderShareable, type Format} from '../../src/report/render.js'
import {writeCapture} from '../../src/sources/capture.js'
import {readEvidenceFolder} from '../../src/sources/evidence.js'
import type {SourceSet} from '../../src/sources/types.js'
import {repoRoot} from '../helpers/paths.js'

const seeded = join(repoRoot, 'test/redact/seeded-host')

/** Every private value planted in the seeded host, in every spelling it appears in. */
const SECRETS = [
  'alice', 'Alice', 'alice-desktop', 'alice-laptop',
  '9c:53:22:1a:2b:3c', '1e:2b:3d:4e:5f:60', '52:54:00:ab:cd:ef',
  '192.168.1.23', '192.168.1.255', '2a02:8070:abcd:1:1c2b:3dff:fe4e:5f60', 'fe80::1c2b:3dff:fe4e:5f60',
  '3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f', '8c1d2e3f-4a5b-4c6d-9e7f-8a9b0c1d2e3f', 'A1B2-C3D4',
  '0123456789AB', 'MB1234567890', 'WD-WCC6Y1234567', 'S4EWNX0R123456X', '8425e349',
  'AAAAC3NzaC1lZDI1NTE5AAAAIGq8Xx7Yb1pJkq3l9x8Yb1pJkq3l9x8Yb1pJkq3l9x8',
  'correct horse battery staple', 'dca6d6ed41f4ab5a984c9f55f6f66d4efdc720ebf66959810f4329bb391c5435', 'hunter22', '$6$rounds=656000',
  'Alice Home 5G', 'CafeGuest', 'alice.liddell@example-mail.de',
]

/** What the diagnosis needs, which redaction must leave alone. */
const KEPT = [
  '0000:01:00.0', '0000:01:00.1', '10de:2684', '10de:22ba', '1002:164e', '6.6.52', 'vfio-pci.ids=10de:2684,10de:22ba', 'amd_iommu=on',
  '/nix/store/0f3cxyz9l9dxrl6alr6h0x8r9b7kq0vc-nixos-system-', 'Win11_23H2_English_x64.iso', 'libvirtd', 'pc-q35-8.2', 'max UDMA/133', '0000:0f:00.3',
]

function leaks(text: string): string[] {
  return SECRETS.filter((s) => text.includes(s))
}

describe('the seeded host', () => {
  let set: SourceSet
  let outputs: Partial<Record<Format | 'share', string>>
  let unredacted: Partial<Record<Format, string>>

  beforeAll(async () => {
    set = await readEvidenceFolder(seeded)
    const {facts, report} = diagnose(set)
    outputs = {}
    unredacted = {}
    for (const format of ['markdown', 'bbcode', 'html'] as const) {
      outputs[format] = await renderReport(report, {format, set, facts, failOn: 'error'})
      unredacted[format] = await renderReport(report, {format, set, facts, failOn: 'error', redact: false})
    }
    outputs.share = (await renderShareable(report, set, facts)).markdown
  })

  it('really is seeded: every secret is in the raw sources, and the unredacted report shows most of them', () => {
    expect(SECRETS.filter((s) => !leaks(set.sources.map((x) => `${x.origin}\n${x.text ?? ''}`).join('\n')).includes(s))).toEqual([])
    expect(leaks(unredacted.markdown!).length).toBeGreaterThan(SECRETS.length * 0.8)
  })

  it.each(['markdown', 'bbcode', 'html', 'share'] as const)('%s output leaks none of it', (format) => {
    expect(leaks(outputs[format]!)).toEqual([])
  })

  it.each(['markdown', 'bbcode', 'html', 'share'] as const)('%s output keeps PCI ids and addresses, versions, store paths, file names', (format) => {
    expect(KEPT.filter((k) => !outputs[format]!.includes(k))).toEqual([])
  })

  it('says what it replaced, once, at the foot', () => {
    expect(outputs.markdown).toMatch(/redacted: 1 user name, 1 host name, .*MAC addresses.*\(`--no-redact` keeps them\)/)
    expect(unredacted.markdown).toContain('not redacted')
  })

  it('a redacted capture reads back with the same findings, and leaks nothing', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'vfio-doctor-redacted-')), 'capture')
    await writeCapture(dir, redactSourceSet(set, redactorFor(set)))
    const files = readdirSync(dir)
    expect(files.flatMap((f) => leaks(readFileSync(join(dir, f), 'utf8')).map((s) => `${f}: ${s}`))).toEqual([])
    const back = await readEvidenceFolder(dir)
    const findings = (s: SourceSet) => diagnose(s).report.findings.map((f) => `${f.severity} ${f.id}`).sort()
    const statuses = (s: SourceSet) => diagnose(s).report.checks.map((c) => `${c.id} ${c.status}`).sort()
    expect(findings(back)).toEqual(findings(set))
    expect(statuses(back)).toEqual(statuses(set))
  })
})
