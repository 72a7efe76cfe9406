/**
 * A fake /sys tree that the real lspci reads (`-A linux-sysfs -O sysfs.path=...`), so tests can hold the
 * parsers against the tool's own output, drivers and IOMMU groups included, on any machine with pciutils.
 */
import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export interface FakePciDevice {
  address: string // "0000:01:00.0"
  vendorId: string
  deviceId: string
  classCode: string // "0300"
  revision: string
  subsystem?: string // "1458:3702"
  driver?: string
  iommuGroup?: number
}

/** Builds the tree in a fresh temporary folder and returns its root (the fake /sys). */
export function buildFakeSysfs(devices: FakePciDevice[]): string {
  const root = mkdtempSync(join(tmpdir(), 'vfio-doctor-sysfs-'))
  mkdirSync(join(root, 'bus/pci/devices'), {recursive: true})
  mkdirSync(join(root, 'kernel/iommu_groups'), {recursive: true})
  for (const device of devices) addDevice(root, device)
  return root
}

function addDevice(root: string, device: FakePciDevice): void {
  const domain = device.address.slice(0, 4)
  const dir = join(root, `devices/pci${domain}:00`, device.address)
  mkdirSync(dir, {recursive: true})
  const [subVendor = '0000', subDevice = '0000'] = (device.subsystem ?? '').split(':')
  const attributes: Record<string, string> = {
    vendor: `0x${device.vendorId}`,
    device: `0x${device.deviceId}`,
    class: `0x${device.classCode}00`,
    revision: `0x${device.revision}`,
    subsystem_vendor: `0x${subVendor}`,
    subsystem_device: `0x${subDevice}`,
    irq: '16',
    resource: '0x0000000000000000 0x0000000000000000 0x0000000000000000\n'.repeat(13),
  }
  for (const [name, value] of Object.entries(attributes)) writeFileSync(join(dir, name), `${value.trimEnd()}\n`)
  writeFileSync(join(dir, 'config'), configSpace(device, subVendor, subDevice))
  symlinkSync(`../../../devices/pci${domain}:00/${device.address}`, join(root, 'bus/pci/devices', device.address))
  if (device.driver) {
    mkdirSync(join(root, 'bus/pci/drivers', device.driver), {recursive: true})
    symlinkSync(`../../../bus/pci/drivers/${device.driver}`, join(dir, 'driver'))
  }
  if (device.iommuGroup !== undefined) {
    const group = join(root, 'kernel/iommu_groups', String(device.iommuGroup), 'devices')
    mkdirSync(group, {recursive: true})
    symlinkSync(`../../../../devices/pci${domain}:00/${device.address}`, join(group, device.address))
    symlinkSync(`../../../kernel/iommu_groups/${device.iommuGroup}`, join(dir, 'iommu_group'))
  }
}

/** The first 256 bytes of config space: ids, revision, class, header type 0 and the subsystem. */
function configSpace(device: FakePciDevice, subVendor: string, subDevice: string): Buffer {
  const config = Buffer.alloc(256)
  config.writeUInt16LE(parseInt(device.vendorId, 16), 0x00)
  config.writeUInt16LE(parseInt(device.deviceId, 16), 0x02)
  config.writeUInt8(parseInt(device.revision, 16), 0x08)
  config.writeUInt8(parseInt(device.classCode.slice(2), 16), 0x0a)
  config.writeUInt8(parseInt(device.classCode.slice(0, 2), 16), 0x0b)
  config.writeUInt16LE(parseInt(subVendor, 16), 0x2c)
  config.writeUInt16LE(parseInt(subDevice, 16), 0x2e)
  return config
}

/** lspci reading the fake tree; stderr (libkmod complaints) is dropped. */
export function lspciOn(root: string, args: string[]): string {
  return execFileSync('lspci', ['-A', 'linux-sysfs', '-O', `sysfs.path=${root}/bus/pci`, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  })
}

/** lspci reading one of pciutils' dump files. */
export function lspciOnDump(file: string, args: string[]): string {
  return execFileSync('lspci', ['-F', file, ...args], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']})
}

/**
 * Runs a listing script as users paste it, with /sys replaced by the fake root and lspci by a function
 * that reads the fake tree.
 */
export function runListingScript(root: string, script: string): string {
  const prelude = `lspci() { command lspci -A linux-sysfs -O sysfs.path="${root}/bus/pci" "$@" 2>/dev/null; }\n`
  return execFileSync('bash', ['-c', prelude + script.replaceAll('/sys/', `${root}/`)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  })
}
