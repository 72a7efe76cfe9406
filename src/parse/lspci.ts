/**
 * lspci output in the flavours people paste: plain, -n, -nn, -k, -v/-vv/-vvv (hex dump lines of -x are
 * skipped), the machine formats -mm and -vmm (with or without -n/-nn), with or without the domain.
 */
import type {PciDevice} from '../facts/types.js'
import {capped, splitLines} from './lines.js'

export interface LspciResult {
  devices: PciDevice[]
  warnings: string[]
}

export function parseLspci(text: string): LspciResult {
  const warnings = new Warnings()
  const devices = new DeviceList(warnings)
  let current: {device: PciDevice; vmm?: VmmNames} | undefined
  let seenHeader = false
  splitLines(text).forEach((raw, index) => {
    const line = capped(raw)
    const where = `line ${index + 1}`
    const header = vmmSlot(line) ?? parseLspciDeviceLine(line)
    if (header) seenHeader = true
    if (header?.kind === 'bad-address') {
      warnings.add(`${where}: impossible PCI address ${header.address}, device skipped`)
      current = undefined
    } else if (header) {
      const device = devices.add(header.device, where)
      current = header.kind === 'vmm-record' ? {device, vmm: {}} : {device}
    } else if (current?.vmm) {
      applyVmmField(current.device, current.vmm, line)
    } else if (current) {
      applyLspciDetail(current.device, line)
    } else if (!seenHeader && isLspciDetail(line)) {
      warnings.add(`${where}: "${line.trim().slice(0, 60)}" comes before any device`)
    }
  })
  if (devices.size === 0 && text.trim()) warnings.add('no lspci device lines found')
  return {devices: devices.list(), warnings: warnings.list()}
}

// ---------------------------------------------------------------------------------------------
// Addresses

/** [domain:]bus:device.function, loose enough to catch impossible ones and say so. */
const ADDRESS_SHAPE = /^\s*((?:[0-9a-f]{1,8}:)?[0-9a-f]{1,4}:[0-9a-f]{1,4}\.[0-9a-f]{1,2})(?=\s|$)/i

/**
 * The PCI address a text starts with (after blanks): `address` is the full lower-case form
 * ("0000:01:00.0"), absent when the shape is right but no device can have it (bus 100, device 20).
 */
export function leadingPciAddress(text: string): {raw: string; length: number; address?: string} | undefined {
  const m = ADDRESS_SHAPE.exec(capped(text))
  if (!m) return undefined
  const raw = m[1]!
  const address = normalisePciAddress(raw)
  return address ? {raw, length: m[0].length, address} : {raw, length: m[0].length}
}

function normalisePciAddress(raw: string): string | undefined {
  const m = /^(?:([0-9a-f]{1,8}):)?([0-9a-f]{1,2}):([0-9a-f]{1,2})\.([0-7])$/i.exec(raw)
  if (!m) return undefined
  const [, domain = '0', bus = '', slot = '', fn = ''] = m
  if (parseInt(slot, 16) > 0x1f) return undefined
  return `${domain.padStart(4, '0')}:${bus.padStart(2, '0')}:${slot.padStart(2, '0')}.${fn}`.toLowerCase()
}

// ---------------------------------------------------------------------------------------------
// Device header lines

export type DeviceLine = {kind: 'device'; device: PciDevice} | {kind: 'bad-address'; address: string}

/**
 * One device header ("01:00.0 VGA compatible controller [0300]: NVIDIA ... [10de:1b81] (rev a1)"),
 * also the -n form ("01:00.0 0300: 10de:1b81 (rev a1)") and -mm form (quoted fields).
 * Undefined when the line does not start with a PCI address.
 */
export function parseLspciDeviceLine(line: string): DeviceLine | undefined {
  const text = capped(line)
  const start = leadingPciAddress(text)
  if (!start) return undefined
  if (!start.address) return {kind: 'bad-address', address: start.raw}
  const device: PciDevice = {address: start.address}
  const rest = text.slice(start.length).trim()
  if (rest.startsWith('"')) applySimpleFormat(device, rest)
  else applyHeaderText(device, rest)
  return {kind: 'device', device}
}

