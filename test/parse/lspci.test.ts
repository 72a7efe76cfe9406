import {rmSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import type {PciDevice} from '../../src/facts/types.js'
import {parseLspci, parseLspciDeviceLine} from '../../src/parse/lspci.js'
import {corpusDir, hasShared} from '../helpers/paths.js'
import {corpusFiles, count, plainLspciCount} from './corpus.js'
import {buildFakeSysfs, lspciOn, lspciOnDump, type FakePciDevice} from './fake-sysfs.js'
import {hasLspci} from '../helpers/tools.js'
import {describeTotality} from './totality.js'

describe('parseLspciDeviceLine', () => {
  const cases: Array<[string, string, PciDevice | 'bad-address']> = [
    [
      'seed 000: ids are the last [xxxx:xxxx], after a name full of brackets',
      '01:00.0 VGA compatible controller [0300]: Advanced Micro Devices, Inc. [AMD/ATI] Ellesmere [Radeon RX 470/480/570/570X/580/580X/590] [1002:67df] (rev e7)',
      {
        address: '0000:01:00.0',
        className: 'VGA compatible controller',
        classCode: '0300',
        name: 'Advanced Micro Devices, Inc. [AMD/ATI] Ellesmere [Radeon RX 470/480/570/570X/580/580X/590]',
        vendorId: '1002',
        deviceId: '67df',
        revision: 'e7',
      },
    ],
    [
      'seed 000: no revision',
      '01:00.1 Audio device [0403]: Advanced Micro Devices, Inc. [AMD/ATI] Ellesmere HDMI Audio [Radeon RX 470/480 / 570/580/590] [1002:aaf0]',
      {
        address: '0000:01:00.1',
        className: 'Audio device',
        classCode: '0403',
        name: 'Advanced Micro Devices, Inc. [AMD/ATI] Ellesmere HDMI Audio [Radeon RX 470/480 / 570/580/590]',
        vendorId: '1002',
        deviceId: 'aaf0',
      },
    ],
    [
      'seed 000: brackets that are not ids inside the name',
      '00:17.0 SATA controller [0106]: Intel Corporation 200 Series PCH SATA controller [AHCI mode] [8086:a282]',
      {
        address: '0000:00:17.0',
        className: 'SATA controller',
        classCode: '0106',
        name: 'Intel Corporation 200 Series PCH SATA controller [AHCI mode]',
        vendorId: '8086',
        deviceId: 'a282',
      },
    ],
    [
      'seed 002: lspci -nn',
      '01:00.0 VGA compatible controller [0300]: Advanced Micro Devices, Inc. [AMD/ATI] Hawaii XT / Grenada XT [Radeon R9 290X/390X] [1002:67b0]',
      {
        address: '0000:01:00.0',
        className: 'VGA compatible controller',
        classCode: '0300',
        name: 'Advanced Micro Devices, Inc. [AMD/ATI] Hawaii XT / Grenada XT [Radeon R9 290X/390X]',
        vendorId: '1002',
        deviceId: '67b0',
      },
    ],
    [
      'seed 003: NVIDIA with revision',
      '01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1070] [10de:1b81] (rev a1)',
      {
        address: '0000:01:00.0',
        className: 'VGA compatible controller',
        classCode: '0300',
        name: 'NVIDIA Corporation GP104 [GeForce GTX 1070]',
        vendorId: '10de',
        deviceId: '1b81',
        revision: 'a1',
      },
    ],
    [
      'plain lspci: no ids',
      '00:02.0 VGA compatible controller: Intel Corporation 2nd Generation Core Processor Family Integrated Graphics Controller (rev 09)',
      {
        address: '0000:00:02.0',
        className: 'VGA compatible controller',
        name: 'Intel Corporation 2nd Generation Core Processor Family Integrated Graphics Controller',
        revision: '09',
      },
    ],
    [
      'lspci -n',
      '00:00.0 0600: 8086:1237 (rev 02)',
      {address: '0000:00:00.0', classCode: '0600', vendorId: '8086', deviceId: '1237', revision: '02'},
    ],
    [
      'ids then (rev) then (prog-if [name])',
      '00:00.0 PCI bridge [0604]: Huawei Technologies Co., Ltd. HiSilicon PCIe Root Port with Gen4 [19e5:a120] (rev 21) (prog-if 00 [Normal decode])',
      {
        address: '0000:00:00.0',
        className: 'PCI bridge',
        classCode: '0604',
        name: 'Huawei Technologies Co., Ltd. HiSilicon PCIe Root Port with Gen4',
        vendorId: '19e5',
        deviceId: 'a120',
        revision: '21',
      },
    ],
    [
      'domain, and an old lspci with a colon inside the name',
      '0000:00:01.0 Co-processor: IBM: Unknown device 00e0 (rev 01)',
      {address: '0000:00:01.0', className: 'Co-processor', name: 'IBM: Unknown device 00e0', revision: '01'},
    ],
    [
      'no pci.ids: "Class 0600: Device 8086:6f00"',
      '00:00.0 Class 0600: Device 8086:6f00 (rev 01)',
      {address: '0000:00:00.0', classCode: '0600', name: 'Device 8086:6f00', vendorId: '8086', deviceId: '6f00', revision: '01'},
    ],
    [
      'a class name lspci prints with its code even without -nn',
      '6b:00.0 Unassigned class [ff00]: Intel Corporation Device 0d93',
      {address: '0000:6b:00.0', className: 'Unassigned class', classCode: 'ff00', name: 'Intel Corporation Device 0d93'},
    ],
    [
      'a header cut off inside (prog-if',
      '00:1d.0 USB controller [0c03]: Intel Corporation NM10/ICH7 Family USB UHCI Controller #1 [8086:27c8] (rev 01) (prog-if 0',
      {
        address: '0000:00:1d.0',
        className: 'USB controller',
        classCode: '0c03',
        name: 'Intel Corporation NM10/ICH7 Family USB UHCI Controller #1',
        vendorId: '8086',
        deviceId: '27c8',
        revision: '01',
      },
    ],
    [
      'lspci -mmnn',
      '00:00.0 "Host bridge [0600]" "Intel Corporation [8086]" "5520/5500/X58 I/O Hub to ESI Port [3405]" -r12 -p00 "ASUSTeK Computer Inc. [1043]" "Device [836b]"',
      {
        address: '0000:00:00.0',
        className: 'Host bridge',
        classCode: '0600',
        name: 'Intel Corporation 5520/5500/X58 I/O Hub to ESI Port',
        vendorId: '8086',
        deviceId: '3405',
        revision: '12',
        subsystem: '1043:836b',
      },
    ],
    [
      'lspci -mm with empty subsystem fields',
      '00:03.0 "ISA bridge" "Symphony Labs" "W83C553F/W83C554F" -r10 -p00 "" ""',
      {address: '0000:00:03.0', className: 'ISA bridge', name: 'Symphony Labs W83C553F/W83C554F', revision: '10'},
    ],
    ['upper-case hex and a VMD domain', '10000:E1:00.0 Non-Volatile memory controller [0108]: X [144D:A808]', {
      address: '10000:e1:00.0', className: 'Non-Volatile memory controller', classCode: '0108', name: 'X', vendorId: '144d', deviceId: 'a808',
    }],
    ['bus above ff', '100:00.0 VGA compatible controller: X', 'bad-address'],
    ['device above 1f', '00:20.0 VGA compatible controller: X', 'bad-address'],
    ['function above 7', '00:1f.8 VGA compatible controller: X', 'bad-address'],
  ]

  it.each(cases)('%s', (_name, line, expected) => {
    const parsed = parseLspciDeviceLine(line)
    if (expected === 'bad-address') expect(parsed?.kind).toBe('bad-address')
    else expect(parsed).toEqual({kind: 'device', device: expected})
  })

  it.each(['', 'Kernel driver in use: vfio-pci', '00: 86 80 c0 27 05 00 b0 02', 'f2pcilib: sysfs_read_vpd: read failed'])(
    'is no header: %j',
    (line) => expect(parseLspciDeviceLine(line)).toBeUndefined(),
  )
})

describe('parseLspci', () => {
  it('reads -k and -v detail lines into the device above them', () => {
    const text = [
      '01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1070] [10de:1b81] (rev a1)',
      '\tSubsystem: Gigabyte Technology Co., Ltd Device [1458:3702]',
      '\tFlags: bus master, fast devsel, latency 0, IRQ 16, IOMMU group 14',
      '\tKernel driver in use: vfio-pci',
      '\tKernel modules: nvidiafb, nouveau',
      '01:00.1 Audio device [0403]: NVIDIA Corporation GP104 High Definition Audio Controller [10de:10f0] (rev a1)',
      '\tIOMMU group: 14',
      '        Kernel driver in use: snd_hda_intel',
    ].join('\n')
    const {devices, warnings} = parseLspci(text)
    expect(warnings).toEqual([])
    expect(devices.map((d) => [d.address, d.subsystem, d.driver, d.modules, d.iommuGroup])).toEqual([
      ['0000:01:00.0', '1458:3702', 'vfio-pci', ['nvidiafb', 'nouveau'], 14],
      ['0000:01:00.1', undefined, 'snd_hda_intel', undefined, 14],
    ])
  })

  it('reads the subsystem in its -n and unnamed forms', () => {
    const {devices} = parseLspci('00:00.0 0600: 8086:1237 (rev 02)\n\tSubsystem: 1af4:1100\n00:01.0 Class 0604: Device 8086:9d10\n\tSubsystem: Device 8086:0000')
    expect(devices.map((d) => d.subsystem)).toEqual(['1af4:1100', '8086:0000'])
  })

  it('reads -vmmnnk records (Driver, Module, IOMMUGroup)', () => {
    const text = [
      'Slot:\t01:00.0',
      'Class:\tVGA compatible controller [0300]',
      'Vendor:\tNVIDIA Corporation [10de]',
      'Device:\tAD102 [GeForce RTX 4090] [2684]',
      'SVendor:\tGigabyte Technology Co., Ltd [1458]',
      'SDevice:\tDevice [4104]',
      'Rev:\ta1',
      'ProgIf:\t00',
      'Driver:\tvfio-pci',
      'Module:\tnouveau',
      'Module:\tnvidia',
      'IOMMUGroup:\t14',
      '',
      'Slot:\t0000:00:02.0',
      'Class:\tVGA compatible controller',
      'Vendor:\tIntel Corporation',
      'Device:\tCoffeeLake-S GT2 [UHD Graphics 630]',
    ].join('\n')
    expect(parseLspci(text).devices).toEqual([
      {
        address: '0000:01:00.0',
        className: 'VGA compatible controller',
        classCode: '0300',
        vendorId: '10de',
        deviceId: '2684',
        name: 'NVIDIA Corporation AD102 [GeForce RTX 4090]',
        subsystem: '1458:4104',
        revision: 'a1',
        driver: 'vfio-pci',
        modules: ['nouveau', 'nvidia'],
        iommuGroup: 14,
      },
      {address: '0000:00:02.0', className: 'VGA compatible controller', name: 'Intel Corporation CoffeeLake-S GT2 [UHD Graphics 630]'},
    ])
  })

  it('reads -vmmn (numbers only) and the older -vm (slot under "Device:")', () => {
    const numeric = parseLspci('Slot:\t00:00.0\nClass:\t0600\nVendor:\t8086\nDevice:\t3405\nSVendor:\t1043\nSDevice:\t836b\nRev:\t12\n')
    expect(numeric.devices).toEqual([
      {address: '0000:00:00.0', classCode: '0600', vendorId: '8086', deviceId: '3405', subsystem: '1043:836b', revision: '12'},
    ])
    const old = parseLspci('Device:\t00:00.0\nClass:\tHost bridge\nVendor:\tIntel Corporation\nDevice:\t5520/5500/X58 I/O Hub to ESI Port\n')
    expect(old.devices).toEqual([
      {address: '0000:00:00.0', className: 'Host bridge', name: 'Intel Corporation 5520/5500/X58 I/O Hub to ESI Port'},
    ])
  })

  it('skips hex dump lines, prompts and stray text', () => {
    const text = [
      '$ sudo lspci -nnvvvxxx',
      '00:00.0 Host bridge [0600]: Intel Corporation 4 Series Chipset DRAM Controller [8086:2e30] (rev 03)',
      '\tKernel driver in use: agpgart-intel',
      '00: 86 80 30 2e 06 00 90 20 03 00 00 06 00 00 00 00',
      'f10: 00 00 00 00 00 00 00 00 00 00 00 00 pcilib: sysfs_read_vpd: read failed: No such device',
      '----',
      'HIER BEN JE',
    ].join('\n')
    const {devices, warnings} = parseLspci(text)
    expect(devices).toHaveLength(1)
    expect(devices[0]!.driver).toBe('agpgart-intel')
    expect(warnings).toEqual([])
  })

  it('warns about impossible addresses, repeats and orphan detail lines', () => {
    const text = [
      '\tKernel driver in use: nvidia',
      '100:00.0 VGA compatible controller: X',
      '\tKernel driver in use: nouveau',
      '01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1070] [10de:1b81] (rev a1)',
      '01:00.0 VGA compatible controller: NVIDIA Corporation GP104 [GeForce GTX 1070] (rev a1)',
      '\tKernel driver in use: vfio-pci',
    ].join('\n')
    const {devices, warnings} = parseLspci(text)
    expect(devices).toEqual([
      {
        address: '0000:01:00.0',
        className: 'VGA compatible controller',
        classCode: '0300',
        name: 'NVIDIA Corporation GP104 [GeForce GTX 1070]',
        vendorId: '10de',
        deviceId: '1b81',
        revision: 'a1',
        driver: 'vfio-pci',
      },
    ])
    expect(warnings).toEqual([
      'line 1: "Kernel driver in use: nvidia" comes before any device',
      'line 2: impossible PCI address 100:00.0, device skipped',
      'line 5: 0000:01:00.0 listed again; merged with the first listing',
    ])
  })

  it('says when nothing in the text is lspci output', () => {
    expect(parseLspci('lspci: command not found')).toEqual({devices: [], warnings: ['no lspci device lines found']})
    expect(parseLspci('')).toEqual({devices: [], warnings: []})
  })

  it('keeps the warning list short on hostile input', () => {
    const {warnings} = parseLspci('100:00.0 x\n'.repeat(10_000))
    expect(warnings).toHaveLength(51)
    expect(warnings.at(-1)).toBe('9951 more warnings not shown')
  })
})

const lspciCorpus = corpusFiles('lspci')
const lspciPlain = lspciCorpus.map((file) => plainLspciCount(file.text))
const lspciDevices = lspciPlain.reduce((n, devices) => n + devices.length, 0)
const lspciWithDrivers = lspciPlain.reduce((n, devices) => n + devices.filter((d) => d.driver).length, 0)
const lspciWithIds = lspciPlain.reduce((n, devices) => n + devices.filter((d) => d.ids).length, 0)

describe.skipIf(!hasShared)(`corpus: ${lspciCorpus.length} lspci outputs, ${count(lspciDevices)} devices, ${count(lspciWithDrivers)} with drivers, ${count(lspciWithIds)} with ids`, () => {
  it.each(lspciCorpus.map((file, i) => [file.name, file.text, lspciPlain[i]!] as const))(
    '%s: devices, drivers and ids agree with a plain count',
    (_name, text, plain) => {
      const {devices, warnings} = parseLspci(text)
      expect(warnings).toEqual([])
      expect(devices.map((d) => ({address: d.address, driver: d.driver, ids: idsOf(d)}))).toEqual(
        plain.map((d) => ({address: d.address, driver: d.driver, ids: d.ids})),
      )
    },
  )
})

/** "10de:1b81" when the header line carried bracketed ids (-nn); the -n form has numbers but no class name. */
function idsOf(device: PciDevice): string | undefined {
  return device.className !== undefined && device.vendorId ? `${device.vendorId}:${device.deviceId}` : undefined
}

const dumps = corpusFiles('lspci-dumps')
const dumpDevices = dumps.reduce((n, file) => n + plainLspciCount(file.text).length, 0)

describe.skipIf(!hasShared)(`corpus: ${dumps.length} pciutils regression dumps (lspci -vvxxx), ${count(dumpDevices)} devices`, () => {
  it.each(dumps.map((file) => [file.name, file.text] as const))('%s: device headers agree with a plain count', (_name, text) => {
    const {devices, warnings} = parseLspci(text)
    expect(warnings).toEqual([])
    expect(devices.map((d) => d.address)).toEqual(plainLspciCount(text).map((d) => d.address))
  })
})

describe.skipIf(!hasLspci || !hasShared)('the real lspci reading the pciutils dumps in every flavour', () => {
  const flavours = [['-n'], ['-nn'], ['-D', '-nn'], ['-nnv'], ['-vv'], ['-nnvvv'], ['-mm'], ['-mmnn'], ['-mmn'], ['-vmm'], ['-vmmnn'], ['-vmmn'], ['-vm']]

  it.each(dumps.map((file) => [file.name] as const))('%s', (name) => {
    const file = join(corpusDir, 'lspci-dumps', name)
    const reference = parseLspci(lspciOnDump(file, ['-nn', '-D'])).devices
    expect(reference.length).toBeGreaterThan(0)
    for (const flavour of flavours) {
      const {devices, warnings} = parseLspci(lspciOnDump(file, flavour))
      const numbers = flavour.some((f) => /^-[mv]*n/.test(f))
      expect(warnings, flavour.join(' ')).toEqual([])
      expect(devices.map((d) => summary(d, numbers)), flavour.join(' ')).toEqual(reference.map((d) => summary(d, numbers)))
    }
  })

  /** What every flavour must agree on: the address, and the ids and class code when numbers were asked for. */
  function summary(device: PciDevice, numbers: boolean): unknown {
    return numbers
      ? {address: device.address, vendorId: device.vendorId, deviceId: device.deviceId, classCode: device.classCode, revision: device.revision}
      : {address: device.address, revision: device.revision}
  }
})

describe.skipIf(!hasLspci)('the real lspci reading a host with drivers and IOMMU groups', () => {
  const host: FakePciDevice[] = [
    {address: '0000:00:02.0', vendorId: '8086', deviceId: '3e92', classCode: '0300', revision: '02', driver: 'i915', iommuGroup: 0},
    {address: '0000:01:00.0', vendorId: '10de', deviceId: '1b81', classCode: '0300', revision: 'a1', subsystem: '1458:3702', driver: 'vfio-pci', iommuGroup: 14},
    {address: '0000:01:00.1', vendorId: '10de', deviceId: '10f0', classCode: '0403', revision: 'a1', subsystem: '1458:3702', driver: 'vfio-pci', iommuGroup: 14},
    {address: '0000:02:00.0', vendorId: '144d', deviceId: 'a808', classCode: '0108', revision: '01', driver: 'nvme', iommuGroup: 15},
    {address: '0001:03:00.0', vendorId: '8086', deviceId: '1539', classCode: '0200', revision: '03'},
  ]
  const root = hasLspci ? buildFakeSysfs(host) : ''
  afterAll(() => rmSync(root, {recursive: true, force: true}))

  const flavours: Array<{args: string[]; shows: Array<keyof FakePciDevice>}> = [
    {args: ['-nnk'], shows: ['vendorId', 'deviceId', 'classCode', 'subsystem', 'driver']},
    {args: ['-k'], shows: ['driver']},
    {args: ['-n', '-k'], shows: ['vendorId', 'deviceId', 'classCode', 'subsystem', 'driver']},
    {args: ['-v'], shows: ['driver', 'iommuGroup']},
    {args: ['-nnv'], shows: ['vendorId', 'deviceId', 'classCode', 'subsystem', 'driver', 'iommuGroup']},
    {args: ['-vv'], shows: ['driver', 'iommuGroup']},
    {args: ['-nnvvvxxx'], shows: ['vendorId', 'deviceId', 'classCode', 'subsystem', 'driver', 'iommuGroup']},
    {args: ['-vmm'], shows: ['iommuGroup']},
    {args: ['-vmmk'], shows: ['driver', 'iommuGroup']},
    {args: ['-vmmnnk'], shows: ['vendorId', 'deviceId', 'classCode', 'subsystem', 'driver', 'iommuGroup']},
    {args: ['-mmnn'], shows: ['vendorId', 'deviceId', 'classCode', 'subsystem']},
  ]

  it.each(flavours.map((f) => [f.args.join(' '), f] as const))('lspci %s', (_name, {args, shows}) => {
    const {devices, warnings} = parseLspci(lspciOn(root, args))
    expect(warnings).toEqual([])
    const pick = (d: Partial<FakePciDevice>) => Object.fromEntries(['address', 'revision', ...shows].map((k) => [k, d[k as keyof FakePciDevice]]))
    expect(devices.map(pick)).toEqual(host.map(pick))
  })
})

describeTotality({
  name: 'parseLspci',
  parse: parseLspci,
  realTexts: () => [...lspciCorpus, ...dumps].map((file) => file.text),
  skipReal: !hasShared,
  wellFormed: ({devices}) => {
    for (const device of devices) expect(device.address).toMatch(/^[0-9a-f]{4,8}:[0-9a-f]{2}:[01][0-9a-f]\.[0-7]$/)
    expect(new Set(devices.map((d) => d.address)).size).toBe(devices.length)
  },
})
