/**
 * The domain rewrite on real passthrough domains (libvirt-domains-real): every change lands where
 * libvirt reads it, the result validates against libvirt's schema, and nothing else moves.
 */
import {expectValidDomain, hasXmllint} from '../helpers/tools.js'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {bootsUefi} from '../../checks/lib/domain.js'
import {lookingGlassMemories} from '../../checks/lib/looking-glass.js'
import {formatPciAddress, parseDomainXml} from '../../src/parse/domain-xml.js'
import type {DomainDecisions} from '../../src/plan/domain-changes.js'
import {rewriteDomain} from '../../src/plan/domain-rewrite.js'
import {unifiedDiff} from '../../src/plan/unified-diff.js'
import {corpusDir, fixturesDir, hasShared} from '../helpers/paths.js'

const REAL = join(corpusDir, 'libvirt-domains-real')

/** Every kind of change at once, as a plan for a new card at 0a:00 with Looking Glass would make them. */
const EVERYTHING: DomainDecisions = {
  general: false,
  windows: true,
  windows11: true,
  firmwareEfi: true,
  cpuPassthrough: true,
  topology: {cores: 4, threads: 2},
  hyperv: true,
  hypervclock: true,
  hideVendorId: true,
  hideKvm: true,
  nvidiaNote: false,
  addHostdevs: ['0000:0a:00.0', '0000:0a:00.1'],
  removeHostdevs: [],
  tpm: true,
  lookingGlass: {sizeMiB: 64, name: 'looking-glass', existing: false, sizeWrong: false, modelWrong: false},
  videoNone: true,
  removeTablets: true,
  addSpice: false,
  diskMoves: [],
  evdevFixes: [],
  changes: [],
}

/** What a decision set asks of a domain that already has some of it: only the parts it lacks. */
function forDomain(text: string): DomainDecisions {
  const d = parseDomainXml(text, 'x')
  return {
    ...EVERYTHING,
    firmwareEfi: !bootsUefi(d),
    cpuPassthrough: d.cpu.mode !== 'host-passthrough',
    hyperv: !d.features.hyperv,
    hypervclock: !d.features.hyperv,
    hideVendorId: !d.features.hypervVendorId,
    hideKvm: d.features.kvmHidden !== true,
    tpm: d.tpms.length === 0,
    lookingGlass: {...EVERYTHING.lookingGlass!, existing: lookingGlassMemories(d).length > 0, sizeWrong: true, modelWrong: false, name: lookingGlassMemories(d)[0]?.shmem?.name ?? 'looking-glass'},
  }
}

describe.each(hasShared ? readdirSync(REAL).filter((f) => f.endsWith('.xml')) : [])('rewrite of %s', (file) => {
  const original = readFileSync(join(REAL, file), 'utf8')
  const decisions = forDomain(original)
  const rewritten = rewriteDomain(original, decisions)
  const model = parseDomainXml(rewritten, file)

  it('makes every change, as libvirt will read it', () => {
    expect(model.warnings).toEqual([])
    expect(bootsUefi(model)).toBe(true)
    expect(model.cpu).toMatchObject({mode: 'host-passthrough', topology: {sockets: 1, cores: 4, threads: 2}})
    expect(model.features).toMatchObject({hyperv: true, kvmHidden: true, hypervVendorId: {state: 'on'}})
    expect(model.hostdevs.flatMap((h) => (h.source ? [formatPciAddress(h.source)] : []))).toEqual(expect.arrayContaining(['0000:0a:00.0', '0000:0a:00.1']))
    expect(model.tpms.length).toBeGreaterThan(0)
    expect(lookingGlassMemories(model)[0]?.sizeBytes).toBe(64 * 1024 * 1024)
    expect(model.videos.map((v) => v.model)).toEqual(['none'])
    expect(model.inputs.filter((i) => i.type === 'tablet')).toEqual([])
  })

  it('keeps every line it does not change', () => {
    const removed = unifiedDiff(original, rewritten, 'a', 'b').split('\n').filter((l) => l.startsWith('-') && !l.startsWith('---'))
    // Only lines of the elements the decisions replace: <os>, <cpu>'s tag and children, <video>, tablets, <size>.
    for (const line of removed) expect(line).toMatch(/^-\s*<(\/?(os|video|model|cpu|topology|vendor|input|size|address|hidden|vendor_id)\b)|^-\s*<\/input>/)
  })

  it.runIf(hasXmllint)("validates against libvirt's domain.rng", () => {
    expectValidDomain(rewritten, file)
  })
})

describe('rewrite keeps a document as it is where nothing needs doing', () => {
  it('returns the text byte for byte with no changes', () => {
    const text = readFileSync(join(fixturesDir, 'seed-003-looking-glass', 'domain-win10.xml'), 'utf8')
    const none: DomainDecisions = {...EVERYTHING, firmwareEfi: false, cpuPassthrough: false, topology: undefined, hyperv: false, hypervclock: false, hideVendorId: false, hideKvm: false, addHostdevs: [], tpm: false, lookingGlass: undefined, videoNone: false, removeTablets: false}
    expect(rewriteDomain(text, none)).toBe(text)
  })

  it("uses the document's own quotes and indentation for what it adds", () => {
    const text = "<domain type='kvm'>\n\t<name>x</name>\n\t<devices>\n\t\t<emulator>/usr/bin/qemu</emulator>\n\t</devices>\n</domain>\n"
    const out = rewriteDomain(text.replace(/'/g, '"'), {...EVERYTHING, firmwareEfi: false, cpuPassthrough: false, topology: undefined, hyperv: false, hypervclock: false, hideVendorId: false, hideKvm: false, lookingGlass: undefined, videoNone: false, removeTablets: false, addHostdevs: ['0000:01:00.0'], tpm: false})
    expect(out).toBe(
      '<domain type="kvm">\n\t<name>x</name>\n\t<devices>\n\t\t<emulator>/usr/bin/qemu</emulator>\n' +
        '\t\t<hostdev mode="subsystem" type="pci" managed="yes">\n\t\t\t<source>\n\t\t\t\t<address domain="0x0000" bus="0x01" slot="0x00" function="0x0"/>\n\t\t\t</source>\n\t\t</hostdev>\n' +
        '\t</devices>\n</domain>\n',
    )
  })

  it('keeps CRLF line ends in what it adds and removes', () => {
    const text = readFileSync(join(fixturesDir, 'seed-003-looking-glass-tablet-qxl', 'domain-win10.xml'), 'utf8').replace(/\n/g, '\r\n')
    const out = rewriteDomain(text, {...EVERYTHING, firmwareEfi: false, cpuPassthrough: false, topology: undefined, hyperv: false, hypervclock: false, hideVendorId: false, hideKvm: false, lookingGlass: {...EVERYTHING.lookingGlass!, existing: true, sizeWrong: true}})
    expect(out.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/)
    const model = parseDomainXml(out, 'crlf')
    expect(model.warnings).toEqual([])
    expect(model.inputs.map((i) => i.type)).not.toContain('tablet')
    expect(model.hostdevs).toHaveLength(parseDomainXml(text, 'before').hostdevs.length + 2)
  })
})
