/**
 * Domain XML built from what the seed documents quote, read from the seeds at test time so the
 * tests use their real lines (placeholders like "your-mouse-here" swapped for real by-id names).
 */
import {join} from 'node:path'
import {hasShared, readShared, seedsDir} from './paths.js'

export const SEED_001 = '001_5802c661ff60c12a.txt'
export const SEED_003 = '003_2a7385938a418358.txt'

/** Real by-id names (a USB receiver's mouse interface and a keyboard), as udev makes them. */
export const MOUSE_EVENT = '/dev/input/by-id/usb-Logitech_USB_Receiver-if01-event-mouse'
export const KEYBOARD_EVENT = '/dev/input/by-id/usb-Logitech_Gaming_Keyboard_G213_167C305A3330-event-kbd'

export function seedText(file: string): string {
  return readShared(join(seedsDir, file))
}

/** Every ```xml block of a Markdown seed, dedented. */
export function seedXmlBlocks(file: string): string[] {
  return [...seedText(file).matchAll(/^( *)```xml\n([\s\S]*?)^ *```/gm)].map(([, indent, body]) =>
    body!
      .split('\n')
      .map((line) => (line.startsWith(indent!) ? line.slice(indent!.length) : line))
      .join('\n'),
  )
}

/** The block holding `holding` ('' without ../shared). */
function block(file: string, holding: string): string {
  if (!hasShared) return ''
  const found = seedXmlBlocks(file).find((b) => b.includes(holding))
  if (!found) throw new Error(`no xml block with ${holding} in ${file}`)
  return found
}

/** Seed 003's Looking Glass block: spice graphics for input, <video> model none, a 32M looking-glass shmem. */
export function seed003LookingGlass(): string {
  return block(SEED_003, "<shmem name='looking-glass'>")
}

/** Seed 003's evdev block, with real device names for its placeholders. */
export function seed003Evdev(mouse = MOUSE_EVENT, keyboard = KEYBOARD_EVENT): string {
  return block(SEED_003, 'your-mouse-here').replace('/dev/input/by-id/your-mouse-here', mouse).replace('/dev/input/by-id/your-keyboard-here', keyboard)
}

/** Seed 003's KMonad evdev input: a udev symlink without "event" in its name, which is fine. */
export function seed003Kmonad(): string {
  return block(SEED_003, 'KMONAD_DEVICE')
}

export function seed003Scream(): string {
  return block(SEED_003, '<shmem name="scream">')
}

/** Seed 001's <shmem> lines as pasted: the page lost its </shmem> ('' without ../shared). */
export function seed001Shmem(): string {
  if (!hasShared) return ''
  const m = /<shmem name="looking-glass">[\s\S]*?<address [^\n]*\/>/.exec(seedText(SEED_001))
  if (!m) throw new Error('no shmem in seed 001')
  return m[0]
}

/** The tablet virt-manager adds, as seed 001 quotes it for removal. */
export const TABLET = '<input type="tablet" bus="usb">\n  <address type="usb" bus="0" port="1"/>\n</input>'

/** A PCI hostdev for a host address "01:00.0". */
export function hostdev(address: string): string {
  const [bus, slot, fn] = address.split(/[:.]/)
  return `<hostdev mode="subsystem" type="pci" managed="yes">\n  <source>\n    <address domain="0x0000" bus="0x${bus}" slot="0x${slot}" function="0x${fn}"/>\n  </source>\n</hostdev>`
}

/** A qcow2 disk image on `bus` (target vda or sda), as virt-manager adds it. */
export function diskImage(name: string, bus: 'virtio' | 'sata'): string {
  return `<disk type="file" device="disk">\n  <driver name="qemu" type="qcow2"/>\n  <source file="/var/lib/libvirt/images/${name}.qcow2"/>\n  <target dev="${bus === 'virtio' ? 'vda' : 'sda'}" bus="${bus}"/>\n</disk>`
}

/**
 * A Windows domain with these devices; by default it passes seed 003's GTX 1070 (01:00.0) and its HDMI
 * audio (01:00.1). `osId` adds the libosinfo id virt-manager records (http://microsoft.com/win/11).
 */
export function domainXml(devices: string[], options: {name?: string; hostdevs?: string[]; osId?: string} = {}): string {
  const passed = (options.hostdevs ?? ['01:00.0', '01:00.1']).map(hostdev)
  const metadata = options.osId
    ? `  <metadata>\n    <libosinfo:libosinfo xmlns:libosinfo="http://libosinfo.org/xmlns/libvirt/domain/1.0">\n      <libosinfo:os id="${options.osId}"/>\n    </libosinfo:libosinfo>\n  </metadata>\n`
    : ''
  return `<domain type="kvm">
  <name>${options.name ?? 'win10'}</name>
${metadata}  <memory unit="KiB">8388608</memory>
  <vcpu placement="static">4</vcpu>
  <os firmware="efi">
    <type arch="x86_64" machine="pc-q35-6.1">hvm</type>
  </os>
  <devices>
${[...devices, ...passed].join('\n').replace(/^/gm, '    ')}
  </devices>
</domain>
`
}
