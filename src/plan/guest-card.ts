/**
 * The guest's card: which GPU, which functions go to vfio-pci with it (its IOMMU group but the
 * bridges), and how they are handed over: by ids, unless an id also belongs to a device the host keeps
 * (two identical GPUs), then by address through driver_override.
 */
import {intelIgpu, bootVga} from '../facts/guest-gpus.js'
import {idsOf, isBridge, isDisplayDevice, normalizePciAddress, slotOf} from '../facts/merge-pci.js'
import type {Facts, PciDevice} from '../facts/types.js'
import {moduleOfDriver} from '../../checks/lib/gpu.js'
import {UsageError} from '../util/errors.js'
import type {Choices} from './types.js'
import {byCodePoint} from '../util/order.js'

export function chooseGpu(facts: Facts, gpuOption: string | undefined): {gpu?: PciDevice; why?: string} {
  const devices = facts.pciDevices ?? []
  if (gpuOption) {
    const address = normalizePciAddress(gpuOption)
    if (!address) throw new UsageError(`--gpu ${gpuOption} is not a PCI address (like 01:00.0 or 0000:01:00.0)`)
    const gpu = devices.find((d) => d.address === address)
    if (!gpu && devices.length > 0) throw new UsageError(`--gpu ${gpuOption}: the evidence lists no device at ${address}`)
    if (gpu && (gpu.classCode || gpu.className) && !isDisplayDevice(gpu)) throw new UsageError(`--gpu ${gpuOption}: ${address} is a ${gpu.className ?? `class ${gpu.classCode} device`}, not a graphics card`)
    return {gpu: gpu ?? {address}, why: '--gpu'}
  }
  const inferred = facts.guestGpus?.map((a) => devices.find((d) => d.address === a)).filter((d): d is PciDevice => d !== undefined) ?? []
  if (inferred.length === 1) return {gpu: inferred[0], why: 'the configuration or a domain already gives it to the guest'}
  const hostDisplay = bootVga(facts)?.address ?? intelIgpu(devices)?.address
  // One card per slot: an old Intel iGPU shows a second display function.
  const candidates = (inferred.length > 1 ? inferred : devices.filter(isDisplayDevice)).filter(
    (d, i, all) => d.address !== hostDisplay && all.findIndex((e) => slotOf(e.address) === slotOf(d.address)) === i,
  )
  const offBoard = candidates.filter((d) => !d.address.startsWith('0000:00:'))
  const pick = offBoard.length > 0 ? offBoard : candidates
  if (pick.length === 1) return {gpu: pick[0], why: inferred.length > 1 ? 'the one the guest gets that is not the host display' : 'the only graphics card that is not the host display'}
  if (pick.length > 1) throw new UsageError(`more than one GPU could go to the guest (${pick.map((d) => d.address).join(', ')}): choose with --gpu ADDR`)
  return {}
}

const STORAGE = /^01/

/** The GPU's IOMMU group (or its card's functions, without groups), bridges and host essentials left out. */
export function passedFunctions(facts: Facts, gpu: PciDevice): Pick<Choices, 'passed' | 'leftOut'> & {note?: string} {
  const devices = facts.pciDevices ?? []
  const byAddress = (a: string) => devices.find((d) => d.address === a) ?? {address: a}
  const card = devices.filter((d) => slotOf(d.address) === slotOf(gpu.address))
  // The groups of every function of the card: with ACS each function may have a group of its own.
  const groupOf = (d: PciDevice) => facts.iommuGroups?.find((g) => g.devices.includes(d.address)) ?? facts.iommuGroups?.find((g) => d.iommuGroup !== undefined && g.id === d.iommuGroup)
  const groups = [...new Set([gpu, ...card].map(groupOf).filter((g) => g !== undefined))]
  const group = groupOf(gpu)
  const members = [...new Map([...groups.flatMap((g) => g.devices.map(byAddress)), ...card, gpu].map((d) => [d.address, d])).values()].sort((a, b) => byCodePoint(a.address, b.address))
  const passed: PciDevice[] = []
  const leftOut: Choices['leftOut'] = []
  const hostDisplay = bootVga(facts)?.address ?? intelIgpu(devices)?.address
  for (const d of members) {
    if (isBridge(d)) leftOut.push({device: d, why: 'a bridge: it stays with the host, which is fine'})
    else if (d.address !== gpu.address && d.address === hostDisplay) leftOut.push({device: d, why: "the host's own display GPU: move the guest card to another slot"})
    else if (STORAGE.test(d.classCode ?? '')) leftOut.push({device: d, why: 'a disk controller the host may boot from: move the guest card to another slot, or pass it only if the disk is the guest\'s'})
    else passed.push(d)
  }
  const shared = passed.filter((d) => slotOf(d.address) !== slotOf(gpu.address))
  const note = !group
    ? `no IOMMU group listing shows ${gpu.address}: only its card's functions are passed; run \`vfio-doctor plan\` again with the group listing to include the rest of its group`
    : shared.length > 0
      ? `IOMMU group ${groups.map((g) => g.id).join(' / ')} also holds ${shared.map((d) => d.address).join(', ')}: ${shared.length > 1 ? 'they go' : 'it goes'} to the guest too (a group is passed whole)`
      : undefined
  return {passed, leftOut, ...(note ? {note} : {})}
}

/** ids, unless one is also the id of a device the host keeps: identical cards are told apart by address only. */
export function bindingFor(facts: Facts, passed: PciDevice[]): Choices['binding'] {
  const passedAddresses = new Set(passed.map((d) => d.address))
  const ids = [...new Set(passed.map(idsOf).filter((id): id is string => id !== undefined))]
  const sharing = (facts.pciDevices ?? []).filter((d) => !passedAddresses.has(d.address) && ids.includes(idsOf(d) ?? ''))
  if (sharing.length === 0) return {kind: 'ids', ids}
  const why = `${sharing.map((d) => `${d.address} [${idsOf(d)}]`).join(', ')} ${sharing.length > 1 ? 'have' : 'has'} the same ids as a function the guest gets, so vfio-pci.ids would take ${sharing.length > 1 ? 'them' : 'it'} too`
  return {kind: 'address', addresses: [...passedAddresses], why}
}

/** The driver each passed function would get from the host, as the module a softdep names. */
export function hostDriversOf(passed: PciDevice[]): string[] {
  const modules = passed.flatMap((d): string[] => {
    if (d.driver && d.driver !== 'vfio-pci') return [moduleOfDriver(d.driver)]
    if (isDisplayDevice(d)) return d.vendorId === '10de' ? ['nouveau', 'nvidia'] : d.vendorId === '1002' ? ['amdgpu', 'radeon'] : d.vendorId === '8086' ? ['i915'] : []
    if (d.classCode === '0403' || /audio/i.test(d.className ?? '')) return ['snd_hda_intel']
    if (d.classCode === '0c03' || /USB controller/i.test(d.className ?? '')) return ['xhci_pci']
    // NVIDIA's USB-C (UCSI) function on Turing and later cards.
    if (d.classCode === '0c80' || /Serial bus controller/i.test(d.className ?? '')) return ['i2c_nvidia_gpu']
    return []
  })
  return [...new Set(modules)]
}
