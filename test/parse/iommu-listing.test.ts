import {readFileSync, readdirSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import type {PciDevice} from '../../src/facts/types.js'
import {parseIommuListing} from '../../src/parse/iommu-listing.js'
import {devsetFile, hasShared, seedsDir} from '../helpers/paths.js'
import {corpusFiles, count, plainIommuCount} from './corpus.js'
import {buildFakeSysfs, runListingScript, type FakePciDevice} from './fake-sysfs.js'
import {hasLspci} from '../helpers/tools.js'
import {describeTotality} from './totality.js'

describe('one device line in each layout', () => {
  const gtx1070 = {vendorId: '10de', deviceId: '1b81', classCode: '0300', className: 'VGA compatible controller'}
  const cases: Array<[string, string, number, Partial<PciDevice>]> = [
    [
      'seed 001: the one-line loop',
      'IOMMU Group 23 23:00.0 VGA compatible controller [0300]: Advanced Micro Devices, Inc. [AMD/ATI] Ellesmere [Radeon RX 470/480/570/570X/580/580X/590] [1002:67df] (rev c7)',
      23,
      {address: '0000:23:00.0', vendorId: '1002', deviceId: '67df', revision: 'c7', name: 'Advanced Micro Devices, Inc. [AMD/ATI] Ellesmere [Radeon RX 470/480/570/570X/580/580X/590]'},
    ],
    [
      'seed 001: the HDMI audio function',
      'IOMMU Group 23 23:00.1 Audio device [0403]: Advanced Micro Devices, Inc. [AMD/ATI] Ellesmere HDMI Audio [Radeon RX 470/480 / 570/580/590] [1002:aaf0]',
      23,
      {address: '0000:23:00.1', vendorId: '1002', deviceId: 'aaf0', classCode: '0403'},
    ],
    [
      'seed 003: the one-line loop, NVIDIA',
      'IOMMU Group 1 01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1070] [10de:1b81] (rev a1)',
      1,
      {address: '0000:01:00.0', ...gtx1070, revision: 'a1'},
    ],
    [
      'lower-case "group"',
      'IOMMU group 2 01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP108 [GeForce GT 1030] [10de:1d01] (rev a1)',
      2,
      {address: '0000:01:00.0', vendorId: '10de', deviceId: '1d01'},
    ],
    ['find /sys/kernel/iommu_groups/ -type l', '/sys/kernel/iommu_groups/14/devices/0000:01:00.0', 14, {address: '0000:01:00.0'}],
    [
      'ls -l of the iommu_group links',
      'lrwxrwxrwx 1 root root 0 Mar  1 10:00 /sys/bus/pci/devices/0000:01:00.0/iommu_group -> ../../../../kernel/iommu_groups/14',
      14,
      {address: '0000:01:00.0'},
    ],
    [
      'ls-iommu (legacy output)',
      'IOMMU Group  14: 01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1070] [10de:1b81] (rev a1)',
      14,
      {address: '0000:01:00.0', ...gtx1070},
    ],
    [
      'ls-iommu (default output: domain, no colon after the class code)',
      'IOMMU Group  14: 0000:01:00.0 VGA compatible controller [0300] NVIDIA Corporation GP104 [GeForce GTX 1070] [10de:1b81] (rev a1)',
      14,
      {address: '0000:01:00.0', ...gtx1070, name: 'NVIDIA Corporation GP104 [GeForce GTX 1070]'},
    ],
    [
      'corpus layout: " (N) " before each device',
      ' (12) 01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GA106 [GeForce RTX 3060 Lite Hash Rate] [10de:2504] (rev a1)',
      12,
      {address: '0000:01:00.0', vendorId: '10de', deviceId: '2504'},
    ],
    [
      'corpus layout: ids first, then columns',
      'Group 12:       [10de:2206] [R] 01:00.0  VGA compatible controller                GA102 [GeForce RTX 3080]',
      12,
      {address: '0000:01:00.0', vendorId: '10de', deviceId: '2206', className: 'VGA compatible controller', name: 'GA102 [GeForce RTX 3080]'},
    ],
    [
      // https://github.com/pavolelsig/passthrough_helper_ubuntu_20/pull/1 (test/devset/cases/117-*)
      'passthrough_helper: "Group:  N" with the device and its driver on the line',
      'Group:  16  0000:0a:00.0 VGA compatible controller [0300]: NVIDIA Corporation TU116 [GeForce GTX 1660 SUPER] [10de:21c4] (rev a1)   Driver: vfio-pci',
      16,
      {address: '0000:0a:00.0', vendorId: '10de', deviceId: '21c4', revision: 'a1', driver: 'vfio-pci'},
    ],
    [
      'Unraid: ids first, then lspci text',
      'IOMMU group 1:\t[10de:1f08] 02:00.0 VGA compatible controller: NVIDIA Corporation TU106 [GeForce RTX 2060 Rev. A] (rev a1)',
      1,
      {address: '0000:02:00.0', vendorId: '10de', deviceId: '1f08', className: 'VGA compatible controller', revision: 'a1'},
    ],
  ]

  it.each(cases)('%s', (_name, line, group, expected) => {
    const {groups, devices, warnings} = parseIommuListing(line)
    expect(warnings).toEqual([])
    expect(groups).toEqual([{id: group, devices: [expected.address]}])
    expect(devices).toEqual([expect.objectContaining({...expected, iommuGroup: group})])
  })
})

describe('whole listings', () => {
  const seed000 = hasShared ? readFileSync(join(seedsDir, readdirSync(seedsDir).find((f) => f.startsWith('000_'))!), 'utf8') : ''
  /** The fenced blocks of seed 000 that are IOMMU listings, read in place. */
  const listings = [...seed000.matchAll(/```\n(IOMMU Group[^`]*)```/g)].map((m) => m[1]!)

  it('vmra1n#6 (devset 122): "IOMMU Group * 00:00.0 Host bridge ..." is the empty marker, and its lspci lines are still devices', () => {
    const listing = parseIommuListing(devsetFile('122-lsiommu-group-star-amd990', 'lsiommu.txt'))
    expect(listing.groups).toEqual([])
    expect(listing.emptyMarker).toBe(true)
    expect(listing.devices[0]).toMatchObject({address: '0000:00:00.0', classCode: '0600', vendorId: '1002', deviceId: '5a14'})
    expect(listing.devices).toHaveLength(10)
    expect(listing.warnings).toEqual([])
  })
  it.skipIf(!hasShared)('seed 000: "IOMMU Group .:" is the empty marker and no group', () => {
    expect(listings[0]).toBe('IOMMU Group .:\n')
    expect(parseIommuListing(listings[0]!)).toEqual({groups: [], devices: [], emptyMarker: true, warnings: []})
  })

  it.skipIf(!hasShared)('seed 000: the Arch wiki listing after VT-d was enabled', () => {
    const {groups, devices, emptyMarker, warnings} = parseIommuListing(listings[1]!)
    expect(warnings).toEqual([])
    expect(emptyMarker).toBe(false)
    expect(groups.map((g) => g.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8])
    expect(groups[1]).toEqual({id: 1, devices: ['0000:00:01.0', '0000:01:00.0', '0000:01:00.1']})
    expect(devices).toHaveLength(15)
    expect(devices.find((d) => d.address === '0000:01:00.0')).toEqual({
      address: '0000:01:00.0',
      className: 'VGA compatible controller',
      classCode: '0300',
      name: 'Advanced Micro Devices, Inc. [AMD/ATI] Ellesmere [Radeon RX 470/480/570/570X/580/580X/590]',
      vendorId: '1002',
      deviceId: '67df',
      revision: 'e7',
      iommuGroup: 1,
    })
  })

  it('the Arch wiki loop with `lspci -k -nns` (seed 004): drivers under each device', () => {
    const text = [
      'IOMMU Group 1:',
      '\t00:01.0 PCI bridge [0604]: Intel Corporation 6th-10th Gen Core Processor PCIe Controller (x16) [8086:1901] (rev 05)',
      '\tKernel driver in use: pcieport',
      '\t01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1070] [10de:1b81] (rev a1)',
      '\tSubsystem: Gigabyte Technology Co., Ltd GP104 [GeForce GTX 1070] [1458:3702]',
      '\tKernel driver in use: vfio-pci',
      '\tKernel modules: nvidiafb, nouveau',
    ].join('\n')
    const {devices} = parseIommuListing(text)
    expect(devices.map((d) => [d.address, d.driver, d.subsystem, d.iommuGroup])).toEqual([
      ['0000:00:01.0', 'pcieport', undefined, 1],
      ['0000:01:00.0', 'vfio-pci', '1458:3702', 1],
    ])
  })

  it('"IOMMU GROUP N" headers and "### Group N ###" headers', () => {
    const zephyr = parseIommuListing('IOMMU GROUP 10\n (10) 00:14.0 SMBus [0c05]: Advanced Micro Devices, Inc. [AMD] FCH SMBus Controller [1022:790b] (rev 71)\n (10) 00:14.3 ISA bridge [0601]: Advanced Micro Devices, Inc. [AMD] FCH LPC Bridge [1022:790e] (rev 51)')
    expect(zephyr.groups).toEqual([{id: 10, devices: ['0000:00:14.0', '0000:00:14.3']}])
    const hashes = parseIommuListing('### Group 1 ###\n    00:01.0 PCI bridge: Intel Corporation Xeon E3-1200 v5/E3-1500 v5/6th Gen Core Processor PCIe Controller (x16) (rev 07)')
    expect(hashes.groups).toEqual([{id: 1, devices: ['0000:00:01.0']}])
  })

  it('a tree-style listing ("IOMMU Group: N" / "Group Device: ADDR - ...")', () => {
    const text = 'IOMMU: dmar0\n  IOMMU Group: 50\n    Group Device: 0000:97:00.4 - Generic system peripheral [0807]: Intel Corporation Device [8086:0b23]'
    const {groups, devices} = parseIommuListing(text)
    expect(groups).toEqual([{id: 50, devices: ['0000:97:00.4']}])
    expect(devices[0]).toMatchObject({classCode: '0807', vendorId: '8086', deviceId: '0b23'})
  })

  it('the column layout: continuation rows and USB rows', () => {
    const text = [
      'Group 10:       [1022:790b]     00:14.0  SMBus                                    FCH SMBus Controller',
      '                [1022:790e]     00:14.3  ISA bridge                               FCH LPC Bridge',
      'USB:            [1d6b:0002]              Bus 001 Device 001                       Linux Foundation 2.0 root hub',
    ].join('\n')
    const {groups, devices, warnings} = parseIommuListing(text)
    expect(warnings).toEqual([])
    expect(groups).toEqual([{id: 10, devices: ['0000:00:14.0', '0000:00:14.3']}])
    expect(devices[1]).toEqual({address: '0000:00:14.3', vendorId: '1022', deviceId: '790e', className: 'ISA bridge', name: 'FCH LPC Bridge', iommuGroup: 10})
  })

  it('ls and ls -l of /sys/kernel/iommu_groups/*/devices', () => {
    const text = [
      '/sys/kernel/iommu_groups/14/devices:',
      '0000:01:00.0  0000:01:00.1',
      '',
      '/sys/kernel/iommu_groups/2/devices:',
      'total 0',
      'lrwxrwxrwx 1 root root 0 Mar  1 10:00 0000:02:00.0 -> ../../../../devices/pci0000:00/0000:00:1b.0/0000:02:00.0',
    ].join('\n')
    expect(parseIommuListing(text).groups).toEqual([
      {id: 2, devices: ['0000:02:00.0']},
      {id: 14, devices: ['0000:01:00.0', '0000:01:00.1']},
    ])
  })

  it('find output when the glob did not match', () => {
    const {groups, emptyMarker} = parseIommuListing("find: '/sys/kernel/iommu_groups/*': No such file or directory")
    expect({groups, emptyMarker}).toEqual({groups: [], emptyMarker: true})
  })

  it('warns about impossible addresses, a device in two groups, and devices outside any group', () => {
    const text = [
      '00:02.0 VGA compatible controller [0300]: Intel Corporation CoffeeLake-S GT2 [UHD Graphics 630] [8086:3e92]',
      'IOMMU Group 1 100:00.0 VGA compatible controller: X',
      '/sys/kernel/iommu_groups/3/devices/0000:00:20.0',
      'IOMMU Group 1 01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1070] [10de:1b81] (rev a1)',
      'IOMMU Group 2 01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1070] [10de:1b81] (rev a1)',
    ].join('\n')
    const {groups, devices, warnings} = parseIommuListing(text)
    expect(groups).toEqual([{id: 1, devices: ['0000:01:00.0']}])
    expect(devices.map((d) => [d.address, d.iommuGroup])).toEqual([
      ['0000:00:02.0', undefined],
      ['0000:01:00.0', 1],
    ])
    expect(warnings).toEqual([
      'line 1: 0000:00:02.0 is not under any IOMMU group header',
      'line 2: impossible PCI address 100:00.0, device skipped',
      'line 3: impossible PCI address 0000:00:20.0, device skipped',
      'line 5: 0000:01:00.0 listed in group 2 after group 1; kept 1',
    ])
  })

  it('says when the text holds no listing', () => {
    expect(parseIommuListing('bash: ls-iommu: command not found')).toEqual({
      groups: [],
      devices: [],
      emptyMarker: false,
      warnings: ['no IOMMU groups found'],
    })
  })
})

const listingCorpus = corpusFiles('iommu-groups')
const listingPlain = listingCorpus.map((file) => plainIommuCount(file.text))
const listingGroups = listingPlain.reduce((n, c) => n + c.groups, 0)
const listingDevices = listingPlain.reduce((n, c) => n + c.devices, 0)

describe.skipIf(!hasShared)(`corpus: ${listingCorpus.length} IOMMU listings, ${count(listingGroups)} groups, ${count(listingDevices)} devices`, () => {
  it.each(listingCorpus.map((file, i) => [file.name, file.text, listingPlain[i]!] as const))(
    '%s: group and device counts agree with a plain count',
    (_name, text, plain) => {
      const {groups, devices, emptyMarker, warnings} = parseIommuListing(text)
      expect(warnings).toEqual([])
      expect(emptyMarker).toBe(false)
      expect({groups: groups.length, devices: devices.length}).toEqual(plain)
      // Every device sits in exactly the group that lists it.
      const listed = groups.flatMap((g) => g.devices.map((address) => [address, g.id]))
      expect(devices.map((d) => [d.address, d.iommuGroup]).sort()).toEqual(listed.sort())
    },
  )
})

describe.skipIf(!hasLspci)('listing scripts run for real (bash + lspci on a fake /sys)', () => {
  const host: FakePciDevice[] = [
    {address: '0000:00:02.0', vendorId: '8086', deviceId: '3e92', classCode: '0300', revision: '02', driver: 'i915', iommuGroup: 0},
    {address: '0000:01:00.0', vendorId: '10de', deviceId: '1b81', classCode: '0300', revision: 'a1', subsystem: '1458:3702', driver: 'vfio-pci', iommuGroup: 14},
    {address: '0000:01:00.1', vendorId: '10de', deviceId: '10f0', classCode: '0403', revision: 'a1', driver: 'vfio-pci', iommuGroup: 14},
    {address: '0000:02:00.0', vendorId: '144d', deviceId: 'a808', classCode: '0108', revision: '01', driver: 'nvme', iommuGroup: 2},
  ]
  const root = hasLspci ? buildFakeSysfs(host) : ''
  const empty = hasLspci ? buildFakeSysfs([]) : ''
  afterAll(() => [root, empty].forEach((dir) => rmSync(dir, {recursive: true, force: true})))

  // The Arch wiki loop, as in seed 000; its `sort -V` orders groups 0, 2, 14.
  const archWiki = `shopt -s nullglob
for g in $(find /sys/kernel/iommu_groups/* -maxdepth 0 -type d | sort -V); do
    echo "IOMMU Group \${g##*/}:"
    for d in $g/devices/*; do
        echo -e "\\t$(lspci -nns \${d##*/})"
    done;
done;`
  const expectedGroups = [
    {id: 0, devices: ['0000:00:02.0']},
    {id: 2, devices: ['0000:02:00.0']},
    {id: 14, devices: ['0000:01:00.0', '0000:01:00.1']},
  ]

  it('the Arch wiki loop', () => {
    const {groups, devices, warnings} = parseIommuListing(runListingScript(root, archWiki))
    expect(warnings).toEqual([])
    expect(groups).toEqual(expectedGroups)
    const summary = (d: PciDevice | FakePciDevice) => [d.address, d.vendorId, d.deviceId, d.classCode, d.iommuGroup]
    expect(devices.map(summary).sort()).toEqual(host.map(summary).sort())
  })

  it('the Arch wiki loop with lspci -k (seed 004): drivers', () => {
    const text = runListingScript(root, archWiki.replace('lspci -nns', 'lspci -k -nns'))
    const {devices} = parseIommuListing(text)
    expect(devices.map((d) => [d.address, d.driver]).sort()).toEqual(host.map((d) => [d.address, d.driver]).sort())
  })

  it('the one-line loop (seeds 001 and 003)', () => {
    const script = `shopt -s nullglob
for d in /sys/kernel/iommu_groups/*/devices/*; do
    n=\${d#*/iommu_groups/*}; n=\${n%%/*}
    printf 'IOMMU Group %s ' "$n"
    lspci -nns "\${d##*/}"
