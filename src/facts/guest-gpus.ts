import {formatPciAddress} from '../parse/domain-xml.js'
import {idsOf, isDisplayDevice, normalizePciAddress} from './merge-pci.js'
import type {Facts, PciDevice} from './types.js'
import {idsSelected, vfioBindings} from './vfio-bindings.js'

/**
 * The GPU(s) meant for the guest: --gpu if given; else display devices named by vfio-pci ids or a
 * driver_override (on the running host or in a NixOS configuration), bound to vfio-pci, or passed in a
 * domain's hostdev or a qemu command line (`-device vfio-pci,host=`). When the host's own boot display is named next to another GPU, that is a mistake in
 * the configuration (vfio-ids-wrong), not a second guest GPU: the other GPU is the guest's.
 */
export function inferGuestGpus(facts: Facts, gpuOption?: string): string[] | undefined {
  if (gpuOption) {
    const address = normalizePciAddress(gpuOption)
    return address ? [address] : undefined
  }
  const devices = facts.pciDevices
  if (!devices) return undefined
  const bindings = vfioBindings(facts)
  const ids = new Set(bindings.flatMap((b) => (b.kind === 'ids' ? [idsSelected(b.value)] : [])).filter((id) => id !== undefined))
  const addresses = new Set(bindings.flatMap((b) => (b.kind === 'address' ? [b.value] : [])))
  const hostdevs = new Set([
    ...(facts.domains ?? []).flatMap((d) => d.hostdevs.flatMap((h) => (h.type === 'pci' && h.source ? [formatPciAddress(h.source)] : []))),
    // A qemu command line or error quoting "-device vfio-pci,host=01:00.0" passes that device.
    ...(facts.logSignals ?? []).flatMap((s) => (s.kind === 'vfio-device' && s.data?.address ? [s.data.address] : [])),
  ])
  const marked = devices
    .filter(isDisplayDevice)
    .filter((d) => ids.has(idsOf(d) ?? '') || addresses.has(d.address) || d.driver === 'vfio-pci' || hostdevs.has(d.address))
  const hostDisplay = bootVga(facts)?.address ?? intelIgpu(devices)?.address
  const others = marked.filter((d) => d.address !== hostDisplay)
  return (others.length > 0 ? others : marked).map((d) => d.address)
}

/** The display device the firmware booted on: sysfs boot_vga=1, else vgaarb's choice in the kernel log. */
export function bootVga(facts: Facts): {address: string; evidence: string} | undefined {
  const device = facts.pciDevices?.find((d) => d.bootVga === true)
  if (device) return {address: device.address, evidence: `${device.address} boot_vga=1 (sysfs)`}
  const signal = facts.kernelLog?.signals.findLast((s) => s.kind === 'vgaarb-boot-vga' && s.data?.address)
  const address = signal?.data?.address ? normalizePciAddress(signal.data.address) : undefined
  return signal && address ? {address, evidence: `kernel log line ${signal.line.n}: ${signal.line.text}`} : undefined
}

/** Intel integrated graphics sit at 00:02.0 on every Intel platform. */
export function intelIgpu(devices: PciDevice[]): PciDevice | undefined {
  return devices.find((d) => d.address === '0000:00:02.0' && d.vendorId === '8086' && isDisplayDevice(d))
}
