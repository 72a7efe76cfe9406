/**
 * libvirt domain XML -> typed model. Total: malformed XML gives a partial model with warnings.
 * Entities are never expanded (a DOCTYPE is flagged and its entities left as text).
 */
import {attr, child, childrenNamed, textOf} from './xml/query.js'
import {KIB, decimalUint, libvirtUint, scaledBytes} from './xml/libvirt-numbers.js'
import {parseXmlTree, rootElementName, type XmlElement} from './xml/tree.js'

export interface PciAddress {
  domain: number
  bus: number
  slot: number
  function: number
}

export interface DomainDisk {
  type?: string // file | block | network | volume
  device: string // disk | cdrom | floppy | lun
  bus?: string // virtio | sata | scsi | ide | usb
  sourceFile?: string // <source file=>, else dev=, dir=, volume= or name= (network)
  targetDev?: string
  readonly: boolean
}

export interface DomainHostdev {
  type: string // pci | usb | mdev | scsi
  managed?: boolean
  /** For type pci: the host address. */
  source?: PciAddress
  romFile?: string
  romBar?: string
}

export interface DomainShmem {
  name: string
  model?: string // ivshmem-plain | ivshmem-doorbell
  sizeBytes?: number
}

export interface DomainInput {
  type: string // tablet | mouse | keyboard | evdev | passthrough
  bus?: string
  sourceDev?: string // evdev source
  /** evdev <source grab='all' grabToggle='ctrl-ctrl' repeat='on'>: grab='all' makes the toggle switch every evdev device. */
  grab?: string
  grabToggle?: string
  repeat?: string
}

export interface DomainModel {
  /** Domain name; '' when missing. */
  name: string
  uuid?: string
  type?: string // kvm | qemu
  /** Where the XML came from (file name or "virsh dumpxml NAME"). */
  origin: string
  /** The libosinfo id virt-manager records in <metadata>: "http://microsoft.com/win/11". */
  osinfo?: string
  memoryBytes?: number
  /** Maximum vCPUs: the <vcpu> text. */
  vcpus?: number
  /** vCPUs online at boot (<vcpu current=>), when fewer than the maximum. */
  vcpusCurrent?: number
  os: {
    firmware?: string // efi | bios (os firmware= attribute)
    loader?: string // <loader> path; '' when the element has none (firmware auto-selection)
    loaderType?: string // pflash | rom
    nvram?: string // path, or source file/name; '' when the element names none
    machine?: string // pc-q35-8.2 | pc-i440fx-...
    arch?: string
  }
  cpu: {
    mode?: string // host-passthrough | host-model | custom
    topology?: {sockets?: number; dies?: number; cores?: number; threads?: number}
  }
  features: {
    hypervVendorId?: {state?: string; value?: string}
    hyperv: boolean
    kvmHidden?: boolean
    ioapicDriver?: string
    smm?: boolean
  }
  disks: DomainDisk[]
  hostdevs: DomainHostdev[]
  shmems: DomainShmem[]
  tpms: Array<{model?: string; backend?: string; version?: string}>
  videos: Array<{model?: string}>
  graphics: Array<{type: string}>
  /** <channel type='spicevmc'> and the like: a spicevmc channel means SPICE graphics. */
  channels: Array<{type: string}>
  inputs: DomainInput[]
  sounds: Array<{model?: string}>
  /** libvirt's own qemu:commandline arguments, if any. */
  qemuArgs: string[]
  /** Set when the XML is not a usable domain. */
  warnings: string[]
  /**
   * For half a domain (a pasted <hostdev>, <cpu> or <devices> block): the top-level elements it
   * held. Checks judge an absence only where the fragment holds the part it would be in.
   */
  fragment?: string[]
}

const QEMU_NAMESPACE = 'http://libvirt.org/schemas/domain/qemu/1.0'
const LIBOSINFO_NAMESPACE = 'http://libosinfo.org/xmlns/libvirt/domain/1.0'
const DOCTYPE_SHOWN = 120

/** Quick sniff for the evidence reader: is the root element <domain>? Reads only the prolog. */
export function isDomainXml(text: string): boolean {
  return rootElementName(text) === 'domain'
}

