/**
 * IOMMU group listings, whatever script printed them:
 *   - the Arch wiki loop: "IOMMU Group 1:" then tab-indented `lspci -nns` lines (and `lspci -k` lines);
 *   - the one-line loop: "IOMMU Group 23 23:00.0 VGA compatible controller [0300]: ...";
 *   - ls-iommu: "IOMMU Group  14: 01:00.0 VGA compatible controller [0300] NVIDIA ...";
 *   - "IOMMU GROUP 0" then " (0) 00:01.0 Host bridge [0600]: ...";
 *   - "Group 12:  [10de:2206] [R] 01:00.0  VGA compatible controller  GA102 [GeForce RTX 3080]" (columns);
 *   - "### Group 1 ###" then indented `lspci -s` lines;
 *   - paths: `find /sys/kernel/iommu_groups/ -type l` ("/sys/kernel/iommu_groups/1/devices/0000:01:00.0"),
 *     `ls -l /sys/bus/pci/devices/*\/iommu_group` ("... 0000:01:00.0/iommu_group -> ../../kernel/iommu_groups/1")
 *     and `ls [-l] /sys/kernel/iommu_groups/*\/devices` ("/sys/kernel/iommu_groups/1/devices:" then the names).
 * "IOMMU Group .:" (or "*") is what the scripts print when the glob matched nothing: no groups at all.
 */
import type {IommuGroup, PciDevice} from '../facts/types.js'
import {capped, splitLines} from './lines.js'
import {DeviceList, Warnings, applyLspciDetail, leadingPciAddress, parseLspciDeviceLine, type DeviceLine} from './lspci.js'

export interface IommuListing {
  groups: IommuGroup[]
  devices: PciDevice[]
  /** The listing says the group directory was empty (the glob did not match). */
  emptyMarker: boolean
  warnings: string[]
}

export function parseIommuListing(text: string): IommuListing {
  const state = new ListingState()
  splitLines(text).forEach((raw, index) => readLine(state, capped(raw), `line ${index + 1}`))
  return state.result(text)
}

class ListingState {
  readonly warnings = new Warnings()
  readonly devices = new DeviceList(this.warnings)
  readonly members = new Map<number, Set<string>>()
  emptyMarker = false
  /** The group whose header was seen last; indented device lines belong to it. */
  group: number | undefined
  /** The device line seen last; `lspci -k` lines under it describe it. */
  device: PciDevice | undefined
  private warnedUngrouped = false

  openGroup(id: number): void {
    this.group = id
    this.device = undefined
    if (!this.members.has(id)) this.members.set(id, new Set())
  }

  addDevice(device: PciDevice, group: number | undefined, where: string): void {
    if (group === undefined) {
      if (!this.warnedUngrouped && !this.emptyMarker) this.warnings.add(`${where}: ${device.address} is not under any IOMMU group header`)
      this.warnedUngrouped = true
      this.device = this.devices.add(device, where)
      return
    }
    const known = this.devices.get(device.address)?.iommuGroup
    if (known !== undefined && known !== group) {
      this.warnings.add(`${where}: ${device.address} listed in group ${group} after group ${known}; kept ${known}`)
      this.device = undefined
      return
    }
    this.openGroup(group)
    this.device = this.devices.add({...device, iommuGroup: group}, where)
    this.members.get(group)!.add(device.address)
  }

  /** An `lspci -k`/`-v` line under the last device; the listing's own headers keep deciding its group. */
  applyDetail(line: string): void {
    if (!this.device) return
    const group = this.device.iommuGroup
    applyLspciDetail(this.device, line)
    if (group === undefined) delete this.device.iommuGroup
    else this.device.iommuGroup = group
  }

  result(text: string): IommuListing {
    // Sorted, so that the same host reads the same whatever order its script walked /sys in.
    const groups = [...this.members].sort(([a], [b]) => a - b).map(([id, devices]) => ({id, devices: [...devices].sort()}))
    if (!groups.length && !this.emptyMarker && text.trim()) this.warnings.add('no IOMMU groups found')
    return {groups, devices: this.devices.list(), emptyMarker: this.emptyMarker, warnings: this.warnings.list()}
  }
}

function readLine(state: ListingState, line: string, where: string): void {
  if (readSysfsPath(state, line, where)) return
  const header = GROUP_HEADER.exec(line)
  if (header) return readGroupHeader(state, header[1] ?? header[2] ?? header[3], line.slice(header[0].length), where)
  const numbered = NUMBERED_DEVICE.exec(line)
  if (numbered) return readDeviceText(state, Number(numbered[1]), line.slice(numbered[0].length).trim(), where)
  const body = line.trim().replace(GROUP_DEVICE_PREFIX, '$1 ')
  const names = addressColumns(body)
  if (names) return names.forEach((name) => readDeviceText(state, state.group, name, where))
  if (COLUMN_ROW.test(body) || leadingPciAddress(body)) return readDeviceText(state, state.group, body, where)
  state.applyDetail(line)
}

/**
 * "IOMMU Group 1:", "IOMMU group 23 ", "IOMMU GROUP 0", "IOMMU Group:  50", "Group 12:", "### Group 1 ###",
 * and "Group:  16  0000:0a:00.0 VGA compatible controller [0300]: ...   Driver: vfio-pci" (device and driver on the line).
 * A bare "Group N" needs its colon or hashes so that prose does not open groups.
 */
