/**
 * `lspci -nnk` from sysfs and pci.ids (src/sources/live/pci-names.ts): pciutils' naming rules on real
 * pci.ids lines, and, where this machine has lspci and a pci.ids, the same text as its lspci.
 */
import {execFileSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {parsePciSysfs} from '../../src/parse/pci-sysfs.js'
import {collectPciSysfs} from '../../src/sources/live/pci.js'
import {findPciIds, PCI_IDS_PATHS, pciNamesSource} from '../../src/sources/live/pci-names.js'
import {FakeRoot, scriptedRunner} from '../helpers/fake-root.js'

const ctx = (root: string) => ({root, run: scriptedRunner({}), libvirtUri: 'test:///default', user: 'root'})

/** Lines of pci.ids 2023.04 (Debian's pci.ids package; https://pci-ids.ucw.cz), in its order and layout. */
const PCI_IDS = [
  '#\tList of PCI ID\'s',
  '',
  '10de  NVIDIA Corporation',
  '\t1b81  GP104 [GeForce GTX 1070]',
  '\t\t1458 3702  GV-N1070WF2OC-8GD',
  '\t10f0  GP104 High Definition Audio Controller',
  '1af4  Red Hat, Inc.',
  '\t1045  Virtio 1.0 memory balloon',
  '8086  Intel Corporation',
  '\t5912  HD Graphics 630',
  '',
  'C 03  Display controller',
  '\t00  VGA compatible controller',
  '\t\t00  VGA controller',
  'C 04  Multimedia controller',
  '\t03  Audio device',
  'C ff  Unassigned class',
  '',
].join('\n')

const DEVICES = [
  '0000:00:02.0 vendor=8086 device=5912 subsystem=1462:7a72 class=030000 revision=04 driver=i915',
  '0000:00:03.0 vendor=1af4 device=1045 subsystem=1af4:1045 class=ffff00 revision=01',
  '0000:01:00.0 vendor=10de device=1b81 subsystem=1458:3702 class=030000 revision=a1 driver=vfio-pci',
  '0000:01:00.1 vendor=10de device=10f0 subsystem=1458:3702 class=040300 revision=a1 driver=vfio-pci',
  '0000:02:00.0 vendor=8086 device=0d57 subsystem=0000:0000 class=060000 revision=00',
  '0000:03:00.0 vendor=abcd device=1234 class=120000',
].join('\n')

describe('pciNamesSource', () => {
  it('names devices as lspci -nnk does', async () => {
    const root = new FakeRoot().file('usr/share/misc/pci.ids', PCI_IDS)
    const source = await pciNamesSource(ctx(root.dir), '/usr/share/misc/pci.ids', parsePciSysfs(DEVICES).devices)
    expect(source.origin).toBe('lspci -nnk, as /sys/bus/pci/devices and /usr/share/misc/pci.ids give it')
    expect(source.text!.split('\n')).toEqual([
      '00:02.0 VGA compatible controller [0300]: Intel Corporation HD Graphics 630 [8086:5912] (rev 04)',
      // A subsystem vendor pci.ids does not know: "Device".
      '\tSubsystem: Device [1462:7a72]',
      '\tKernel driver in use: i915',
      // A subclass pci.ids lacks: its class's name; the subsystem is the device itself: its name.
      '00:03.0 Unassigned class [ffff]: Red Hat, Inc. Virtio 1.0 memory balloon [1af4:1045] (rev 01)',
      '\tSubsystem: Red Hat, Inc. Virtio 1.0 memory balloon [1af4:1045]',
      '01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1070] [10de:1b81] (rev a1)',
      // A subsystem vendor pci.ids does not know, with the card's own entry.
      '\tSubsystem: Device [1458:3702]',
      '\tKernel driver in use: vfio-pci',
      '01:00.1 Audio device [0403]: NVIDIA Corporation GP104 High Definition Audio Controller [10de:10f0] (rev a1)',
      '\tSubsystem: Device [1458:3702]',
      '\tKernel driver in use: vfio-pci',
      // An unknown device of a known vendor; revision 0 and subsystem 0000 are not printed.
      '02:00.0 Class [0600]: Intel Corporation Device [8086:0d57]',
      // An unknown vendor and class.
      '03:00.0 Class [1200]: Device [abcd:1234]',
      '',
    ])
  })

  it('reads a pci.ids larger than 16 MB as an error, not into memory', async () => {
    const root = new FakeRoot().file('usr/share/misc/pci.ids', 'x'.repeat(16 * 1024 * 1024 + 1))
    expect(await pciNamesSource(ctx(root.dir), '/usr/share/misc/pci.ids', [])).toMatchObject({status: 'error', reason: /larger than/})
  })

  it.each([
    ['Debian', 'usr/share/misc/pci.ids', '/usr/share/misc/pci.ids'],
    ['Fedora and Arch', 'usr/share/hwdata/pci.ids', '/usr/share/hwdata/pci.ids'],
  ])('finds pci.ids where %s keeps it', async (_, file, path) => {
    expect(findPciIds(ctx(new FakeRoot().file(file, PCI_IDS).dir))).toBe(path)
  })

  it('finds none on a host without it (NixOS): lspci names the devices', async () => {
    expect(findPciIds(ctx(new FakeRoot().folder('usr/share').dir))).toBeUndefined()
  })

  const here = PCI_IDS_PATHS.find((p) => existsSync(p))
  const lspci = (() => {
    try {
      return execFileSync('lspci', ['-nnk'], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env: {...process.env, LC_ALL: 'C'}})
    } catch {
      return undefined
    }
  })()

  it.runIf(here !== undefined && lspci !== undefined && existsSync('/sys/bus/pci/devices'))('gives what this machine\'s lspci -nnk prints, but for "Kernel modules:" and "DeviceName:"', async () => {
    const sysfs = await collectPciSysfs(ctx('/'))
    const ours = await pciNamesSource(ctx('/'), here!, parsePciSysfs(sysfs.text!).devices)
    expect(ours.text).toBe(lspci!.split('\n').filter((l) => !/^\t(?:Kernel modules|DeviceName):/.test(l)).join('\n'))
  })
})