done;`
    const {groups, warnings} = parseIommuListing(runListingScript(root, script))
    expect(warnings).toEqual([])
    expect(groups).toEqual(expectedGroups)
  })

  it('find /sys/kernel/iommu_groups/ -type l', () => {
    const {groups} = parseIommuListing(runListingScript(root, 'find /sys/kernel/iommu_groups/ -type l'))
    expect(groups).toEqual(expectedGroups)
  })

  it('the Arch wiki loop on a host without groups prints "IOMMU Group .:" (seed 000)', () => {
    const text = runListingScript(empty, archWiki)
    expect(text).toBe('IOMMU Group .:\n')
    expect(parseIommuListing(text)).toEqual({groups: [], devices: [], emptyMarker: true, warnings: []})
  })
})

describeTotality({
  name: 'parseIommuListing',
  parse: parseIommuListing,
  realTexts: () => listingCorpus.map((file) => file.text),
  skipReal: !hasShared,
  wellFormed: ({groups, devices}) => {
    // Groups and devices tell one story: a device is in the group that lists it, and only there.
    const listed = groups.flatMap((g) => g.devices.map((address) => `${address} ${g.id}`))
    const grouped = devices.filter((d) => d.iommuGroup !== undefined).map((d) => `${d.address} ${d.iommuGroup}`)
    expect(listed.sort()).toEqual(grouped.sort())
  },
})