export function parseDomainXml(text: string, origin: string): DomainModel {
  const doc = parseXmlTree(text)
  const warnings = doc.errors.map(error => `malformed XML: ${error}`)
  if (doc.doctype !== undefined) warnings.push(doctypeWarning(doc.doctype))
  if (doc.root?.name === 'domain') return readDomain(doc.root, origin, warnings)
  const fragment = fragmentDomain(text)
  if (fragment) return {...readDomain(fragment.domain, origin, []), fragment: fragment.parts}
  if (doc.root) warnings.push(`not a libvirt domain (root <${doc.root.name}>)`)
  return readDomain(undefined, origin, warnings)
}

/** Elements that live in a domain's <devices>; a pasted lone <hostdev> goes there. */
const DEVICE_ELEMENTS = new Set(['emulator', 'disk', 'controller', 'interface', 'input', 'graphics', 'video', 'sound', 'hostdev', 'shmem', 'tpm', 'memballoon', 'redirdev', 'channel', 'console', 'serial', 'rng', 'watchdog', 'filesystem', 'audio', 'smartcard', 'hub', 'panic', 'iommu', 'vsock'])
/** Elements that live directly in <domain>. */
const DOMAIN_ELEMENTS = new Set(['name', 'uuid', 'metadata', 'memory', 'currentMemory', 'vcpu', 'vcpus', 'cputune', 'iothreads', 'os', 'features', 'cpu', 'clock', 'on_poweroff', 'on_reboot', 'on_crash', 'pm', 'devices', 'memoryBacking', 'numatune', 'resource', 'sysinfo', 'blkiotune', 'qemu:commandline', 'seclabel', 'idmap'])

/**
 * Half a domain, as people paste it: a lone <hostdev>, the <cpu> and <features> blocks, the
 * <devices> section. Read as a domain holding just those parts; `parts` says which, so a check
 * judges only what the fragment shows (a fragment without <os> says nothing about the firmware).
 */
function fragmentDomain(text: string): {domain: XmlElement; parts: string[]} | undefined {
  const body = text.replace(/^\s*<\?xml[^>]*\?>/, '')
  const wrapper = parseXmlTree(`<fragment>${body}</fragment>`).root
  const top = wrapper?.children ?? []
  if (top.length === 0 || !top.every(el => DEVICE_ELEMENTS.has(el.name) || DOMAIN_ELEMENTS.has(el.name))) return undefined
  const devices = top.filter(el => DEVICE_ELEMENTS.has(el.name))
  const children = top.filter(el => !DEVICE_ELEMENTS.has(el.name))
  if (devices.length > 0) children.push({name: 'devices', localName: 'devices', attrs: new Map(), children: devices, text: ''})
  const domain: XmlElement = {name: 'domain', localName: 'domain', attrs: new Map(), children, text: ''}
  return {domain, parts: [...new Set(top.map(el => el.name))]}
}

function doctypeWarning(doctype: string): string {
  const shown = doctype.length > DOCTYPE_SHOWN ? `${doctype.slice(0, DOCTYPE_SHOWN)}...` : doctype
  return `DOCTYPE ignored: entities are never expanded, &name; references are left as written (${shown})`
}

