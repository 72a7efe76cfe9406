/**
 * checks/lib/domain.ts, read from real libvirt XML shapes: which guest OS a domain says it runs (and on
 * what evidence), which disks are installer media, which hostdevs are PCI devices of the host, and
 * which domains are x86 (the only ones OVMF, Hyper-V and topology advice is about).
 */
import {describe, expect, it} from 'vitest'
import {bootsUefi, domainLabel, domainsShowing, domainSubject, guestOs, isIso, isX86, passedDevices, windowsIn} from '../../checks/lib/domain.js'
import {assembleFacts} from '../../src/facts/assemble.js'
import type {Facts} from '../../src/facts/types.js'
import {sourceSetFromFiles} from '../helpers/check-tester.js'

const facts = (xml: string, extra: Record<string, string> = {}): Facts => assembleFacts(sourceSetFromFiles({'vm.xml': xml, ...extra}), {})
const domainOf = (xml: string) => facts(xml).domains![0]!
const xml = (name: string, devices: string, more = '') => `<domain type='kvm'><name>${name}</name><os><type arch='x86_64' machine='q35'>hvm</type></os>${more}<devices>${devices}</devices></domain>\n`
const cdrom = (file: string) => `<disk type='file' device='cdrom'><driver name='qemu' type='raw'/><source file='${file}'/><target dev='sdb' bus='sata'/><readonly/></disk>`
const fileDisk = (file: string) => `<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${file}'/><target dev='vda' bus='virtio'/></disk>`

describe('how findings name a domain, its firmware, and fragments', () => {
  const two = assembleFacts(
    sourceSetFromFiles({
      win10: "<domain type='kvm'><name>win10</name><os><type arch='x86_64' machine='q35'>hvm</type><loader readonly='yes' type='rom'>/usr/share/edk2/x64/OVMF_CODE.fd</loader></os><devices/></domain>\n",
      'b.xml': "<domain type='kvm'><os><type arch='x86_64'>hvm</type></os><devices/></domain>\n",
    }),
    {},
  ).domains!
  it('by name, with the file when it is another name; an unnamed one by its file', () => {
    expect(two.map((d) => [domainLabel(d), domainSubject(d)])).toEqual([
      ['domain win10', 'win10'],
      ['domain (unnamed) (b.xml)', 'b.xml'],
    ])
  })
  it('an edk2 image as a ROM loader boots UEFI; no loader is SeaBIOS', () => {
    expect(two.map(bootsUefi)).toEqual([true, false])
  })
  it('a pasted <hostdev> alone is a fragment: a check that needs <os> or <features> skips, and says why', () => {
    const frag = facts("<hostdev mode='subsystem' type='pci' managed='yes'>\n  <source>\n    <address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>\n  </source>\n</hostdev>\n")
    const skips: string[] = []
    expect(domainsShowing(frag, {skip: (reason: string) => skips.push(reason)} as unknown as Parameters<typeof domainsShowing>[1], 'os', 'features')).toEqual([])
    expect(skips).toEqual(['the domain XML is a fragment without <os> or <features>'])
    expect(domainsShowing(frag, {skip: () => undefined} as unknown as Parameters<typeof domainsShowing>[1], 'hostdev')).toHaveLength(1)
  })
})

describe('guestOs', () => {
  it('an installer ISO names Windows when the domain name does not; the virtio-win driver ISO does not count', () => {
    const os = guestOs(domainOf(xml('gaming', cdrom('/var/lib/libvirt/images/virtio-win-0.1.229.iso') + cdrom('/var/lib/libvirt/images/Win11_23H2_English_x64.iso'))))
    expect(os).toEqual({windows: true, version: '11', evidence: 'cdrom /var/lib/libvirt/images/Win11_23H2_English_x64.iso'})
  })
  it('the virtio-win ISO alone says nothing; Hyper-V enlightenments then say Windows', () => {
    expect(guestOs(domainOf(xml('gaming', cdrom('/iso/virtio-win-0.1.229.iso'))))).toBeUndefined()
    expect(guestOs(domainOf(xml('gaming', cdrom('/iso/virtio-win-0.1.229.iso'), "<features><acpi/><hyperv mode='custom'><relaxed state='on'/></hyperv></features>")))).toEqual({windows: true, evidence: 'Hyper-V enlightenments in <features><hyperv>'})
  })
  it('the domain name comes before the disks', () => {
    expect(guestOs(domainOf(xml('win10', cdrom('/iso/Win11_23H2_English_x64.iso'))))).toEqual({windows: true, version: '10', evidence: 'domain name win10'})
  })
  it('windowsIn: tiny11 is Windows 11; a name without a version is Windows of no known version; "twin" is not Windows', () => {
    expect(windowsIn('tiny11_23h2.iso')).toEqual({windows: true, version: '11'})
    expect(windowsIn('Windows-Server')).toEqual({windows: true, version: 'server'})
    expect(windowsIn('windows')).toEqual({windows: true})
    expect(windowsIn('twin-peaks')).toBeUndefined()
  })
})

describe('isIso', () => {
  it('a cdrom is installer media whatever its file; a disk is only when its file ends in .iso', () => {
    const d = domainOf(xml('vm', cdrom('/dev/sr0') + fileDisk('/iso/ubuntu-24.04.iso') + fileDisk('/var/lib/libvirt/images/win.qcow2') + fileDisk('/iso/notes.iso.txt')))
    expect(d.disks.map(isIso)).toEqual([true, true, false, false])
  })
})

describe('isX86', () => {
  it('x86_64, i686 and no arch are x86; aarch64 is not', () => {
    const arch = (a: string) => isX86(domainOf(`<domain type='kvm'><name>vm</name><os><type arch='${a}' machine='virt'>hvm</type></os><devices/></domain>\n`))
    expect([arch('x86_64'), arch('i686'), arch('aarch64')]).toEqual([true, true, false])
    expect(isX86(domainOf("<domain type='kvm'><name>vm</name><os><type>hvm</type></os><devices/></domain>\n"))).toBe(true)
  })
})

describe('passedDevices', () => {
  it('is the PCI hostdevs with their host address (and device when listed); a USB hostdev is not one', () => {
    const pci = "<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/></source></hostdev>"
    const usb = "<hostdev mode='subsystem' type='usb' managed='yes'><source><vendor id='0x046d'/><product id='0xc52b'/></source></hostdev>"
    const f = facts(xml('win10', pci + usb), {'lspci-nn.txt': '01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1070] [10de:1b81] (rev a1)\n'})
    const passed = passedDevices(f.domains![0]!, f)
    expect(passed.map((p) => [p.address, p.device?.deviceId])).toEqual([['0000:01:00.0', '1b81']])
  })
})
