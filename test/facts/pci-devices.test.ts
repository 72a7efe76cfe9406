/**
 * src/facts/merge-pci.ts and guest-gpus.ts: PCI addresses in every form the evidence writes them,
 * device lists merged field by field, what a class makes a device, and which GPU is the guest's.
 */
import {describe, expect, it} from 'vitest'
import {bootVga, inferGuestGpus, intelIgpu} from '../../src/facts/guest-gpus.js'
import {idsOf, isBridge, isDisplayDevice, mergePciDevices, normalizePciAddress, slotOf} from '../../src/facts/merge-pci.js'
import {assembleFacts} from '../../src/facts/assemble.js'
import type {PciDevice} from '../../src/facts/types.js'
import {sourceSetFromFiles, type EvidenceFiles} from '../helpers/check-tester.js'

const facts = (files: EvidenceFiles) => assembleFacts(sourceSetFromFiles(files), {})
/** Seed 004's kind of host: an HD 630 iGPU at 00:02.0 and a GTX 1070 with its audio function. */
const LSPCI = [
  '00:02.0 VGA compatible controller [0300]: Intel Corporation HD Graphics 630 [8086:5912] (rev 04)',
  '01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1070] [10de:1b81] (rev a1)',
  '01:00.1 Audio device [0403]: NVIDIA Corporation GP104 High Definition Audio Controller [10de:10f0] (rev a1)',
].join('\n') + '\n'

describe('normalizePciAddress', () => {
  it.each([
    ['01:00.0', '0000:01:00.0'],
    ['0000:01:00.0', '0000:01:00.0'],
    ['pci_0000_01_00_0', '0000:01:00.0'],
    ['0000_01_00_0', '0000:01:00.0'],
    ['0000:0A:1f.7', '0000:0a:1f.7'],
    [' 01:00.0 ', '0000:01:00.0'],
    ['0000:01:1.0', '0000:01:01.0'],
  ])('%s is %s', (text, address) => expect(normalizePciAddress(text)).toBe(address))
  it.each([['01:00.8'], ['1:00.0'], ['pci_0000_01_00'], ['01:00.0.1'], ['x01:00.0']])('%s is not an address', (text) => expect(normalizePciAddress(text)).toBeUndefined())
})

describe('devices by class and id', () => {
  const device = (fields: Partial<PciDevice>): PciDevice => ({address: '0000:01:00.0', ...fields})
  it('a class code decides; without one, the class name', () => {
    expect(['0300', '0301', '0302', '0380', '0403', '0c03'].map((classCode) => isDisplayDevice(device({classCode})))).toEqual([true, true, true, true, false, false])
    expect(['VGA compatible controller', '3D controller', 'Display controller', 'Audio device'].map((className) => isDisplayDevice(device({className})))).toEqual([true, true, true, false])
    expect(isDisplayDevice(device({classCode: '0403', className: 'VGA compatible controller'}))).toBe(false)
    expect(isDisplayDevice(device({}))).toBe(false)
  })
  it('host bridges and PCI-to-PCI bridges are bridges; an ISA bridge is not', () => {
    expect(['0600', '0604', '0609', '0601', '0300'].map((classCode) => isBridge(device({classCode})))).toEqual([true, true, true, false, false])
    expect(['Host bridge', ' PCI bridge ', 'ISA bridge', 'PCI bridge to nowhere'].map((className) => isBridge(device({className})))).toEqual([true, true, false, false])
    expect(isBridge(device({}))).toBe(false)
  })
  it('ids need both halves; the slot is the address without its function', () => {
    expect(idsOf(device({vendorId: '10de', deviceId: '1b81'}))).toBe('10de:1b81')
    expect(idsOf(device({vendorId: '10de'}))).toBeUndefined()
    expect(idsOf(device({deviceId: '1b81'}))).toBeUndefined()
    expect(slotOf('0000:01:00.1')).toBe('0000:01:00')
    expect(slotOf('0000:01:00')).toBe('0000:01:00')
  })
})