function readDomain(domain: XmlElement | undefined, origin: string, warnings: string[]): DomainModel {
  // libvirt reads ./devices/X across every <devices> element, so do the same.
  const devices = childrenNamed(domain, 'devices').flatMap(d => d.children)
  const devicesNamed = (name: string) => devices.filter(d => d.name === name)
  const vcpu = child(domain, 'vcpu')
  return {
    name: textOf(child(domain, 'name')) ?? '',
    uuid: textOf(child(domain, 'uuid')),
    type: attr(domain, 'type'),
    origin,
    osinfo: readOsinfo(domain),
    memoryBytes: scaledSize(child(domain, 'memory'), KIB, warnings),
    vcpus: decimalUint(textOf(vcpu)) ?? decimalUint(attr(vcpu, 'current')),
    vcpusCurrent: decimalUint(attr(vcpu, 'current')),
    os: readOs(child(domain, 'os')),
    cpu: readCpu(child(domain, 'cpu')),
    features: readFeatures(child(domain, 'features')),
    disks: devicesNamed('disk').map(readDisk),
    hostdevs: devicesNamed('hostdev').map(hostdev => readHostdev(hostdev, warnings)),
    shmems: devicesNamed('shmem').map(shmem => readShmem(shmem, warnings)),
    tpms: devicesNamed('tpm').map(readTpm),
    videos: devicesNamed('video').map(video => ({model: attr(child(video, 'model'), 'type')})),
    graphics: devicesNamed('graphics').map(graphics => ({type: attr(graphics, 'type') ?? ''})),
    channels: devicesNamed('channel').map(channel => ({type: attr(channel, 'type') ?? ''})),
    inputs: devicesNamed('input').map(readInput),
    sounds: devicesNamed('sound').map(sound => ({model: attr(sound, 'model')})),
    qemuArgs: readQemuArgs(domain, warnings),
    warnings,
  }
}

/** A scaled size element (<memory>, <size>) in bytes; a warning when it cannot be read. */
function scaledSize(el: XmlElement | undefined, defaultScale: number, warnings: string[]): number | undefined {
  if (!el) return undefined
  const unit = attr(el, 'unit')
  const bytes = scaledBytes(el.text, unit, defaultScale)
  if (bytes === undefined) warnings.push(`<${el.name}>: size "${el.text.trim()}" unit "${unit ?? ''}" is unreadable or too large`)
  return bytes
}

function readOs(os: XmlElement | undefined): DomainModel['os'] {
  const type = child(os, 'type')
  const loader = child(os, 'loader')
  return {
    firmware: attr(os, 'firmware'),
    loader: textOf(loader),
    loaderType: attr(loader, 'type'),
    nvram: nvramPath(child(os, 'nvram')),
    machine: attr(type, 'machine'),
    arch: attr(type, 'arch'),
  }
}

/** <nvram>PATH</nvram>, or the newer <nvram type='file|network'><source .../></nvram>. */
function nvramPath(nvram: XmlElement | undefined): string | undefined {
  if (!nvram) return undefined
  return textOf(nvram) || sourcePath(child(nvram, 'source')) || ''
}

function readCpu(cpu: XmlElement | undefined): DomainModel['cpu'] {
  const topology = child(cpu, 'topology')
  return {
    mode: attr(cpu, 'mode'),
    topology: topology && {
      sockets: decimalUint(attr(topology, 'sockets')),
      dies: decimalUint(attr(topology, 'dies')),
      cores: decimalUint(attr(topology, 'cores')),
      threads: decimalUint(attr(topology, 'threads')),
    },
  }
}

function readFeatures(features: XmlElement | undefined): DomainModel['features'] {
  const hyperv = child(features, 'hyperv')
  const vendorId = child(hyperv, 'vendor_id')
  const hidden = child(child(features, 'kvm'), 'hidden')
  const smm = child(features, 'smm')
  return {
    hyperv: hyperv !== undefined,
    hypervVendorId: vendorId && {state: attr(vendorId, 'state'), value: attr(vendorId, 'value')},
    kvmHidden: hidden && attr(hidden, 'state') === 'on',
    ioapicDriver: attr(child(features, 'ioapic'), 'driver'),
    // A bare <smm/> is on: libvirt only turns it off with state='off'.
    smm: smm && attr(smm, 'state') !== 'off',
  }
}

function readDisk(disk: XmlElement): DomainDisk {
  const target = child(disk, 'target')
  return {
    type: attr(disk, 'type'),
    device: attr(disk, 'device') ?? 'disk',
    bus: attr(target, 'bus'),
    sourceFile: sourcePath(child(disk, 'source')),
    targetDev: attr(target, 'dev'),
    readonly: child(disk, 'readonly') !== undefined,
  }
}

/** The one attribute of a <source> that names the backing thing, whatever the source type. */
function sourcePath(source: XmlElement | undefined): string | undefined {
  return attr(source, 'file') ?? attr(source, 'dev') ?? attr(source, 'dir') ?? attr(source, 'volume') ?? attr(source, 'name')
}

