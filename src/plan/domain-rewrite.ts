/**
 * The whole domain XML with the plan's changes made in place: each change inserts, replaces or
 * removes one element (or one attribute), and every other byte stays as it was, comments and
 * quoting included, so the unified diff shows exactly the changes.
 */
import type {DomainDecisions} from './domain-changes.js'
import {
  cpuXml,
  HYPERVCLOCK_XML,
  hostdevXml,
  hypervXml,
  KVM_HIDDEN_CHILD_XML,
  KVM_HIDDEN_XML,
  NVIDIA_NOTE_XML,
  shmemXml,
  sizeXml,
  SPICE_XML,
  topologyXml,
  TPM_XML,
  VENDOR_ID_XML,
  VIDEO_NONE_XML,
} from './libvirt-fragments.js'
import {TextEditor} from './text-edits.js'
import {attrOf, childNamed, childrenNamed, elementSpans, type Span} from './xml-spans.js'

/** Children of <cpu> that only custom and host-model CPUs have. */
const MODEL_ONLY = new Set(['model', 'vendor'])

export function rewriteDomain(text: string, d: DomainDecisions): string {
  const root = elementSpans(text)
  if (!root || root.name !== 'domain') throw new Error('not a domain XML')
  const edit = new TextEditor(text, root)
  const os = childNamed(root, 'os')
  if (d.firmwareEfi && os) edit.setAttr(os, 'firmware', 'efi')
  const vcpu = childNamed(root, 'vcpu')
  if (d.vcpus !== undefined && vcpu && !vcpu.selfClosing && text.slice(vcpu.openEnd, vcpu.closeStart).trim() !== String(d.vcpus)) edit.replaceContent(vcpu, String(d.vcpus))
  const features = editFeatures(edit, root, d)
  const cpu = editCpu(edit, root, d, features ?? os)
  editClock(edit, root, d, cpu ?? features ?? os)
  const devices = childNamed(root, 'devices')
  if (devices) editDevices(edit, devices, d)
  return edit.result()
}

/** <features>: Hyper-V enlightenments, hiding for old NVIDIA drivers, or the note that says why not. */
function editFeatures(edit: TextEditor, root: Span, d: DomainDecisions): Span | undefined {
  const features = childNamed(root, 'features')
  const wanted = [...(d.hyperv ? [hypervXml(d.hideVendorId)] : []), ...(d.hideKvm && !childNamed(features, 'kvm') ? [KVM_HIDDEN_XML] : []), ...(d.nvidiaNote ? [NVIDIA_NOTE_XML] : [])]
  if (!features) {
    const anchor = childNamed(root, 'os')
    if (wanted.length > 0 && anchor) edit.insertChild(root, ['<features>', '  <acpi/>', '  <apic/>', ...wanted.map((w) => indent2(w)), '</features>'].join('\n'), anchor)
    return undefined
  }
  if (features.selfClosing) {
    if (wanted.length > 0) edit.replace(features, ['<features>', ...wanted.map(indent2), '</features>'].join('\n'))
    return features
  }
  for (const xml of wanted) edit.insertChild(features, xml)
  const hyperv = childNamed(features, 'hyperv')
  if (d.hideVendorId && !d.hyperv && hyperv) {
    const vendorId = childNamed(hyperv, 'vendor_id')
    if (vendorId) edit.replace(vendorId, VENDOR_ID_XML)
    else edit.insertChild(hyperv, VENDOR_ID_XML)
  }
  const kvm = childNamed(features, 'kvm')
  if (d.hideKvm && kvm) {
    const hidden = childNamed(kvm, 'hidden')
    if (hidden) edit.setAttr(hidden, 'state', 'on')
    else edit.insertChild(kvm, KVM_HIDDEN_CHILD_XML)
  }
  return features
}

/** <cpu>: host-passthrough, keeping what is not about the CPU model (features, cache, numa); the topology. */
function editCpu(edit: TextEditor, root: Span, d: DomainDecisions, anchor: Span | undefined): Span | undefined {
  const cpu = childNamed(root, 'cpu')
  if (!d.cpuPassthrough && !d.topology) return cpu
  if (!cpu) {
    if (anchor) edit.insertChild(root, cpuXml(d.topology), anchor)
    return undefined
  }
  if (cpu.selfClosing) {
    const tag = d.cpuPassthrough ? undefined : cpu.tag.replace(/(?<!\s)\s*\/>$/, '>')
    edit.replace(cpu, tag ? `${tag}\n  ${topologyXml(d.topology!)}\n</cpu>` : cpuXml(d.topology))
    return cpu
  }
  if (d.cpuPassthrough) {
    const migratable = attrOf(cpu, 'migratable')
    edit.replaceTag(cpu, `<cpu mode='host-passthrough' check='none'${migratable ? ` migratable='${migratable}'` : ''}>`)
    for (const child of cpu.children) if (MODEL_ONLY.has(child.name)) edit.remove(child)
  }
  if (d.topology) {
    const topology = childNamed(cpu, 'topology')
    if (topology) edit.replace(topology, topologyXml(d.topology))
    else edit.insertChild(cpu, topologyXml(d.topology))
  }
  return cpu
}

