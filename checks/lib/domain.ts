import {formatPciAddress, type DomainDisk, type DomainHostdev, type DomainModel} from '../../src/parse/domain-xml.js'
import {isDisplayDevice, slotOf} from '../../src/facts/merge-pci.js'
import type {Reporter} from '../../src/engine/types.js'
import type {Facts, PciDevice} from '../../src/facts/types.js'

/** "domain win10 (domain-win10.xml)": how findings name a domain. */
export function domainLabel(domain: DomainModel): string {
  const name = domain.name || '(unnamed)'
  return domain.origin && domain.origin !== name ? `domain ${name} (${domain.origin})` : `domain ${name}`
}

export function domainSubject(domain: DomainModel): string {
  return domain.name || domain.origin
}

export interface GuestOs {
  windows: boolean
  /** "10", "11", "2k22" (libosinfo), or the number in a name. */
  version?: string
  /** What said so: "libosinfo id http://microsoft.com/win/11", "domain name win10". */
  evidence: string
}

const OSINFO_WINDOWS = /^https?:\/\/microsoft\.com\/win\/(.+)$/
/** "win10", "Windows11", "win-gaming", "en-us_windows_11_..."; not "darwin", "winter" or "virtio-win". */
const WINDOWS_NAME = /(?:^|[^a-z])win(?:dows)?(?:[-_ .]?(\d{1,2}|xp|vista|server))?(?![a-z])/i
const TINY11 = /tiny(1[01])/i
export const VIRTIO_WIN_ISO = /virtio-win[^/]*\.iso$/i

/**
 * What the domain says about its guest OS, most reliable first: the libosinfo id virt-manager
 * records, the domain name, installer ISO names, then Hyper-V enlightenments (only Windows uses them).
 */
export function guestOs(domain: DomainModel): GuestOs | undefined {
  if (domain.osinfo) {
    const m = OSINFO_WINDOWS.exec(domain.osinfo)
    return {windows: m !== null, ...(m ? {version: m[1]!} : {}), evidence: `libosinfo id ${domain.osinfo}`}
  }
  const named = windowsIn(domain.name)
  if (named) return {...named, evidence: `domain name ${domain.name}`}
  for (const disk of domain.disks) {
    const file = baseName(disk.sourceFile)
    if (!file || VIRTIO_WIN_ISO.test(file)) continue
    const found = windowsIn(file)
    if (found) return {...found, evidence: `${disk.device} ${disk.sourceFile}`}
  }
  if (domain.features.hyperv) return {windows: true, evidence: 'Hyper-V enlightenments in <features><hyperv>'}
  return undefined
}

/** Whether a name (domain, ISO, image) says Windows, and which version. */
export function windowsIn(name: string): {windows: true; version?: string} | undefined {
  const tiny = TINY11.exec(name)
  if (tiny) return {windows: true, version: tiny[1]!}
  const m = WINDOWS_NAME.exec(name)
  if (!m) return undefined
  return m[1] ? {windows: true, version: m[1].toLowerCase()} : {windows: true}
}

export function baseName(path: string | undefined): string {
  return path ? path.slice(path.lastIndexOf('/') + 1) : ''
}

/** Installer media: a cdrom, or a file disk whose name ends in .iso. */
export function isIso(disk: DomainDisk): boolean {
  return disk.device === 'cdrom' || /\.iso$/i.test(disk.sourceFile ?? '')
}

export interface PassedDevice {
  hostdev: DomainHostdev
  address: string
  /** The host's device at that address, when the evidence lists it. */
  device?: PciDevice
}

/** The domain's PCI hostdevs, each with its host address and the host's device there. */
export function passedDevices(domain: DomainModel, facts: Facts): PassedDevice[] {
  return domain.hostdevs.flatMap((hostdev) => {
    if (hostdev.type !== 'pci' || !hostdev.source) return []
    const address = formatPciAddress(hostdev.source)
    const device = facts.pciDevices?.find((d) => d.address === address)
    return [device ? {hostdev, address, device} : {hostdev, address}]
  })
}

/**
 * The passed devices that are GPUs. Without a device list, a hostdev with a ROM file or one whose
 * card's function 1 is passed along (VGA + HDMI audio) is taken for a GPU: that is how GPUs are passed.
 */
export function passedGpus(domain: DomainModel, facts: Facts): PassedDevice[] {
  const passed = passedDevices(domain, facts)
  if (facts.pciDevices) return passed.filter((p) => p.device && isDisplayDevice(p.device))
  const addresses = new Set(passed.map((p) => p.address))
  return passed.filter((p) => p.address.endsWith('.0') && (p.hostdev.romFile !== undefined || addresses.has(`${slotOf(p.address)}.1`)))
}

/** The domain boots UEFI: firmware autoselection, a pflash loader, or an OVMF/edk2 image as loader. */
export function bootsUefi(domain: DomainModel): boolean {
  const {firmware, loader, loaderType} = domain.os
  return firmware === 'efi' || loaderType === 'pflash' || /ovmf|edk2|efi|aavmf/i.test(loader ?? '')
}

/** x86 guests: everything here (OVMF, Hyper-V, Windows topology) is about them. */
export function isX86(domain: DomainModel): boolean {
  return domain.os.arch === undefined || domain.os.arch === 'x86_64' || domain.os.arch === 'i686'
}

/**
 * The domains a check can judge: whole ones, and pasted fragments holding one of `parts` (a lone
 * <hostdev> says nothing about the firmware). With none left, the check skips instead of passing.
 */
export function domainsShowing(facts: Facts, report: Reporter, ...parts: string[]): DomainModel[] {
  const domains = (facts.domains ?? []).filter((d) => d.fragment === undefined || parts.some((p) => d.fragment!.includes(p)))
  if (domains.length === 0 && (facts.domains ?? []).length > 0) report.skip(`the domain XML is a fragment without ${parts.map((p) => `<${p}>`).join(' or ')}`)
  return domains
}
