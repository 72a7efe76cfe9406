/**
 * The live sysfs reader and the real lspci, on one capture: our pci-sysfs text and `lspci -nnkv`'s
 * output, each through its own parser, must agree on every device's ids, class, driver and group.
 */
import {describe, expect, it} from 'vitest'
import {parseLspci} from '../../src/parse/lspci.js'
import {parsePciSysfs} from '../../src/parse/pci-sysfs.js'
import {collectLive} from '../../src/sources/live/index.js'
import {buildFakeSysfs, lspciOn, type FakePciDevice} from '../parse/fake-sysfs.js'
import {hasLspci} from '../helpers/tools.js'
import {FakeRoot, scriptedRunner} from '../helpers/fake-root.js'

// Seed 000's host as its IOMMU listing shows it, with the iGPU the fixed setup turned on.
const DEVICES: FakePciDevice[] = [
  {address: '0000:00:00.0', vendorId: '8086', deviceId: '591f', classCode: '0600', revision: '05', iommuGroup: 0},
  {address: '0000:00:01.0', vendorId: '8086', deviceId: '1901', classCode: '0604', revision: '05', driver: 'pcieport', iommuGroup: 1},
  {address: '0000:00:02.0', vendorId: '8086', deviceId: '5912', classCode: '0300', revision: '04', driver: 'i915', iommuGroup: 2},
  {address: '0000:01:00.0', vendorId: '1002', deviceId: '67df', classCode: '0300', revision: 'e7', subsystem: '1458:22fc', driver: 'vfio-pci', iommuGroup: 1},
  {address: '0000:01:00.1', vendorId: '1002', deviceId: 'aaf0', classCode: '0403', revision: '00', subsystem: '1458:aaf0', driver: 'vfio-pci', iommuGroup: 1},
  {address: '0000:02:00.0', vendorId: '10ec', deviceId: '8168', classCode: '0200', revision: '15', driver: 'r8169', iommuGroup: 8},
]

describe.runIf(hasLspci)('the sysfs reader and the real lspci on one capture', () => {
  it('agree on every device: ids, class, driver and IOMMU group', async () => {
    const sys = buildFakeSysfs(DEVICES)
    const root = new FakeRoot().link('sys', sys)
    const set = await collectLive({root: root.dir, run: scriptedRunner({}), user: 'root'})
    const ours = parsePciSysfs(set.sources.find((s) => s.kind === 'pciSysfs')!.text!).devices
    const theirs = parseLspci(lspciOn(sys, ['-nnkv'])).devices
    const view = (d: {address: string; vendorId?: string; deviceId?: string; classCode?: string; driver?: string; iommuGroup?: number}) =>
      `${d.address} ${d.vendorId}:${d.deviceId} [${d.classCode}] driver=${d.driver ?? '-'} group=${d.iommuGroup ?? '-'}`
    expect(ours.map(view)).toEqual(theirs.map(view))
    expect(ours.map(view)).toContain('0000:01:00.0 1002:67df [0300] driver=vfio-pci group=1')
    expect(ours).toHaveLength(DEVICES.length)
  })
})