const GROUP_HEADER = /^\s*(?:#+\s*)?(?:IOMMU\s+group:?\s+([0-9]+|[.*])|group\s+([0-9]+)(?=\s*(?::|#))|group:\s+([0-9]+)(?=\s+\S))\s*(?:#+|:)?\s*/i
/** zephyrwc3's layout repeats the group before each device: " (0) 00:01.0 Host bridge ...". */
const NUMBERED_DEVICE = /^\s*\((\d+)\)\s+/
/** A tree-style script: "Group Device: 0000:97:00.4 - Generic system peripheral [0807]: ...". */
const GROUP_DEVICE_PREFIX = /^Group Device:\s+(\S+) - /

/** `ls` on a terminal prints several names a row: "0000:01:00.0  0000:01:00.1". */
function addressColumns(body: string): string[] | undefined {
  const names = body.split(/\s+/)
  const allAddresses = names.length > 1 && names.every((name) => leadingPciAddress(name)?.length === name.length)
  return allAddresses ? names : undefined
}

function readGroupHeader(state: ListingState, idText: string | undefined, rest: string, where: string): void {
  if (idText === '.' || idText === '*') {
    // The unexpanded glob's lspci still lists the devices (the host bridge tells the CPU's maker).
    state.emptyMarker = true
    state.group = undefined
    if (rest.trim()) readDeviceText(state, undefined, rest.trim(), where)
    return
  }
  const id = Number(idText)
  if (!Number.isSafeInteger(id)) return
  // With a device on the same line, the group exists through that device (if the device is sound).
  if (rest.trim()) readDeviceText(state, id, rest.trim(), where)
  else state.openGroup(id)
  state.group = id
}

/** The device part of a line: lspci text, or the column layout with its ids first. */
function readDeviceText(state: ListingState, group: number | undefined, text: string, where: string): void {
  const driver = TRAILING_DRIVER.exec(text)
  const line = parseColumnRow(text) ?? parseLspciDeviceLine(driver ? text.slice(0, driver.index) : text)
  if (driver && line?.kind === 'device') line.device.driver = driver[1]!
  if (!line) return
  if (line.kind === 'bad-address') {
    state.warnings.add(`${where}: impossible PCI address ${line.address}, device skipped`)
    return
  }
  state.addDevice(line.device, group, where)
}

/** Some scripts print the driver after the lspci text: "...(rev a1)   Driver: vfio-pci". */
const TRAILING_DRIVER = /(?<!\s)\s{2,}Driver:\s*(\S+)\s*$/

/** Ids first: "[10de:2206] [R] " (the [R] marks a device that can be reset). */
const COLUMN_ROW = /^\[([0-9a-f]{4}):([0-9a-f]{4})\]\s+(?:\[R\]\s+)?/i

/**
 * "[10de:2206] [R] 01:00.0  VGA compatible controller  GA102 [GeForce RTX 3080]": columns apart by runs
 * of spaces; Unraid prints lspci text after the ids instead ("[10de:1f08] 02:00.0 VGA compatible controller: ...").
 */
function parseColumnRow(text: string): DeviceLine | undefined {
  const m = COLUMN_ROW.exec(text)
  if (!m) return undefined
  const rest = text.slice(m[0].length)
  const start = leadingPciAddress(rest)
  if (!start) return undefined
  if (!start.address) return {kind: 'bad-address', address: start.raw}
  const ids = {vendorId: m[1]!.toLowerCase(), deviceId: m[2]!.toLowerCase()}
  const after = rest.slice(start.length)
  if (!/^(?: {2,}|\t)/.test(after)) {
    const parsed = parseLspciDeviceLine(rest)
    return parsed?.kind === 'device' ? {kind: 'device', device: {...parsed.device, ...ids}} : parsed
  }
  const [className, ...name] = after.trim().split(/\s{2,}/)
  const device: PciDevice = {address: start.address, ...ids}
  if (className) device.className = className
  if (name.length) device.name = name.join(' ')
  return {kind: 'device', device}
}

const SYSFS_GROUP_DIR = /iommu_groups\/(\d+)\/devices\/?:$/
/** An `ls -l` row under such a header: "lrwxrwxrwx 1 root root 0 Mar  1 10:00 0000:01:00.0 -> ../../../../devices/...". */
const LS_DEVICE_LINK = /\s([0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]) -> /i
const SYSFS_GROUP_MEMBER = /iommu_groups\/(\d+)\/devices\/([0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7])(?![\w.:])/i
const SYSFS_DEVICE_LINK = /\/([0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7])\/iommu_group\s*->\s*\S{0,255}?iommu_groups\/(\d+)/i

/** A line naming a device's group through sysfs paths; false when it is no such line. */
function readSysfsPath(state: ListingState, line: string, where: string): boolean {
  if (/iommu_groups\/\*/.test(line) && /No such file or directory/i.test(line)) {
    state.emptyMarker = true
    return true
  }
  const dir = SYSFS_GROUP_DIR.exec(line.trim())
  if (dir) {
    state.openGroup(Number(dir[1]))
    return true
  }
  const listed = LS_DEVICE_LINK.exec(line)
  if (listed && state.group !== undefined) {
    readDeviceText(state, state.group, listed[1]!, where)
    return true
  }
  const member = SYSFS_GROUP_MEMBER.exec(line)
  const link = member ? undefined : SYSFS_DEVICE_LINK.exec(line)
  const group = member?.[1] ?? link?.[2]
  const address = member?.[2] ?? link?.[1]
  if (group === undefined || address === undefined) return false
  readDeviceText(state, Number(group), address, where)
  return true
}