describe('mergePciDevices', () => {
  it('one device per address, in address order; the earlier list wins a field, a later one fills the gaps', () => {
    const sysfs = [{address: '0000:01:00.0', driver: 'vfio-pci', name: undefined}] as PciDevice[]
    const lspci = [{address: '01:00.0', driver: 'nouveau', name: 'GP104'}, {address: '00:02.0'}] as PciDevice[]
    expect(mergePciDevices([sysfs, lspci])).toEqual([{address: '0000:00:02.0'}, {address: '0000:01:00.0', driver: 'vfio-pci', name: 'GP104'}])
  })
})

describe('the guest GPU', () => {
  it('--gpu names it, in any address form; one that is not an address names none', () => {
    expect(inferGuestGpus(facts({'lspci.txt': LSPCI}), '01:00.0')).toEqual(['0000:01:00.0'])
    expect(inferGuestGpus(facts({'lspci.txt': LSPCI}), '1:00.0')).toBeUndefined()
  })
  it('without a device list nothing can be marked', () => expect(inferGuestGpus(facts({'cmdline.txt': 'vfio-pci.ids=10de:1b81\n'}))).toBeUndefined())
  it('vfio-pci.ids naming the iGPU beside the GTX 1070: the GTX 1070 is the guest\'s, the iGPU a mistake', () => {
    expect(inferGuestGpus(facts({'lspci.txt': LSPCI, 'cmdline.txt': 'vfio-pci.ids=8086:5912,10de:1b81,10de:10f0\n'}))).toEqual(['0000:01:00.0'])
  })
  it('the iGPU alone in vfio-pci.ids: then it is the one meant', () => {
    expect(inferGuestGpus(facts({'lspci.txt': LSPCI, 'cmdline.txt': 'vfio-pci.ids=8086:5912\n'}))).toEqual(['0000:00:02.0'])
  })
  it('a qemu error quoting -device vfio-pci,host=01:00.0 passes that GPU', () => {
    const log = 'qemu-system-x86_64: -device vfio-pci,host=01:00.0,id=hostdev0: vfio 0000:01:00.0: failed to setup container for group 1: Failed to set iommu for container: Operation not permitted\n'
    expect(inferGuestGpus(facts({'lspci.txt': LSPCI, 'qemu.log': log}))).toEqual(['0000:01:00.0'])
  })
  it('nothing marks a GPU: none', () => expect(inferGuestGpus(facts({'lspci.txt': LSPCI}))).toEqual([]))
})

describe('the boot display', () => {
  it("vgaarb's last choice in the kernel log, when sysfs does not say", () => {
    const dmesg = '[    0.3] pci 0000:01:00.0: vgaarb: setting as boot VGA device\n[    0.4] pci 0000:00:02.0: vgaarb: setting as boot VGA device\n'
    expect(bootVga(facts({'lspci.txt': LSPCI, 'dmesg.txt': dmesg}))).toEqual({address: '0000:00:02.0', evidence: 'kernel log line 2: pci 0000:00:02.0: vgaarb: setting as boot VGA device'})
  })
  it('sysfs boot_vga=1 wins', () => {
    const sysfs = '0000:01:00.0 vendor=10de device=1b81 class=030000 driver=nouveau boot_vga=1 iommu_group=1\n'
    expect(bootVga(facts({'pci-sysfs.txt': sysfs, 'dmesg.txt': '[    0.4] pci 0000:00:02.0: vgaarb: setting as boot VGA device\n'}))).toEqual({address: '0000:01:00.0', evidence: '0000:01:00.0 boot_vga=1 (sysfs)'})
  })
  it("Intel's iGPU is the Intel display device at 00:02.0 only", () => {
    const devices = facts({'lspci.txt': LSPCI}).pciDevices!
    expect(intelIgpu(devices)?.address).toBe('0000:00:02.0')
    expect(intelIgpu(devices.filter((d) => d.address !== '0000:00:02.0'))).toBeUndefined()
    expect(intelIgpu([{...devices[0]!, vendorId: '1002'}])).toBeUndefined()
  })
})
