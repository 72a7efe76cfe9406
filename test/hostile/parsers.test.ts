/**
 * Every parser the facts are made from, fed the same hostile texts directly: each must return
 * (never throw) within a time budget, whatever it is given. The XML rows also say what the domain
 * parser makes of entities, truncation and things that are not domains.
 */
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {parseCmdline} from '../../src/parse/cmdline.js'
import {parseCpuinfo} from '../../src/parse/cpuinfo.js'
import {parseDomainXml} from '../../src/parse/domain-xml.js'
import {MAX_XML_ELEMENTS} from '../../src/parse/xml/tree.js'
import {scanFreeLog} from '../../src/parse/free-log.js'
import {parseIommuListing} from '../../src/parse/iommu-listing.js'
import {parseKernelLog} from '../../src/parse/kernel-log.js'
import {parseKernelRelease} from '../../src/parse/kernel-release.js'
import {parseLspci} from '../../src/parse/lspci.js'
import {parseModprobe} from '../../src/parse/modprobe.js'
import {parseModules} from '../../src/parse/modules.js'
import {parseNixConfig} from '../../src/parse/nix-config.js'
import {parseOsRelease} from '../../src/parse/os-release.js'
import {parsePciSysfs} from '../../src/parse/pci-sysfs.js'
import {parsePermissions} from '../../src/parse/permissions.js'
import {parseDetectVirt, parseKvmParams, parseUserGroups, parseVirshList} from '../../src/parse/small.js'
import {scanMessages} from '../../src/knowledge/messages.js'
import {recogniseText} from '../../src/sources/recognise/index.js'
import {corpusDir, hasShared, readShared} from '../helpers/paths.js'

const PARSERS: Array<[string, (text: string) => unknown]> = [
  ['cmdline', parseCmdline],
  ['cpuinfo', parseCpuinfo],
  ['domain XML', (t) => parseDomainXml(t, 'hostile.xml')],
  ['free-form log', (t) => scanFreeLog(t, 'hostile.log')],
  ['IOMMU listing', parseIommuListing],
  ['kernel log', parseKernelLog],
  ['kernel release', parseKernelRelease],
  ['lspci', parseLspci],
  ['modprobe', (t) => parseModprobe(t, 'hostile.conf')],
  ['modules', parseModules],
  ['NixOS configuration', (t) => parseNixConfig(t, 'hostile.nix')],
  ['os-release', parseOsRelease],
  ['pci-sysfs', parsePciSysfs],
  ['permissions', parsePermissions],
  ['kvm parameters', parseKvmParams],
  ['user groups', parseUserGroups],
  ['systemd-detect-virt', parseDetectVirt],
  ['virsh list', parseVirshList],
  ['recognition of pasted outputs', (t) => recogniseAll(t)],
  ['known messages', (t) => scanMessages([{kind: 'log', origin: 'hostile.txt', status: 'ok', text: t}])],
]

/** Splitting and classifying a paste, with and without a name to go by. */
function recogniseAll(text: string): unknown {
  return [recogniseText(text), recogniseText(text, {kind: 'kernelLog'})]
}

const REAL_DOMAIN = readShared(join(corpusDir, 'libvirt-domains-real/bryansteiner__gpu-passthrough-tutorial__kvm_win10.xml'))
const MB = 1024 * 1024
const fill = (unit: string, bytes: number) => unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes)

/**
 * Hostile texts as the evidence reader hands them over (already decoded: invalid UTF-8 is U+FFFD).
 * Budgets are per parser and generous (a shared 2-core machine under load); a parser that went
 * quadratic on a megabyte would take minutes.
 */
const INPUTS: Array<{kind: string; text: () => string; budgetMs: number; /** Made from REAL_DOMAIN: skipped without ../shared. */ shared?: true}> = [
  {kind: 'empty', text: () => '', budgetMs: 1_000},
  {kind: 'only blank lines', text: () => '\n\n \t\r\n  \n', budgetMs: 1_000},
  {kind: 'binary garbage, decoded', text: () => Buffer.from(Array.from({length: 256 * 1024}, (_, i) => (i * 2654435761) >>> 24)).toString('utf8'), budgetMs: 5_000},
  {kind: 'NUL bytes only', text: () => '\0'.repeat(MB), budgetMs: 5_000},
  {kind: 'lone surrogates and replacement characters', text: () => fill('\ud800x\udc00\ufffd\n', MB), budgetMs: 8_000},
  {kind: 'mixed CR, LF and CRLF', text: () => fill('IOMMU Group 1 01:00.0 VGA [0300]: x [10de:1b81]\r\rintel_iommu=on\r\n\n', MB), budgetMs: 8_000},
  {kind: '10 MB single line of word characters', text: () => fill('a', 10 * MB), budgetMs: 10_000},
  {kind: '4 MB single line of real-looking tokens', text: () => fill('01:00.0 [10de:1b81] intel_iommu=on uid=1000(a) -rw-r--r-- ', 4 * MB), budgetMs: 8_000},
  {kind: '4 MB of one opening bracket, quote or brace', text: () => fill('<[{("\'${', 4 * MB), budgetMs: 8_000},
  {kind: '2 million empty lines', text: () => fill('\n', 2 * MB), budgetMs: 8_000},
  {kind: '1 MB of one unterminated comment, CDATA or string', text: () => `<!--${fill('-', MB)}<![CDATA[${fill(']', MB)}/* ${fill('*', MB)}''${fill("'", MB)}`, budgetMs: 8_000},
  {kind: '100,000 nested elements, brackets and braces', text: () => `${'<a>'.repeat(100_000)}${'{ x = '.repeat(100_000)}${'['.repeat(100_000)}${'('.repeat(100_000)}`, budgetMs: 8_000},
  {kind: 'a paste of 200,000 prompts, each with one output line', text: () => fill('$ ls -l /x\n-rw-r--r-- 1 a b 1 Jan 1 00:00 /x\n', 8 * MB), budgetMs: 8_000},
  {kind: '200,000 lead-in lines and code fences', text: () => fill('dmesg:\n```\n[    1.0] DMAR: IOMMU enabled\n```\n', 8 * MB), budgetMs: 8_000},
  {kind: 'a real domain XML truncated at every 997th byte', shared: true, text: () => Array.from({length: Math.floor(REAL_DOMAIN.length / 997)}, (_, i) => REAL_DOMAIN.slice(0, (i + 1) * 997)).join('\n'), budgetMs: 8_000},
]

