import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {assembleFacts} from '../../src/facts/assemble.js'
import Groups from '../../src/commands/groups.js'
import stringWidth from 'string-width'
import {iommuGroupVerdicts} from '../../src/report/groups.js'
import {renderGroups} from '../../src/report/groups-text.js'
import {readEvidenceFolder} from '../../src/sources/evidence.js'
import {sourceSetFromFiles} from '../helpers/check-tester.js'
import {corpusDir, hasShared, repoRoot} from '../helpers/paths.js'
import {runCommand} from './run-command.js'

const listing = (name: string) => readFileSync(join(corpusDir, 'iommu-groups', name), 'utf8')
const verdicts = (files: Record<string, string>) => iommuGroupVerdicts(assembleFacts(sourceSetFromFiles(files)))

describe('IOMMU group verdicts', () => {
  it.skipIf(!hasShared)('a real X670E board: the RTX 3080 and its audio can be passed whole; the chipset group cannot', () => {
    const {groups} = verdicts({'iommu-groups.txt': listing('mathewlear__ASUS-X670E-I-IOMMU-GROUPS__iommu_groups.txt')})
    const gpu = groups.find((g) => g.id === 12)!
    expect(gpu).toMatchObject({kind: 'alone', hasGpu: true, others: []})
    expect(gpu.devices.map((d) => [d.address, d.ids, d.className])).toEqual([
      ['0000:01:00.0', '10de:2206', 'VGA compatible controller'],
      ['0000:01:00.1', '10de:1aef', 'Audio device'],
    ])
    expect(gpu.verdict).toBe('can be passed whole: one card, 2 functions')
    // Thunderbolt bridges are fine; the USB and SATA controllers behind them are not.
    const chipset = groups.find((g) => g.id === 15)!
    expect(chipset.kind).toBe('shared')
    expect(chipset.others).toEqual(['0000:0a:00.0', '0000:0b:00.0', '0000:33:00.0'])
    expect(chipset.verdict).toMatch(/^not alone: 0000:0a:00\.0 SATA controller, 0000:0b:00\.0 SATA controller, 0000:33:00\.0 USB controller are in the same group/)
    expect(groups.find((g) => g.id === 1)).toMatchObject({kind: 'bridges-only', verdict: 'bridges only: nothing to pass through'})
  })

  it('the seeded host: the boot GPU (from the kernel log\'s vgaarb line) is pointed out', async () => {
    const {groups} = iommuGroupVerdicts(assembleFacts(await readEvidenceFolder(join(repoRoot, 'test/redact/seeded-host'))))
    expect(groups.map((g) => [g.id, g.kind, g.bootGpu])).toEqual([
      [14, 'alone', false],
      [25, 'alone', true],
    ])
    expect(groups[1]!.verdict).toContain('holds the boot GPU')
    expect(groups[0]!.devices[0]).toMatchObject({driver: 'vfio-pci', name: 'NVIDIA Corporation AD102 [GeForce RTX 4090]'})
  })

  it('a laptop from sysfs alone: the 3D controller dGPU, its root port, the boot iGPU, reset methods', () => {
    const sysfs = [
      '0000:00:00.0 vendor=8086 device=9b54 class=060000 iommu_group=0',
      '0000:00:01.0 vendor=8086 device=1901 class=060400 driver=pcieport iommu_group=1',
      '0000:01:00.0 vendor=10de device=1f95 class=030200 driver=nvidia boot_vga=0 iommu_group=1 reset_method=flr,bus',
      '0000:00:02.0 vendor=8086 device=9bc4 class=030000 driver=i915 boot_vga=1 iommu_group=2',
      '0000:00:14.0 vendor=8086 device=06ed class=0c0330 driver=xhci_hcd iommu_group=3',
      '0000:00:16.0 vendor=8086 device=06e0 class=078000 driver=mei_me iommu_group=3',
    ].join('\n')
    const {groups} = verdicts({'pci-sysfs.txt': sysfs})
    const dgpu = groups.find((g) => g.id === 1)!
    expect(dgpu.kind).toBe('alone')
    expect(dgpu.verdict).toBe(
      'can be passed whole: one device; its bridge stays with the host; 3D controller: no display outputs of its own (a laptop dGPU): the guest needs Looking Glass or a virtual display',
    )
    expect(dgpu.devices[1]).toMatchObject({className: '3D controller', ids: '10de:1f95', driver: 'nvidia', resetMethods: ['flr', 'bus']})
    expect(groups.find((g) => g.id === 2)).toMatchObject({bootGpu: true, hasGpu: true})
    expect(groups.find((g) => g.id === 3)).toMatchObject({kind: 'shared', others: ['0000:00:16.0'], hasGpu: false})
  })

  it('says why there is nothing to show', () => {
    expect(verdicts({'iommu-groups.txt': 'IOMMU Group .:\n'}).reason).toMatch(/IOMMU is off or missing/)
    expect(verdicts({'cmdline.txt': 'quiet'}).reason).toMatch(/no IOMMU group listing/)
  })
})

