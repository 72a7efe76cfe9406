import type {PciDevice} from '../facts/types.js'
import {capped, splitLines} from './lines.js'

/**
 * Our own dump of /sys/bus/pci/devices, one device a line, so a live run and its capture read the
 * same text:
 *   0000:01:00.0 vendor=10de device=1b81 subsystem=1458:3702 class=030000 driver=vfio-pci boot_vga=1 iommu_group=1 reset_method=flr,bus
 * Values never hold spaces; an absent attribute is simply not written.
 */
export const PCI_SYSFS_HEADER = '# vfio-doctor pci-sysfs v1'

const ADDRESS = /^([0-9a-f]{4}):([0-9a-f]{2}):([0-1][0-9a-f])\.([0-7])$/

export function parsePciSysfs(text: string): {devices: PciDevice[]; warnings: string[]} {
  const devices: PciDevice[] = []
  const warnings: string[] = []
  splitLines(text).forEach((raw, i) => {
    const line = capped(raw).trim()
    if (!line || line.startsWith('#')) return
    const [address = '', ...pairs] = line.split(/\s+/)
    if (!ADDRESS.test(address.toLowerCase())) {
      warnings.push(`line ${i + 1}: not a PCI address: ${address.slice(0, 40)}`)
      return
    }
    const device: PciDevice = {address: address.toLowerCase()}
    for (const pair of pairs) applyAttribute(device, pair)
    devices.push(device)
  })
  return {devices, warnings}
}

function applyAttribute(device: PciDevice, pair: string): void {
  const eq = pair.indexOf('=')
  if (eq <= 0) return
  const key = pair.slice(0, eq)
  const value = pair.slice(eq + 1)
  if (!value) return
  switch (key) {
    case 'vendor':
      device.vendorId = hex4(value)
      break
    case 'device':
      device.deviceId = hex4(value)
      break
    case 'subsystem':
      device.subsystem = value.toLowerCase()
      break
    case 'class':
      device.classCode = value.replace(/^0x/i, '').toLowerCase().padStart(6, '0').slice(0, 4)
      break
    case 'driver':
      device.driver = value
      break
    case 'driver_override':
      if (value !== '(null)') device.driverOverride = value
      break
    case 'boot_vga':
      device.bootVga = value === '1'
      break
    case 'iommu_group':
      if (/^\d+$/.test(value)) device.iommuGroup = Number(value)
      break
    case 'reset_method':
      device.resetMethods = value.split(',').filter(Boolean)
      break
    case 'revision':
      device.revision = value.replace(/^0x/i, '').toLowerCase()
      break
  }
}

function hex4(value: string): string {
  return value.replace(/^0x/i, '').toLowerCase().padStart(4, '0')
}

/** The writer side, used by the live reader. */
export function formatPciSysfsLine(address: string, attributes: Record<string, string | undefined>): string {
  const pairs = Object.entries(attributes)
    .filter(([, v]) => v !== undefined && v !== '' && !/\s/.test(v))
    .map(([k, v]) => `${k}=${v}`)
  return [address, ...pairs].join(' ')
}