const NUMERIC_HEADER = /^([0-9a-f]{4}): ([0-9a-f]{4}):([0-9a-f]{4})\b(.*)$/i
/** Class name then its code, as -nn prints it ("VGA compatible controller [0300]:"); ls-iommu drops the colon. */
const CLASS_WITH_CODE = /^([^:[]*)\[([0-9a-f]{4})\]:?/i
const CLASS_WITHOUT_CODE = /^([^:]*): /
/** What lspci prints when pci.ids does not know the class: "Class 0600". */
const UNNAMED_CLASS = /^Class ([0-9a-f]{4})$/i

function applyHeaderText(device: PciDevice, rest: string): void {
  const numeric = NUMERIC_HEADER.exec(rest)
  if (numeric) {
    device.classCode = numeric[1]!.toLowerCase()
    device.vendorId = numeric[2]!.toLowerCase()
    device.deviceId = numeric[3]!.toLowerCase()
    applyRevision(device, numeric[4]!)
    return
  }
  const withCode = CLASS_WITH_CODE.exec(rest)
  if (withCode) {
    setClassName(device, withCode[1]!)
    device.classCode = withCode[2]!.toLowerCase()
    applyNameText(device, rest.slice(withCode[0].length))
    return
  }
  const withoutCode = CLASS_WITHOUT_CODE.exec(rest)
  if (withoutCode) {
    setClassName(device, withoutCode[1]!)
    applyNameText(device, rest.slice(withoutCode[0].length))
    return
  }
  applyNameText(device, rest)
}

function setClassName(device: PciDevice, text: string): void {
  const name = text.trim()
  const unnamed = UNNAMED_CLASS.exec(name)
  if (unnamed) device.classCode = unnamed[1]!.toLowerCase()
  else if (name) device.className = name
}

/** Where the name ends: the ids are the last [xxxx:xxxx] before "(rev" or "(prog-if". */
const NAME_END = / \((?:rev|prog-if) /
const TRAILING_IDS = /\[([0-9a-f]{4}):([0-9a-f]{4})\]$/i
/** lspci without pci.ids names: "Device 8086:6f00". */
const UNNAMED_DEVICE = /^Device ([0-9a-f]{4}):([0-9a-f]{4})$/i

function applyNameText(device: PciDevice, text: string): void {
  const end = text.search(NAME_END)
  let head = (end < 0 ? text : text.slice(0, end)).trim()
  if (end >= 0) applyRevision(device, text.slice(end))
  const ids = TRAILING_IDS.exec(head) ?? UNNAMED_DEVICE.exec(head)
  if (ids) {
    device.vendorId = ids[1]!.toLowerCase()
    device.deviceId = ids[2]!.toLowerCase()
    if (ids[0] !== head) head = head.slice(0, ids.index).trim()
  }
  if (head) device.name = head
}

function applyRevision(device: PciDevice, text: string): void {
  const rev = /\(rev ([0-9a-f]{2})\)/i.exec(text)
  if (rev) device.revision = rev[1]!.toLowerCase()
}

// ---------------------------------------------------------------------------------------------
// -mm: `00:00.0 "Host bridge [0600]" "Intel Corporation [8086]" "Device [3405]" -r12 -p00 "ASUSTeK [1043]" "Device [836b]"`

function applySimpleFormat(device: PciDevice, rest: string): void {
  const quoted: string[] = []
  for (const token of simpleFormatTokens(rest)) {
    if (token.quoted) quoted.push(token.text)
    else if (/^-r[0-9a-f]{2}$/i.test(token.text)) device.revision = token.text.slice(2).toLowerCase()
  }
  const [cls = '', vendor = '', name = '', subVendor = '', subDevice = ''] = quoted
  const names: VmmNames = {}
  applyClassValue(device, cls)
  applyVendorValue(device, names, vendor)
  applyDeviceValue(device, names, name)
  applySubsystemValue(device, names, 'subVendorId', subVendor)
  applySubsystemValue(device, names, 'subDeviceId', subDevice)
}

/** Shell-style words: "quoted strings" (with backslash escapes) and bare options, in one pass. */
function simpleFormatTokens(text: string): Array<{text: string; quoted: boolean}> {
  const tokens: Array<{text: string; quoted: boolean}> = []
  let i = 0
  while (i < text.length) {
    if (text[i] === ' ' || text[i] === '\t') {
      i++
    } else if (text[i] === '"') {
      let value = ''
      i++
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++
        value += text[i]
        i++
      }
      i++
      tokens.push({text: value, quoted: true})
    } else {
      const start = i
      while (i < text.length && text[i] !== ' ' && text[i] !== '\t') i++
      tokens.push({text: text.slice(start, i), quoted: false})
    }
  }
  return tokens
}

// ---------------------------------------------------------------------------------------------
// -vmm records: "Slot:\t01:00.0" then "Tag:\tvalue" lines ("Device:" is the slot in the older -vm)

interface VmmNames {
  vendor?: string
  device?: string
  subVendorId?: string
  subDeviceId?: string
}

/** The line that opens a -vmm record: its fields follow as "Tag:\tvalue" lines. */
function vmmSlot(line: string): {kind: 'vmm-record'; device: PciDevice} | DeviceLine | undefined {
  const m = /^(?:Slot|Device):\s+/.exec(line)
  if (!m) return undefined
  const start = leadingPciAddress(line.slice(m[0].length))
  if (!start || line.slice(m[0].length + start.length).trim()) return undefined
  if (!start.address) return {kind: 'bad-address', address: start.raw}
  return {kind: 'vmm-record', device: {address: start.address}}
}

function applyVmmField(device: PciDevice, names: VmmNames, line: string): void {
  const m = /^(\w+):\s*(.*)/.exec(line.trim())
  if (!m) return
  const value = m[2]!.trim()
  switch (m[1]) {
    case 'Class':
      return applyClassValue(device, value)
    case 'Vendor':
      return applyVendorValue(device, names, value)
    case 'Device':
      return applyDeviceValue(device, names, value)
    case 'SVendor':
      return applySubsystemValue(device, names, 'subVendorId', value)
    case 'SDevice':
      return applySubsystemValue(device, names, 'subDeviceId', value)
    case 'Rev':
      if (/^[0-9a-f]{2}$/i.test(value)) device.revision = value.toLowerCase()
      return
    case 'Driver':
      if (value) device.driver = value
      return
    case 'Module':
      if (value) device.modules = [...(device.modules ?? []), value]
      return
    case 'IOMMUGroup':
      if (/^\d+$/.test(value)) device.iommuGroup = Number(value)
      return
  }
}

/** "Intel Corporation [8086]" (-nn), "8086" (-n) or "Intel Corporation". */
function splitTrailingId(value: string): {text: string; id?: string} {
  const bare = /^[0-9a-f]{4}$/i.exec(value)
  if (bare) return {text: '', id: value.toLowerCase()}
  const m = /^(.*?) ?\[([0-9a-f]{4})\]$/i.exec(value)
  return m ? {text: m[1]!, id: m[2]!.toLowerCase()} : {text: value}
}

function applyClassValue(device: PciDevice, value: string): void {
  const {text, id} = splitTrailingId(value)
  if (id) device.classCode = id
  setClassName(device, text)
}

function applyVendorValue(device: PciDevice, names: VmmNames, value: string): void {
  const {text, id} = splitTrailingId(value)
  if (id) device.vendorId = id
  names.vendor = text
  setVmmName(device, names)
}

function applyDeviceValue(device: PciDevice, names: VmmNames, value: string): void {
  const {text, id} = splitTrailingId(value)
  if (id) device.deviceId = id
  names.device = text
  setVmmName(device, names)
}

function setVmmName(device: PciDevice, names: VmmNames): void {
  const name = [names.vendor, names.device].filter(Boolean).join(' ')
  if (name) device.name = name
}

function applySubsystemValue(device: PciDevice, names: VmmNames, key: 'subVendorId' | 'subDeviceId', value: string): void {
  names[key] = splitTrailingId(value).id
  if (names.subVendorId && names.subDeviceId) device.subsystem = `${names.subVendorId}:${names.subDeviceId}`
}

// ---------------------------------------------------------------------------------------------
// Indented detail lines under a header (-k, -v)

const DETAIL_KEY = /^\s*(Subsystem|Kernel driver in use|Kernel modules|Flags|IOMMU group):\s*(.*)/
const SUBSYSTEM_IDS = /(?:^|\[|Device )([0-9a-f]{4}):([0-9a-f]{4})\]?$/i

function isLspciDetail(line: string): boolean {
  return DETAIL_KEY.test(capped(line))
}

/** Applies one -k/-v line ("Kernel driver in use: vfio-pci") to its device; false when it is none of ours. */
export function applyLspciDetail(device: PciDevice, line: string): boolean {
  const m = DETAIL_KEY.exec(capped(line))
  if (!m) return false
  const value = m[2]!.trim()
  switch (m[1]) {
    case 'Subsystem': {
      const ids = SUBSYSTEM_IDS.exec(value)
      if (ids) device.subsystem = `${ids[1]}:${ids[2]}`.toLowerCase()
      break
    }
    case 'Kernel driver in use':
      if (value) device.driver = value.split(/\s/)[0]!
      break
    case 'Kernel modules':
      device.modules = value.split(/[,\s]+/).filter(Boolean)
      break
    case 'Flags': {
      // -v puts the group at the end of Flags: "..., IRQ 16, IOMMU group 21"
      const group = /IOMMU group (\d+)/.exec(value)
      if (group) device.iommuGroup = Number(group[1])
      break
    }
    case 'IOMMU group': // -vv gives it a line of its own
      if (/^\d+$/.test(value)) device.iommuGroup = Number(value)
      break
  }
  return true
}

// ---------------------------------------------------------------------------------------------
// Shared by the lspci and IOMMU listing parsers

/** Devices by address in first-seen order; a repeated address (two pastes of one host) is merged, not doubled. */
export class DeviceList {
  private readonly byAddress = new Map<string, PciDevice>()

  constructor(private readonly warnings: Warnings) {}

  get size(): number {
    return this.byAddress.size
  }

  /** The device now held for this address (the earlier one, when it was seen before). */
  add(device: PciDevice, where: string): PciDevice {
    const known = this.byAddress.get(device.address)
    if (!known) {
      this.byAddress.set(device.address, device)
      return device
    }
    this.warnings.add(`${where}: ${device.address} listed again; merged with the first listing`)
    mergeInto(known, device)
    return known
  }

  get(address: string): PciDevice | undefined {
    return this.byAddress.get(address)
  }

  list(): PciDevice[] {
    return [...this.byAddress.values()]
  }
}

function mergeInto(target: PciDevice, source: PciDevice): void {
  for (const [key, value] of Object.entries(source)) {
    if (value !== undefined) Object.assign(target, {[key]: value})
  }
}

/** A warning list that stops growing: hostile input must not turn into a million warnings. */
export class Warnings {
  private readonly kept: string[] = []
  private dropped = 0

  constructor(private readonly limit = 50) {}

  add(message: string): void {
    if (this.kept.length < this.limit) this.kept.push(message)
    else this.dropped++
  }

  list(): string[] {
    return this.dropped ? [...this.kept, `${this.dropped} more warnings not shown`] : [...this.kept]
  }
}