describe('groups as text', () => {
  const x670e = () => verdicts({'iommu-groups.txt': listing('mathewlear__ASUS-X670E-I-IOMMU-GROUPS__iommu_groups.txt')})
  const widest = (text: string) => Math.max(...text.split('\n').map((l) => stringWidth(l)))

  it.skipIf(!hasShared)('100 columns and more: a table, one row a device, the verdict under each group, no colour when not asked', async () => {
    const table = await renderGroups({groups: x670e().groups.filter((g) => g.hasGpu)}, {color: false, width: 200})
    expect(table).not.toMatch(/\u001b\[/)
    const lines = table.split('\n')
    expect(lines[1]).toMatch(/│ group │ address\s+│ class\s+│ vendor:device │ name\s+│ driver\s+│ reset\s+│/)
    expect(table).toMatch(/│ 12\s+│ 0000:01:00\.0 │ VGA compatible\s+│ 10de:2206\s+│ GA102 \[GeForce RTX 3080\]/)
    expect(table).toMatch(/│ group 12: can be passed whole: one card, 2 functions\s+│/)
    // The name column is as wide as the longest name, not the whole terminal.
    expect(widest(table)).toBeLessThan(200)
  })

  it.skipIf(!hasShared)('fits the terminal width it is given', async () => {
    const result = verdicts({'iommu-groups.txt': listing('J4nsen__4gamers1pc__iommu_groups.txt')})
    for (const width of [100, 80, 60]) expect(widest(await renderGroups(result, {color: false, width}))).toBeLessThanOrEqual(width)
  })

  it.skipIf(!hasShared)('under 100 columns: each group with its verdict, then each device on its own lines', async () => {
    const list = await renderGroups({groups: x670e().groups.filter((g) => g.id === 12)}, {color: false, width: 60})
    expect(list).toBe([
      'group 12: can be passed whole: one card, 2 functions',
      '  0000:01:00.0  VGA compatible controller  10de:2206',
      '    GA102 [GeForce RTX 3080]',
      '  0000:01:00.1  Audio device  10de:1aef',
      '    GA102 High Definition Audio Controller',
      '',
    ].join('\n'))
  })

  it('says why when there are no groups', async () => {
    expect(await renderGroups({groups: [], reason: 'no listing'}, {color: false, width: 80})).toBe('No IOMMU groups: no listing.\n')
  })
})

describe('vfio-doctor groups', () => {
  const seeded = join(repoRoot, 'test/redact/seeded-host')

  it('--json: the groups and verdicts for scripts', async () => {
    const r = await runCommand(Groups, ['--input', seeded, '--json'])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out.groups.map((g: {id: number; kind: string; bootGpu: boolean}) => [g.id, g.kind, g.bootGpu])).toEqual([[14, 'alone', false], [25, 'alone', true]])
    expect(out.groups[0].devices[0]).toEqual({
      address: '0000:01:00.0', className: 'VGA compatible controller', classCode: '0300', ids: '10de:2684',
      name: 'NVIDIA Corporation AD102 [GeForce RTX 4090]', driver: 'vfio-pci', bridge: false, gpu: true, bootGpu: false,
    })
  })

  it.skipIf(!hasShared)('--gpus keeps the groups that hold a GPU; without a terminal the text is 80 columns wide', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vfio-doctor-groups-'))
    writeFileSync(join(dir, 'iommu-groups.txt'), listing('mathewlear__ASUS-X670E-I-IOMMU-GROUPS__iommu_groups.txt'))
    const r = await runCommand(Groups, ['--input', dir, '--gpus'])
    expect(r.stderr).toBe('')
    expect(r.stdout).not.toMatch(/\u001b\[/)
    expect(r.stdout.match(/^group \d+: /gm)).toEqual(['group 12: ', 'group 21: '])
    expect(r.stdout).not.toMatch(/bridges only/)
  })

  it('an evidence folder without a listing: says so, exit 0', async () => {
    const r = await runCommand(Groups, ['--input', join(repoRoot, 'test/schemas')])
    expect(r.stdout).toMatch(/^No IOMMU groups: the evidence has no IOMMU group listing/)
    expect(r.code).toBe(0)
  })
})