/** <clock>: the Hyper-V clock the synthetic timers need. */
function editClock(edit: TextEditor, root: Span, d: DomainDecisions, anchor: Span | undefined): void {
  if (!d.hypervclock) return
  const clock = childNamed(root, 'clock')
  if (!clock) {
    if (anchor) edit.insertChild(root, `<clock offset='localtime'>\n  ${HYPERVCLOCK_XML}\n</clock>`, anchor)
    return
  }
  const timer = childrenNamed(clock, 'timer').find((t) => attrOf(t, 'name') === 'hypervclock')
  if (timer) {
    if (attrOf(timer, 'present') === 'no') edit.setAttr(timer, 'present', 'yes')
    return
  }
  edit.insertChild(clock, HYPERVCLOCK_XML)
}

function editDevices(edit: TextEditor, devices: Span, d: DomainDecisions): void {
  const hostdevs = childrenNamed(devices, 'hostdev')
  const removed = new Set<Span>()
  for (const hostdev of hostdevs) {
    const address = hostdevAddress(hostdev)
    if (address && d.removeHostdevs.includes(address)) {
      edit.remove(hostdev)
      removed.add(hostdev)
    }
  }
  if (d.addHostdevs.length > 0) {
    const last = hostdevs.filter((h) => !removed.has(h)).at(-1)
    edit.insertChild(devices, d.addHostdevs.map(hostdevXml).join('\n'), last)
  }
  if (d.tpm) edit.insertChild(devices, TPM_XML)
  for (const move of d.diskMoves) {
    for (const disk of childrenNamed(devices, 'disk')) {
      const source = childNamed(disk, 'source')
      if (source && attrOf(source, 'file') === move.from) edit.setAttr(source, 'file', move.to)
    }
  }
  for (const fix of d.evdevFixes) {
    for (const input of childrenNamed(devices, 'input')) {
      const source = childNamed(input, 'source')
      for (const name of ['dev', 'evdev']) if (source && attrOf(source, name) === fix.from) edit.setAttr(source, name, fix.to)
    }
  }
  editLookingGlass(edit, devices, d)
}

function editLookingGlass(edit: TextEditor, devices: Span, d: DomainDecisions): void {
  const lg = d.lookingGlass
  if (!lg) return
  const shmem = childrenNamed(devices, 'shmem').find((s) => attrOf(s, 'name') === lg.name)
  if (!shmem || !lg.existing) edit.insertChild(devices, shmemXml(lg.name, lg.sizeMiB))
  else if (shmem.selfClosing) edit.replace(shmem, shmemXml(lg.name, lg.sizeMiB))
  else {
    const model = childNamed(shmem, 'model')
    if (lg.modelWrong) {
      if (model) edit.replace(model, "<model type='ivshmem-plain'/>")
      else edit.insertChild(shmem, "<model type='ivshmem-plain'/>")
    }
    const size = childNamed(shmem, 'size')
    if (lg.sizeWrong) {
      if (size) edit.replace(size, sizeXml(lg.sizeMiB))
      else edit.insertChild(shmem, sizeXml(lg.sizeMiB))
    }
  }
  if (d.videoNone) {
    const videos = childrenNamed(devices, 'video')
    for (const video of videos) if (attrOf(childNamed(video, 'model') ?? video, 'type') !== 'none') edit.replace(video, VIDEO_NONE_XML)
    if (videos.length === 0) edit.insertChild(devices, VIDEO_NONE_XML)
  }
  if (d.removeTablets) for (const input of childrenNamed(devices, 'input')) if (attrOf(input, 'type') === 'tablet') edit.remove(input)
  if (d.addSpice) edit.insertChild(devices, SPICE_XML)
}

/** "0000:01:00.0" from <source><address .../></source>; missing fields are 0, as in libvirt. */
function hostdevAddress(hostdev: Span): string | undefined {
  const address = childNamed(childNamed(hostdev, 'source'), 'address')
  if (!address || attrOf(hostdev, 'type') !== 'pci') return undefined
  const field = (name: string, width: number) => {
    const raw = attrOf(address, name) ?? '0'
    const n = raw.startsWith('0x') ? Number.parseInt(raw.slice(2), 16) : Number.parseInt(raw, 10)
    return Number.isNaN(n) ? undefined : n.toString(16).padStart(width, '0')
  }
  const [domain, bus, slot, fn] = [field('domain', 4), field('bus', 2), field('slot', 2), field('function', 1)]
  return domain && bus && slot && fn ? `${domain}:${bus}:${slot}.${fn}` : undefined
}

function indent2(xml: string): string {
  return xml.split('\n').map((l) => `  ${l}`).join('\n')
}