function readHostdev(hostdev: XmlElement, warnings: string[]): DomainHostdev {
  const type = attr(hostdev, 'type') ?? ''
  const rom = child(hostdev, 'rom')
  return {
    type,
    managed: yesNo(attr(hostdev, 'managed')),
    source: type === 'pci' ? pciSource(hostdev, warnings) : undefined,
    romFile: attr(rom, 'file'),
    romBar: attr(rom, 'bar'),
  }
}

function yesNo(value: string | undefined): boolean | undefined {
  return value === 'yes' ? true : value === 'no' ? false : undefined
}

const PCI_FIELDS = ['domain', 'bus', 'slot', 'function'] as const

/** <source><address domain= bus= slot= function=/></source>; a missing attribute is 0, as in libvirt. */
function pciSource(hostdev: XmlElement, warnings: string[]): PciAddress | undefined {
  const address = child(child(hostdev, 'source'), 'address')
  if (!address) return undefined
  const values = PCI_FIELDS.map(field => {
    const raw = attr(address, field)
    const value = raw === undefined ? 0 : libvirtUint(raw)
    if (value === undefined) warnings.push(`<hostdev> source address: libvirt cannot read ${field}='${raw}'`)
    return value
  })
  const [domain, bus, slot, fn] = values
  if (domain === undefined || bus === undefined || slot === undefined || fn === undefined) return undefined
  return {domain, bus, slot, function: fn}
}

function readShmem(shmem: XmlElement, warnings: string[]): DomainShmem {
  return {
    name: attr(shmem, 'name') ?? '',
    model: attr(child(shmem, 'model'), 'type'),
    // libvirt reads a unit-less shmem size as bytes.
    sizeBytes: scaledSize(child(shmem, 'size'), 1, warnings),
  }
}

function readTpm(tpm: XmlElement): DomainModel['tpms'][number] {
  const backend = child(tpm, 'backend')
  return {model: attr(tpm, 'model'), backend: attr(backend, 'type'), version: attr(backend, 'version')}
}

function readInput(input: XmlElement): DomainInput {
  const source = child(input, 'source')
  return {
    type: attr(input, 'type') ?? '',
    bus: attr(input, 'bus'),
    // evdev inputs name the device in dev=, the older passthrough inputs in evdev=.
    sourceDev: attr(source, 'dev') ?? attr(source, 'evdev'),
    grab: attr(source, 'grab'),
    grabToggle: attr(source, 'grabToggle'),
    repeat: attr(source, 'repeat'),
  }
}

/** <metadata><libosinfo:libosinfo><libosinfo:os id=.../>, matched by namespace URI like qemu:commandline. */
function readOsinfo(domain: XmlElement | undefined): string | undefined {
  const inNamespace = (el: XmlElement, localName: string) => el.localName === localName && el.namespaceUri === LIBOSINFO_NAMESPACE
  const libosinfo = child(domain, 'metadata')?.children.find(el => inNamespace(el, 'libosinfo'))
  return attr(libosinfo?.children.find(el => inNamespace(el, 'os')), 'id')
}

/** <qemu:commandline> args, matched by namespace URI so any prefix works (libvirt's tests use ns0 too). */
function readQemuArgs(domain: XmlElement | undefined, warnings: string[]): string[] {
  const args: string[] = []
  for (const el of domain?.children ?? []) {
    if (el.localName !== 'commandline') continue
    if (el.namespaceUri !== QEMU_NAMESPACE) {
      if (el.name === 'qemu:commandline') warnings.push(`<qemu:commandline> ignored: prefix qemu is not bound to ${QEMU_NAMESPACE}`)
      continue
    }
    for (const arg of el.children) {
      const value = attr(arg, 'value')
      if (arg.localName === 'arg' && arg.namespaceUri === QEMU_NAMESPACE && value !== undefined) args.push(value)
    }
  }
  return args
}

export function formatPciAddress(a: PciAddress): string {
  const hex = (n: number, w: number) => n.toString(16).padStart(w, '0')
  return `${hex(a.domain, 4)}:${hex(a.bus, 2)}:${hex(a.slot, 2)}.${a.function.toString(16)}`
}
