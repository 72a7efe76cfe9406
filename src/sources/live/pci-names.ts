/**
 * What `lspci -nnk` prints, from the sysfs devices and the pci.ids file lspci itself reads, without
 * starting lspci: a program costs a live run a fork of this process and execa's machinery, and lspci
 * competes for the other core with virsh. The names follow pciutils' rules (lib/names.c): a device
 * pci.ids does not know is "Device", a subsystem equal to its device takes the device's name, a class
 * without its subclass is the class's name. lspci alone prints "Kernel modules:" (from modules.alias)
 * and "DeviceName:" (firmware labels); no check needs them where sysfs names the driver in use.
 * Where no pci.ids is found (NixOS keeps it in the Nix store, where only lspci knows it), lspci runs.
 */
import type {PciDevice} from '../../facts/types.js'
import {readRegularFile} from '../regular-file.js'
import type {Source} from '../types.js'
import {hostPath, type LiveContext} from './context.js'
import {exists} from './files.js'

/** Where distributions install pci.ids (hwdata: Fedora, Arch, openSUSE; misc: Debian, Ubuntu). */
export const PCI_IDS_PATHS = ['/usr/share/hwdata/pci.ids', '/usr/share/misc/pci.ids', '/usr/share/pci.ids']
/** pci.ids is about 1.4 MB; a file far larger is not it. */
const MAX_PCI_IDS_BYTES = 16 * 1024 * 1024

/** The pci.ids this host has, if any: checked before anything else, so that lspci starts first where there is none. */
export function findPciIds(ctx: LiveContext): string | undefined {
  return PCI_IDS_PATHS.find((path) => exists(ctx, path))
}

export async function pciNamesSource(ctx: LiveContext, idsPath: string, devices: PciDevice[]): Promise<Source> {
  const origin = `lspci -nnk, as /sys/bus/pci/devices and ${idsPath} give it`
  let ids: PciIds
  try {
    ids = new PciIds(await readRegularFile(hostPath(ctx, idsPath), {maxBytes: MAX_PCI_IDS_BYTES}))
  } catch (err) {
    return {kind: 'lspci', origin, status: 'error', reason: `${idsPath}: ${(err as Error).message}`}
  }
  const withDomain = devices.some((d) => !d.address.startsWith('0000:'))
  const lines = devices.flatMap((d) => lspciLines(d, ids, withDomain))
  return {kind: 'lspci', origin, status: 'ok', text: lines.length ? lines.join('\n') + '\n' : ''}
}

function lspciLines(d: PciDevice, ids: PciIds, withDomain: boolean): string[] {
  const slot = withDomain ? d.address : d.address.slice(5)
  const vendor = d.vendorId ?? 'ffff'
  const device = d.deviceId ?? 'ffff'
  const cls = d.classCode ?? 'ffff'
  const rev = d.revision && !/^0+$/.test(d.revision) ? ` (rev ${d.revision.padStart(2, '0')})` : ''
  const lines = [`${slot} ${ids.className(cls)}: ${namePair(ids.vendor(vendor), ids.device(vendor, device), `${vendor}:${device}`)}${rev}`]
  const [subVendor, subDevice] = d.subsystem?.split(':') ?? []
  if (subVendor && subDevice && subVendor !== '0000' && subVendor !== 'ffff') {
    const subName = ids.subsystem(vendor, device, subVendor, subDevice) ?? (subVendor === vendor && subDevice === device ? ids.device(vendor, device) : undefined)
    lines.push(`\tSubsystem: ${namePair(ids.vendor(subVendor), subName, `${subVendor}:${subDevice}`)}`)
  }
  if (d.driver) lines.push(`\tKernel driver in use: ${d.driver}`)
  return lines
}

/** pciutils' format_name_pair with -nn. */
function namePair(vendor: string | undefined, device: string | undefined, ids: string): string {
  if (!vendor) return `Device [${ids}]`
  return `${vendor} ${device ?? 'Device'} [${ids}]`
}

/**
 * Lookups in pci.ids, found in its bytes by line prefix ("10de  ", "\t1b81  ", "\t\t1458 3702  ",
 * "C 03  "): only the lines a host's devices need are decoded, not the whole 1.4 MB file.
 */
class PciIds {
  private readonly vendors = new Map<string, [start: number, end: number] | undefined>()

  constructor(private readonly bytes: Buffer) {}

  vendor(vendor: string): string | undefined {
    const block = this.vendorBlock(vendor)
    return block && this.nameAt(block[0], vendor.length + 2)
  }

  device(vendor: string, device: string): string | undefined {
    const at = this.deviceLine(vendor, device)
    return at === undefined ? undefined : this.nameAt(at, device.length + 3)
  }

  subsystem(vendor: string, device: string, subVendor: string, subDevice: string): string | undefined {
    const at = this.deviceLine(vendor, device)
    if (at === undefined) return undefined
    const sub = this.lineStarting(`\t\t${subVendor} ${subDevice}  `, at, this.blockEnd(at, (first, second) => first === TAB && second === TAB))
    return sub === undefined ? undefined : this.nameAt(sub, 13)
  }

  /** "VGA compatible controller [0300]"; a subclass pci.ids lacks gives its class's name, an unknown class "Class [xxxx]". */
  className(code: string): string {
    const at = this.lineStarting(`C ${code.slice(0, 2)}  `, 0, this.bytes.length)
    if (at === undefined) return `Class [${code}]`
    const sub = this.lineStarting(`\t${code.slice(2)}  `, at, this.blockEnd(at, (first) => first === TAB))
    return `${sub === undefined ? this.nameAt(at, 6) : this.nameAt(sub, 5)} [${code}]`
  }

  private deviceLine(vendor: string, device: string): number | undefined {
    const block = this.vendorBlock(vendor)
    return block && this.lineStarting(`\t${device}  `, block[0], block[1])
  }

  /** From a vendor's line to the next line that is neither a device, a subsystem nor a comment. */
  private vendorBlock(vendor: string): [number, number] | undefined {
    if (!this.vendors.has(vendor)) {
      const at = this.lineStarting(`${vendor}  `, 0, this.bytes.length)
      this.vendors.set(vendor, at === undefined ? undefined : [at, this.blockEnd(at, (first) => first === TAB || first === HASH)])
    }
    return this.vendors.get(vendor)
  }

  /** The offset of the first line after `at` whose first two bytes are not `inside`. */
  private blockEnd(at: number, inside: (first: number | undefined, second: number | undefined) => boolean): number {
    let line = this.bytes.indexOf(NEWLINE, at) + 1
    while (line > 0 && line < this.bytes.length && inside(this.bytes[line], this.bytes[line + 1])) line = this.bytes.indexOf(NEWLINE, line) + 1
    return line > 0 ? line : this.bytes.length
  }

  /** The offset of the first line in [from, to) that starts with `prefix`. */
  private lineStarting(prefix: string, from: number, to: number): number | undefined {
    if (from === 0 && this.bytes.toString('latin1', 0, prefix.length) === prefix) return 0
    const at = this.bytes.indexOf(`\n${prefix}`, Math.max(from - 1, 0), 'latin1')
    return at < 0 || at + 1 >= to ? undefined : at + 1
  }

  private nameAt(line: number, skip: number): string {
    const end = this.bytes.indexOf(NEWLINE, line)
    return this.bytes.toString('utf8', line + skip, end < 0 ? this.bytes.length : end).trimEnd()
  }
}

const [NEWLINE, TAB, HASH] = [10, 9, 35]
