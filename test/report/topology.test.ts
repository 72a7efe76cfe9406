/**
 * The topology picture's model (tree, groups, roles, findings, folding), its SVG and the Markdown
 * report's Mermaid diagram, from evidence as people paste it.
 */
import {spawnSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {diagnose} from '../../src/engine/pipeline.js'
import {renderReport} from '../../src/report/render.js'
import {buildTopology, COLLAPSE_ABOVE, MAX_DRAWN_FUNCTIONS, type Topology, type TopologyFunction, type TopologyRow} from '../../src/report/topology/model.js'
import {mermaidLabel, renderGuestGroupMermaid} from '../../src/report/topology/mermaid.js'
import {topologyPicture} from '../../src/report/topology/picture.js'
import {renderTopologySvg} from '../../src/report/topology/svg.js'
import {readEvidenceFolder} from '../../src/sources/evidence.js'
import type {SourceSet} from '../../src/sources/types.js'
import {generateHost} from '../../scripts/gen-host.mjs'
import {sourceSetFromFiles} from '../helpers/check-tester.js'
import {hasXmllint} from '../helpers/tools.js'

const work = mkdtempSync(join(tmpdir(), 'vfio-doctor-topology-'))

function expectWellFormedXml(text: string, name: string): void {
  if (!hasXmllint) return
  const file = join(work, name)
  writeFileSync(file, text)
  const r = spawnSync('xmllint', ['--noout', file], {encoding: 'utf8'})
  expect(r.status, r.stderr).toBe(0)
}

function topologyOf(set: SourceSet, gpu?: string): Topology {
  const {facts, report} = diagnose(set, gpu ? {gpu} : {})
  return buildTopology(facts, report.findings)
}

const fnRow = (t: Topology, address: string) => t.rows.find((r): r is Extract<TopologyRow, {kind: 'function'}> => r.kind === 'function' && r.fn.address === address)
const fn = (t: Topology, address: string): TopologyFunction => fnRow(t, address)!.fn
const parentOf = (t: Topology, address: string) => t.rows[fnRow(t, address)!.parent]!

// Seed 000's Intel host: the x16 root port 00:01.0 has no ACS and shares group 1 with the RX 580.
const INTEL = {
  'iommu-groups.txt': [
    'IOMMU Group 0 00:00.0 Host bridge [0600]: Intel Corporation Xeon E3-1200 v6/7th Gen Core Processor Host Bridge/DRAM Registers [8086:591f] (rev 05)',
    'IOMMU Group 1 00:01.0 PCI bridge [0604]: Intel Corporation 6th-10th Gen Core Processor PCIe Controller (x16) [8086:1901] (rev 05)',
    'IOMMU Group 1 01:00.0 VGA compatible controller [0300]: Advanced Micro Devices, Inc. [AMD/ATI] Ellesmere [Radeon RX 470/480/570/570X/580/580X/590] [1002:67df] (rev e7)',
    'IOMMU Group 1 01:00.1 Audio device [0403]: Advanced Micro Devices, Inc. [AMD/ATI] Ellesmere HDMI Audio [Radeon RX 470/480 / 570/580/590] [1002:aaf0]',
    'IOMMU Group 2 00:02.0 VGA compatible controller [0300]: Intel Corporation HD Graphics 630 [8086:5912] (rev 04)',
    'IOMMU Group 7 00:1c.0 PCI bridge [0604]: Intel Corporation 200 Series PCH PCI Express Root Port #7 [8086:a296] (rev f0)',
    'IOMMU Group 9 02:00.0 Ethernet controller [0200]: Realtek Semiconductor Co., Ltd. RTL8111/8168/8211/8411 PCI Express Gigabit Ethernet Controller [10ec:8168] (rev 15)',
  ].join('\n'),
  'lspci-nnk.txt': [
    '00:01.0 PCI bridge [0604]: Intel Corporation 6th-10th Gen Core Processor PCIe Controller (x16) [8086:1901] (rev 05)',
    '\tKernel driver in use: pcieport',
    '01:00.0 VGA compatible controller [0300]: Advanced Micro Devices, Inc. [AMD/ATI] Ellesmere [Radeon RX 470/480/570/570X/580/580X/590] [1002:67df] (rev e7)',
    '\tKernel driver in use: vfio-pci',
    '01:00.1 Audio device [0403]: Advanced Micro Devices, Inc. [AMD/ATI] Ellesmere HDMI Audio [Radeon RX 470/480 / 570/580/590] [1002:aaf0]',
    '\tKernel driver in use: snd_hda_intel',
    '00:02.0 VGA compatible controller [0300]: Intel Corporation HD Graphics 630 [8086:5912] (rev 04)',
    '\tKernel driver in use: i915',
    '02:00.0 Ethernet controller [0200]: Realtek Semiconductor Co., Ltd. RTL8111/8168/8211/8411 PCI Express Gigabit Ethernet Controller [10ec:8168] (rev 15)',
  ].join('\n'),
  'cmdline.txt': 'BOOT_IMAGE=/vmlinuz intel_iommu=on vfio-pci.ids=1002:67df',
}

describe('the topology model', () => {
  const t = topologyOf(sourceSetFromFiles(INTEL))

  it('hangs bus 00 off the root complex, a device under the bridge of its own group, and a bus whose bridge is unknown under a bus node', () => {
    expect(t.rows[0]).toMatchObject({kind: 'root', domain: '0000', depth: 0})
    expect(parentOf(t, '0000:00:01.0')).toMatchObject({kind: 'root'})
    expect(parentOf(t, '0000:01:00.0')).toMatchObject({kind: 'function', fn: {address: '0000:00:01.0'}})
    expect(parentOf(t, '0000:01:00.1')).toMatchObject({kind: 'function', fn: {address: '0000:00:01.0'}})
    // 02:00.0 sits alone in group 9: which root port leads to bus 02, the evidence does not say.
    expect(parentOf(t, '0000:02:00.0')).toMatchObject({kind: 'bus', bus: '0000:02'})
  })

  it('lists every function once, children right after their parent', () => {
    expect(t.rows.filter((r) => r.kind === 'function').map((r) => (r as {fn: TopologyFunction}).fn.short)).toEqual(['00:00.0', '00:01.0', '01:00.0', '01:00.1', '00:02.0', '00:1c.0', '02:00.0'])
    expect(t.functions).toBe(7)
    expect(t.groups).toBe(5)
  })

  it('marks the guest GPU, what goes with it, and the host display; says each driver', () => {
    expect(fn(t, '0000:01:00.0')).toMatchObject({roles: ['guest-gpu'], binding: 'vfio', group: 1, ids: '1002:67df', name: 'Radeon RX 470/480/570/570X/580/580X/590'})
    expect(fn(t, '0000:01:00.1')).toMatchObject({roles: ['companion'], binding: 'host', driver: 'snd_hda_intel'})
    expect(fn(t, '0000:00:02.0')).toMatchObject({roles: ['host-display'], binding: 'host'})
    // The bridge of the guest's group stays with the host: it goes along with nothing.
    expect(fn(t, '0000:00:01.0').roles).toEqual([])
    expect(fn(t, '0000:02:00.0').binding).toBe('none')
  })

  it('flags each device a finding names, by subject or in its message, with the finding id', () => {
    expect(fn(t, '0000:01:00.0').findings.map((f) => f.id)).toContain('companion-function-not-vfio')
    expect(fn(t, '0000:01:00.1').findings).toContainEqual({id: 'companion-function-not-vfio', severity: 'error'})
    expect(fn(t, '0000:02:00.0').findings).toEqual([])
  })

  it('says "driver unknown", not "no driver", when the evidence shows no bindings (lspci -nn)', () => {
    const bare = topologyOf(sourceSetFromFiles({'iommu-groups.txt': INTEL['iommu-groups.txt']}))
    expect(new Set(bare.rows.flatMap((r) => (r.kind === 'function' ? [r.fn.binding] : [])))).toEqual(new Set(['unknown']))
  })

  it('says why there is nothing to draw', () => {
    const none = topologyOf(sourceSetFromFiles({'cmdline.txt': 'intel_iommu=on'}))
    expect(none.rows).toEqual([])
    expect(none.empty).toBeTruthy()
    expect(renderTopologySvg(none)).toContain('No PCI topology to draw')
  })
})

describe('the SVG picture', () => {
  const t = topologyOf(sourceSetFromFiles(INTEL))
  const svg = renderTopologySvg(t)

  it('is well-formed, a node per function and a box per group, the guest GPU marked', () => {
    expectWellFormedXml(svg, 'intel.svg')
    expect(svg.match(/<g class="fn" /g)).toHaveLength(7)
    expect(new Set([...svg.matchAll(/<rect class="group-box" data-group="(\d+)"/g)].map((m) => m[1]))).toEqual(new Set(['0', '1', '2', '7', '9']))
    expect(svg).toMatch(/<g class="fn" data-address="0000:01:00\.0" data-group="1" data-binding="vfio" data-roles="guest-gpu"/)
    expect(svg).toContain('>GUEST GPU<')
    expect(svg).toContain('>HOST DISPLAY<')
    expect(svg).toContain('companion-function-not-vfio<')
  })

  it('says the driver in words and in a shape, not by colour alone, with a legend', () => {
    expect(svg).toContain('>vfio-pci</text>')
    expect(svg).toContain('>snd_hda_intel</text>')
    expect(svg).toContain('>no driver</text>')
    for (const words of ['vfio-pci', 'host driver', 'no driver', 'driver not shown', 'IOMMU group']) expect(svg).toContain(`>${words}</text>`)
  })

  it('is the same bytes for the same input', () => {
    expect(renderTopologySvg(topologyOf(sourceSetFromFiles(INTEL)))).toBe(svg)
  })
})

describe('a host with 1,000 groups', () => {
  let set: SourceSet
  let t: Topology
  beforeAll(async () => {
    set = await readEvidenceFolder(await generateHost(join(work, 'big'), {groups: 1000, logMB: 0, domains: 0}))
    t = topologyOf(set)
  })

  it('folds the groups with nothing for the guest into count lines, and keeps the guest branch whole', () => {
    expect(t.groups).toBe(1000)
    expect(t.groups).toBeGreaterThan(COLLAPSE_ABOVE)
    const shown = t.rows.filter((r) => r.kind === 'function')
    expect(shown.length).toBeLessThan(10)
    expect(fn(t, '0000:01:00.0').roles).toEqual(['guest-gpu'])
    expect(fn(t, '0000:01:00.1').roles).toEqual(['companion'])
    expect(fn(t, '0000:00:02.0').roles).toEqual(['host-display'])
    const folded = t.rows.filter((r): r is Extract<TopologyRow, {kind: 'collapsed'}> => r.kind === 'collapsed')
    expect(folded.reduce((n, r) => n + r.functions, 0) + shown.length).toBe(t.functions)
    expect(t.hidden.groups + new Set(shown.map((r) => (r as {fn: TopologyFunction}).fn.group)).size).toBe(1000)
  })

  it('draws in a small, well-formed picture that says what it folded', async () => {
    const {svg} = await topologyPicture(set)
    expectWellFormedXml(svg, 'big.svg')
    expect(svg.length).toBeLessThan(30_000)
    expect(svg).toMatch(/\+ \d+ more groups \(\d+ functions\): nothing for the guest, no finding/)
    expect(svg).toMatch(/data-address="0000:01:00\.0"[^>]*data-roles="guest-gpu"/)
  })

  it('--gpus folds a small host as well', async () => {
    const {svg} = await topologyPicture(sourceSetFromFiles(INTEL), {collapse: 'always'})
    expect(svg.match(/<g class="fn" /g)!.length).toBeLessThan(7)
    expect(svg).toContain('data-address="0000:01:00.0"')
  })
})

describe('a pasted lspci of 3,000 GPUs (no groups)', () => {
  const lines = Array.from({length: 3000}, (_, i) => `${(1 + Math.floor(i / 32)).toString(16).padStart(2, '0')}:${(i % 32).toString(16).padStart(2, '0')}.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1070] [10de:1b81] (rev a1)`)
  const t = topologyOf(sourceSetFromFiles({'lspci-nn.txt': lines.join('\n')}))

  it(`draws at most ${MAX_DRAWN_FUNCTIONS} functions and counts the rest`, () => {
    expect(t.functions).toBe(3000)
    expect(t.rows.filter((r) => r.kind === 'function')).toHaveLength(MAX_DRAWN_FUNCTIONS)
    const folded = t.rows.filter((r): r is Extract<TopologyRow, {kind: 'collapsed'}> => r.kind === 'collapsed')
    expect(folded.every((r) => r.why === 'limit')).toBe(true)
    expect(folded.reduce((n, r) => n + r.functions, 0)).toBe(2000)
    const svg = renderTopologySvg(t)
    expect(svg).toContain('not drawn, the picture stops at 1000 functions')
    expect(svg.length).toBeLessThan(2_000_000)
  })
})

// A device name and a domain name are anyone's text: markup in them must stay text.
const HOSTILE_NAME = `Evil</text><script>alert(1)</script> & "quoted" ]]> <!-- #35; \`tick\``
const HOSTILE = {
  ...INTEL,
  'lspci-nnk.txt': INTEL['lspci-nnk.txt'].replace('Realtek Semiconductor Co., Ltd. RTL8111/8168/8211/8411 PCI Express Gigabit Ethernet Controller', HOSTILE_NAME).replace('\tKernel driver in use: i915', '\tKernel driver in use: i915<b>'),
  'iommu-groups.txt': INTEL['iommu-groups.txt'].replace('Realtek Semiconductor Co., Ltd. RTL8111/8168/8211/8411 PCI Express Gigabit Ethernet Controller', HOSTILE_NAME),
  'win10.xml': `<domain type='kvm'><name>&lt;/svg&gt;&lt;img src=x onerror=alert(2)&gt;</name><devices><hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/></source></hostdev></devices></domain>`,
}

describe('hostile names', () => {
  const set = sourceSetFromFiles(HOSTILE)
  const t = topologyOf(set)

  it('reach the model as written', () => {
    expect(fn(t, '0000:02:00.0').name).toContain('<script>')
  })

  it('stay text in the SVG', () => {
    const svg = renderTopologySvg(t)
    expectWellFormedXml(svg, 'hostile.svg')
    expect(svg).not.toContain('<script')
    expect(svg).not.toContain('i915<b>')
    expect(svg).toContain('&lt;script&gt;')
  })

  it('stay text in the HTML report, the domain name too', async () => {
    const {facts, report} = diagnose(set)
    const html = await renderReport(report, {format: 'html', set, facts, failOn: 'error', redact: false})
    expectWellFormedXml(html, 'hostile.html')
    expect(html).not.toMatch(/<script|<img|<b>|<!-- #/)
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
  })

  it('stay inside their label in the Mermaid diagram', () => {
    const mermaid = renderGuestGroupMermaid(buildTopology(diagnose(set, {gpu: '0000:02:00.0'}).facts, []))!
    const line = mermaid.split('\n').find((l) => l.includes('alert(1)'))!
    // One quoted label, nothing after it: no quote, no markup, no backtick got through.
    expect(line).toMatch(/^ {4}f\d+\["[^"<>`]*"\]$/)
    expect(mermaidLabel('a"b#c<d>e&f`g')).toBe('a#34;b#35;c#60;d#62;e#38;f#96;g')
  })
})

describe('the Markdown diagram', () => {
  it("shows the guest GPU's group, the bridge it hangs from and the groups beside it, folded", async () => {
    const set = sourceSetFromFiles(INTEL)
    const {facts, report} = diagnose(set)
    const md = await renderReport(report, {format: 'markdown', set, facts, failOn: 'error'})
    const block = /<details><summary>The guest GPU&#39;s IOMMU group and its neighbours \(diagram\)<\/summary>\n\n```mermaid\n([\s\S]*?)\n```\n\n<\/details>/.exec(md.replace(/'/g, '&#39;'))
    expect(block).not.toBeNull()
    const diagram = block![1]!
    expect(diagram).toMatch(/^flowchart TB\n {2}subgraph g1\["IOMMU group 1"\]/)
    expect(diagram).toContain('01:00.0 · 1002:67df · Radeon RX 470/480/570/570X/580/580X/590 · vfio-pci · GUEST GPU')
    expect(diagram).toContain('01:00.1 · 1002:aaf0')
    expect(diagram).toContain('group 2: 00:02.0 · 8086:5912 · HD Graphics 630 · i915 · HOST DISPLAY')
    expect(diagram).toMatch(/class f\d+ guest/)
  })

  it('is left out when no guest GPU is known, and never in BBCode', async () => {
    const set = sourceSetFromFiles({'iommu-groups.txt': INTEL['iommu-groups.txt']})
    const {facts, report} = diagnose(set)
    expect(facts.guestGpus ?? []).toEqual([])
    expect(await renderReport(report, {format: 'markdown', set, facts, failOn: 'error'})).not.toContain('```mermaid')
    const withGpu = sourceSetFromFiles(INTEL)
    const d = diagnose(withGpu)
    expect(await renderReport(d.report, {format: 'bbcode', set: withGpu, facts: d.facts, failOn: 'error'})).not.toContain('mermaid')
  })
})

describe('redaction', () => {
  // A host name a journal prefix teaches the redactor, planted in a device's name as well.
  const set = sourceSetFromFiles({
    ...INTEL,
    'journal.txt': 'Dec 04 10:00:01 kestrel-ws kernel: DMAR: IOMMU enabled\nDec 04 10:00:02 kestrel-ws systemd[1]: Started libvirtd.service.',
    'lspci-nnk.txt': INTEL['lspci-nnk.txt'].replace('HD Graphics 630', 'HD Graphics 630 of kestrel-ws'),
  })

  // Each name is redacted as free text: stricter than a whole lspci line, whose maker's words stay.
  it("replaces names in the picture and the diagram with the report's pseudonyms; --no-redact keeps them", async () => {
    expect((await topologyPicture(set, {redact: false})).svg).toContain('kestrel-ws')
    const {svg} = await topologyPicture(set)
    expect(svg).not.toContain('kestrel-ws')
    expect(svg).toContain('HD Graphics 630 of host1')
    const {facts, report} = diagnose(set)
    const html = await renderReport(report, {format: 'html', set, facts, failOn: 'error'})
    expect(/<figure class="topology">[\s\S]*<\/figure>/.exec(html)![0]).toContain('HD Graphics 630 of host1')
    const markdown = await renderReport(report, {format: 'markdown', set, facts, failOn: 'error'})
    expect(/```mermaid[\s\S]*?```/.exec(markdown)![0]).toContain('HD Graphics 630 of host1')
  })
})
