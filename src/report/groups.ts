import {idsOf, isBridge, isDisplayDevice, normalizePciAddress, slotOf} from '../facts/merge-pci.js'
import type {Facts, PciDevice} from '../facts/types.js'

/** Class names by class code, for devices only sysfs describes (no lspci on the host). */
export const CLASS_NAMES: Record<string, string> = {
  '0100': 'SCSI storage controller', '0101': 'IDE interface', '0104': 'RAID bus controller', '0106': 'SATA controller',
  '0107': 'Serial Attached SCSI controller', '0108': 'Non-Volatile memory controller', '0200': 'Ethernet controller',
  '0280': 'Network controller', '0300': 'VGA compatible controller', '0302': '3D controller', '0380': 'Display controller',
  '0401': 'Multimedia audio controller', '0403': 'Audio device', '0480': 'Multimedia controller', '0500': 'RAM memory',
  '0600': 'Host bridge', '0601': 'ISA bridge', '0604': 'PCI bridge', '0680': 'Bridge', '0700': 'Serial controller',
  '0780': 'Communication controller', '0800': 'PIC', '0806': 'IOMMU', '0880': 'System peripheral', '0c03': 'USB controller',
  '0c05': 'SMBus', '0c80': 'Serial bus controller', '1080': 'Encryption controller', '1180': 'Signal processing controller',
  '1300': 'Non-Essential Instrumentation',
}

export interface GroupDevice {
  address: string
  className?: string
  classCode?: string
  ids?: string
  name?: string
  driver?: string
  resetMethods?: string[]
  bridge: boolean
  gpu: boolean
  bootGpu: boolean
}

export type GroupKind = 'alone' | 'shared' | 'bridges-only'

export interface GroupVerdict {
  id: number
  devices: GroupDevice[]
  /** alone: one card's functions (and bridges): it can be passed whole. shared: endpoints of several cards. */
  kind: GroupKind
  /** Endpoints that are not the group's first card: what has to go along. */
  others: string[]
  hasGpu: boolean
  bootGpu: boolean
  verdict: string
}

export interface GroupsResult {
  groups: GroupVerdict[]
  /** Why there are no groups to show. */
  reason?: string
}

/**
 * Every IOMMU group with a verdict: can it be passed whole (bridges stay with the host and are
 * fine; other endpoints must go along), what else is in it, and whether it holds the boot GPU.
 */
export function iommuGroupVerdicts(facts: Facts): GroupsResult {
  if (!facts.iommuGroups) {
    const why = facts.unknown.iommuGroups
    return {groups: [], reason: why ? `${why.reason}${why.hint ? ` (${why.hint})` : ''}` : 'no IOMMU group listing'}
  }
  if (facts.iommuGroups.length === 0) return {groups: [], reason: 'the IOMMU is off or missing (`vfio-doctor check` says why)'}
  const byAddress = new Map((facts.pciDevices ?? []).map((d) => [d.address, d]))
  const bootFromLog = new Set(
    (facts.kernelLog?.signals ?? []).filter((s) => s.kind === 'vgaarb-boot-vga' && s.data?.address).map((s) => normalizePciAddress(s.data!.address!) ?? s.data!.address!),
  )
  const groups = facts.iommuGroups.map((g) => {
    const devices = [...g.devices].sort().map((address) => groupDevice(byAddress.get(address) ?? {address}, bootFromLog))
    return {id: g.id, devices, ...judge(devices)}
  })
  return {groups}
}

function groupDevice(d: PciDevice, bootFromLog: Set<string>): GroupDevice {
  const gpu = isDisplayDevice(d)
  const className = d.className ?? (d.classCode ? CLASS_NAMES[d.classCode] : undefined)
  const ids = idsOf(d)
  return {
    address: d.address,
    ...(className ? {className} : {}),
    ...(d.classCode ? {classCode: d.classCode} : {}),
    ...(ids ? {ids} : {}),
    ...(d.name ? {name: d.name} : {}),
    ...(d.driver ? {driver: d.driver} : {}),
    ...(d.resetMethods ? {resetMethods: d.resetMethods} : {}),
    bridge: isBridge(d),
    gpu,
    bootGpu: gpu && (d.bootVga === true || bootFromLog.has(d.address)),
  }
}

function judge(devices: GroupDevice[]): Omit<GroupVerdict, 'id' | 'devices'> {
  const endpoints = devices.filter((d) => !d.bridge)
  const hasGpu = devices.some((d) => d.gpu)
  const bootGpu = devices.some((d) => d.bootGpu)
  if (endpoints.length === 0) return {kind: 'bridges-only', others: [], hasGpu, bootGpu, verdict: 'bridges only: nothing to pass through'}
  // The card the group is about: its GPU if it has one, else its first endpoint.
  const main = endpoints.find((d) => d.gpu) ?? endpoints[0]!
  const others = endpoints.filter((d) => slotOf(d.address) !== slotOf(main.address))
  const card = endpoints.length - others.length
  const notes: string[] = []
  if (others.length === 0) {
    notes.push(`can be passed whole: ${card === 1 ? 'one device' : `one card, ${card} functions`}${endpoints.length < devices.length ? '; its bridge stays with the host' : ''}`)
  } else {
    const list = others.map((d) => `${d.address} ${d.className ?? ''}`.trim()).join(', ')
    notes.push(`not alone: ${list} ${others.length === 1 ? 'is' : 'are'} in the same group and must be passed along (or the card moved to another slot)`)
  }
  if (bootGpu) notes.push('holds the boot GPU: the host console and firmware use it, so the host must let go of it first')
  if (endpoints.some((d) => d.gpu && d.classCode === '0302') || endpoints.some((d) => d.gpu && /3D controller/.test(d.className ?? ''))) {
    notes.push('3D controller: no display outputs of its own (a laptop dGPU): the guest needs Looking Glass or a virtual display')
  }
  return {kind: others.length ? 'shared' : 'alone', others: others.map((d) => d.address), hasGpu, bootGpu, verdict: notes.join('; ')}
}
