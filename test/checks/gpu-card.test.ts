/**
 * checks/lib/gpu.ts, the helpers several checks share: which functions belong to a GPU's card, what an
 * evidence line says of a device's driver, a card's id list, and which host devices libvirt binds itself.
 * The APU rows are the real Proxmox 5700U lspci (gammaman88, in the corpus): its slot 05:00 holds the
 * GPU and HDMI audio (vendor 1002) and six CPU functions (PSP, USB, audio processor: vendor 1022).
 */
import {describe, expect, it} from 'vitest'
import {cardFunctions, driverText, idList, managedHostdevs} from '../../checks/lib/gpu.js'
import {assembleFacts} from '../../src/facts/assemble.js'
import type {Facts} from '../../src/facts/types.js'
import {sourceSetFromFiles, type EvidenceFiles} from '../helpers/check-tester.js'

const APU_SLOT = [
  '05:00.0 VGA compatible controller [0300]: Advanced Micro Devices, Inc. [AMD/ATI] Lucienne [1002:164c] (rev c1)',
  '05:00.1 Audio device [0403]: Advanced Micro Devices, Inc. [AMD/ATI] Renoir Radeon High Definition Audio Controller [1002:1637]',
  '05:00.2 Encryption controller [1080]: Advanced Micro Devices, Inc. [AMD] Family 17h (Models 10h-1fh) Platform Security Processor [1022:15df]',
  '05:00.3 USB controller [0c03]: Advanced Micro Devices, Inc. [AMD] Renoir/Cezanne USB 3.1 [1022:1639]',
]
/** The same slot as `lspci` without -nn prints it: no ids, so no vendor to tell the functions apart. */
const APU_SLOT_NAMES = [
  '05:00.0 VGA compatible controller: Advanced Micro Devices, Inc. [AMD/ATI] Lucienne (rev c1)',
  '05:00.1 Audio device: Advanced Micro Devices, Inc. [AMD/ATI] Renoir Radeon High Definition Audio Controller',
  '05:00.2 Encryption controller: Advanced Micro Devices, Inc. [AMD] Family 17h (Models 10h-1fh) Platform Security Processor',
]
/** Its kernel log gives every function a group of its own (groups 15-18). */
const OWN_GROUPS = ['0', '1', '2', '3'].map((f, i) => `[    0.445289] pci 0000:05:00.${f}: Adding to iommu group ${15 + i}`)

const facts = (files: EvidenceFiles): Facts => assembleFacts(sourceSetFromFiles(files), {})
const text = (lines: string[]) => `${lines.join('\n')}\n`
const functionsOf = (f: Facts, address: string) => cardFunctions(f, f.pciDevices!.find((d) => d.address === address)!).map((d) => d.address)

describe('cardFunctions', () => {
  it("an APU's card is its slot's functions of its vendor: the CPU's functions in their own groups are not", () => {
    const f = facts({'lspci-nn.txt': text(APU_SLOT), 'dmesg.txt': text(OWN_GROUPS)})
    expect(functionsOf(f, '0000:05:00.0')).toEqual(['0000:05:00.0', '0000:05:00.1'])
  })
  it('with no group known, a function of another vendor is not the card’s', () => {
    expect(functionsOf(facts({'lspci-nn.txt': text(APU_SLOT)}), '0000:05:00.0')).toEqual(['0000:05:00.0', '0000:05:00.1'])
  })
  it('a function of another vendor in the GPU’s own IOMMU group goes with it (a group listing, not the lspci, says so)', () => {
    const listing = `IOMMU Group 15:\n${APU_SLOT.map((l) => `\t${l}`).join('\n')}\n`
    const f = facts({'lspci-nn.txt': text(APU_SLOT), 'iommu-groups.txt': listing})
    expect(functionsOf(f, '0000:05:00.0')).toEqual(['0000:05:00.0', '0000:05:00.1', '0000:05:00.2', '0000:05:00.3'])
  })
  it('groups from the kernel log alone count too: the GPU and a CPU function added to one group go together', () => {
    const oneGroup = ['0', '1', '2', '3'].map((f) => `[    0.445289] pci 0000:05:00.${f}: Adding to iommu group 15`)
    const f = facts({'lspci-nn.txt': text(APU_SLOT), 'dmesg.txt': text(oneGroup)})
    expect(functionsOf(f, '0000:05:00.0')).toEqual(['0000:05:00.0', '0000:05:00.1', '0000:05:00.2', '0000:05:00.3'])
  })
  it('a group listing alone: a function of another vendor in another group is not the card’s', () => {
    const listing = `IOMMU Group 15:\n\t${APU_SLOT[0]}\n\t${APU_SLOT[1]}\nIOMMU Group 17:\n\t${APU_SLOT[2]}\n\t${APU_SLOT[3]}\n`
    expect(functionsOf(facts({'iommu-groups.txt': listing}), '0000:05:00.0')).toEqual(['0000:05:00.0', '0000:05:00.1'])
  })
  it('without ids no vendor tells the functions apart: the whole slot is the card', () => {
    expect(functionsOf(facts({'lspci.txt': text(APU_SLOT_NAMES)}), '0000:05:00.0')).toEqual(['0000:05:00.0', '0000:05:00.1', '0000:05:00.2'])
  })
})

describe('driverText', () => {
  const device = (files: EvidenceFiles) => {
    const f = facts(files)
    return driverText(f, f.pciDevices!.find((d) => d.address === '0000:01:00.0')!)
  }
  it('names the driver in use', () => {
    expect(device({'lspci-nnk.txt': '01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1070] [10de:1b81] (rev a1)\n\tKernel driver in use: vfio-pci\n\tKernel modules: nouveau\n'})).toBe('driver vfio-pci')
  })
  it('says "no driver" only where the evidence shows it unbound (lspci -k with modules and no driver in use)', () => {
    expect(device({'lspci-nnk.txt': '01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1070] [10de:1b81] (rev a1)\n\tKernel modules: nouveau\n'})).toBe('no driver')
  })
  it('says "driver unknown" for an lspci without -k, which does not say', () => {
    expect(device({'lspci-nn.txt': '01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1070] [10de:1b81] (rev a1)\n'})).toBe('driver unknown')
  })
})

describe('idList', () => {
  it("joins each function's ids once, and leaves out a function whose ids are unknown", () => {
    const f = facts({'lspci.txt': text([...APU_SLOT.slice(0, 2), '05:00.1 Audio device [0403]: Advanced Micro Devices, Inc. [AMD/ATI] Renoir Radeon High Definition Audio Controller [1002:1637]', APU_SLOT_NAMES[2]!.replace('05:00.2', '06:00.0')])})
    expect(idList(f.pciDevices!)).toBe('1002:164c,1002:1637')
  })
})

describe('managedHostdevs', () => {
  const domain = (hostdevs: string) => `<domain type='kvm'><name>win10</name><devices>${hostdevs}</devices></domain>\n`
  const pci = (managed: string, slot: string) => `<hostdev mode='subsystem' type='pci' managed='${managed}'><source><address domain='0x0000' bus='0x01' slot='0x00' function='${slot}'/></source></hostdev>`
  it("is the PCI host devices with managed='yes' only: libvirt binds those to vfio-pci itself", () => {
    const usb = "<hostdev mode='subsystem' type='usb' managed='yes'><source><vendor id='0x046d'/><product id='0xc52b'/></source></hostdev>"
    const f = facts({'win10.xml': domain(pci('yes', '0x0') + pci('no', '0x1') + usb)})
    expect([...managedHostdevs(f)]).toEqual(['0000:01:00.0'])
  })
})
