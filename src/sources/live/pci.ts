import {formatPciSysfsLine, PCI_SYSFS_HEADER} from '../../parse/pci-sysfs.js'
import type {Source} from '../types.js'
import type {LiveContext} from './context.js'
import {linkName, listDir, readAttr} from './files.js'

const DEVICES = '/sys/bus/pci/devices'

/** /sys/bus/pci/devices as our pci-sysfs text: ids, class, driver, override, boot_vga, group, reset. */
export async function collectPciSysfs(ctx: LiveContext): Promise<Source> {
  const names = await listDir(ctx, DEVICES)
  if (!names) return {kind: 'pciSysfs', origin: DEVICES, status: 'missing', reason: `${DEVICES} does not exist (is /sys mounted?)`}
  const lines = await Promise.all(names.map((name) => deviceLine(ctx, name)))
  return {kind: 'pciSysfs', origin: DEVICES, status: 'ok', text: [PCI_SYSFS_HEADER, ...lines].join('\n') + '\n'}
}

async function deviceLine(ctx: LiveContext, address: string): Promise<string> {
  const dir = `${DEVICES}/${address}`
  const attr = (name: string) => readAttr(ctx, `${dir}/${name}`)
  const [vendor, device, subVendor, subDevice, cls, revision, driverOverride, bootVga, resetMethod, driver, group] = await Promise.all([
    attr('vendor'),
    attr('device'),
    attr('subsystem_vendor'),
    attr('subsystem_device'),
    attr('class'),
    attr('revision'),
    attr('driver_override'),
    attr('boot_vga'),
    attr('reset_method'),
    linkName(ctx, `${dir}/driver`),
    linkName(ctx, `${dir}/iommu_group`),
  ])
  const hex = (v?: string) => v?.replace(/^0x/, '')
  return formatPciSysfsLine(address, {
    vendor: hex(vendor),
    device: hex(device),
    subsystem: subVendor && subDevice ? `${hex(subVendor)}:${hex(subDevice)}` : undefined,
    class: hex(cls),
    revision: hex(revision),
    driver,
    driver_override: driverOverride,
    boot_vga: bootVga,
    iommu_group: group,
    reset_method: resetMethod?.split(/\s+/).join(','),
  })
}