describe(`${PARSERS.length} parsers x ${INPUTS.length} hostile texts: a result, never an exception, in time`, () => {
  for (const input of INPUTS) {
    it.skipIf(input.shared && !hasShared)(input.kind, () => {
      const text = input.text()
      const slow: string[] = []
      for (const [name, parse] of PARSERS) {
        const started = performance.now()
        expect(() => parse(text), name).not.toThrow()
        const ms = performance.now() - started
        if (ms > input.budgetMs) slow.push(`${name}: ${Math.round(ms)} ms`)
      }
      expect(slow).toEqual([])
    }, 120_000)
  }
})

describe('the domain XML parser on hostile XML', () => {
  const laughs = (levels: number) =>
    `<!DOCTYPE domain [<!ENTITY l0 "lol">${Array.from({length: levels}, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`).join('')}]><domain type="kvm"><name>&l${levels};</name></domain>`

  it('billion laughs: the entity is never expanded, the DOCTYPE is named in a warning', () => {
    const started = performance.now()
    const d = parseDomainXml(laughs(9), 'lol.xml')
    // Expanding means gigabytes and minutes: a hang guard, not a speed test.
    expect(performance.now() - started).toBeLessThan(5_000)
    expect(d.name).toBe('&l9;')
    expect(d.warnings.some((w) => w.startsWith('DOCTYPE ignored: entities are never expanded'))).toBe(true)
  })

  it('external entities (file, http, parameter entities): left as written, nothing read or fetched', () => {
    const d = parseDomainXml(
      `<!DOCTYPE domain [<!ENTITY f SYSTEM "file:///etc/passwd"><!ENTITY h SYSTEM "http://127.0.0.1:1/x"><!ENTITY % p SYSTEM "http://127.0.0.1:1/p"> %p;]>
<domain type="kvm"><name>&f;&h;</name><devices><disk type="file" device="disk"><source file="&f;"/></disk></devices></domain>`,
      'xxe.xml',
    )
    expect(d.name).toBe('&f;&h;')
    expect(d.disks[0]?.sourceFile).toBe('&f;')
  })

  it.skipIf(!hasShared)('a truncated domain: what was read, with a warning that says the XML was cut', () => {
    const d = parseDomainXml(REAL_DOMAIN.slice(0, REAL_DOMAIN.indexOf('</devices>') - 40), 'cut.xml')
    expect(d.name).toBe('win10')
    expect(d.hostdevs.length).toBeGreaterThan(0)
    expect(d.warnings.some((w) => /^malformed XML: .*input ends/.test(w))).toBe(true)
  })

  it.each([
    ['a network', "<network><name>default</name><bridge name='virbr0'/></network>", /not a libvirt domain \(root <network>\)/],
    ['an HTML page', '<!DOCTYPE html><html><body>404</body></html>', /not a libvirt domain \(root <html>\)/],
    ['JSON', '{"domain": {"name": "win10"}}', /no root element/],
  ])('%s is not a domain: an empty model with a warning', (_, xml, warning) => {
    const d = parseDomainXml(xml, 'x.xml')
    expect(d.name).toBe('')
    expect(d.hostdevs).toEqual([])
    expect(d.warnings.join('\n')).toMatch(warning)
  })

  // libvirt refuses such a domain ("Invalid PCI address"); the parser keeps the numbers as written, so a check can name them.
  it('100,000 hostdevs with impossible addresses: read in time to the element limit, which it names; numbers kept as written', () => {
    const hostdev = (i: number) => `<hostdev mode="subsystem" type="pci"><source><address domain="0x${(i * 7919).toString(16)}" bus="0x${i.toString(16)}" slot="0x${(i % 64).toString(16)}" function="0x${(i % 11).toString(16)}"/></source></hostdev>`
    const xml = `<domain type="kvm"><name>many</name><devices>${Array.from({length: 100_000}, (_, i) => hostdev(i)).join('')}</devices></domain>`
    const started = performance.now()
    const d = parseDomainXml(xml, 'many.xml')
    expect(performance.now() - started).toBeLessThan(5_000)
    // Three elements each (hostdev, source, address): read until MAX_XML_ELEMENTS, then the rest is not.
    expect(d.hostdevs.length).toBe(Math.ceil((MAX_XML_ELEMENTS - 3) / 3))
    expect(d.warnings.some((w) => w.includes(`more than ${MAX_XML_ELEMENTS} elements: the rest was not read`))).toBe(true)
    for (const h of d.hostdevs) for (const n of Object.values(h.source ?? {})) expect(Number.isSafeInteger(n) && n >= 0).toBe(true)
  })
})
