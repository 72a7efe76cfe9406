import {bootVga, intelIgpu} from '../../src/facts/guest-gpus.js'
import {isDisplayDevice} from '../../src/facts/merge-pci.js'
import type {CpuFacts, CpuVendor, Facts, PciDevice} from '../../src/facts/types.js'
import {GPU_DRIVERS} from './gpu.js'

/**
 * Why this display device is the host's own screen, or undefined when nothing says so: it is the
 * boot VGA device, or a host graphics driver drives it. `certain` is false when all we know is that it
 * is Intel's integrated GPU (which hosts usually, but not always, keep).
 */
export function hostDisplayEvidence(facts: Facts, d: PciDevice): {evidence: string; certain: boolean} | undefined {
  if (!isDisplayDevice(d)) return undefined
  const boot = bootVga(facts)
  if (boot?.address === d.address) return {evidence: boot.evidence, certain: true}
  if (d.driver && GPU_DRIVERS.includes(d.driver)) return {evidence: `${d.address} is driven by ${d.driver}`, certain: true}
  if (intelIgpu(facts.pciDevices ?? [])?.address === d.address) return {evidence: `${d.address} is the Intel integrated GPU`, certain: false}
  return undefined
}

/**
 * Whether this CPU has integrated graphics, from its model name; undefined when the name does not
 * say (Xeons, Pentiums, AMD parts without "Radeon Graphics" in the name).
 */
export function cpuHasIgpu(cpu: CpuFacts | undefined): boolean | undefined {
  const model = cpu?.model ?? ''
  if (/\bCore\(TM\) Ultra\b|\bCore Ultra\b/i.test(model)) return true
  const core = /\bCore(?:\(TM\))? i[3579]-(\d{4,5})([A-Z]*\d?)/i.exec(model)
  if (core) {
    const [, number = '', suffix = ''] = core
    // F parts ship without graphics; X / XE and the Sandy Bridge-E to Broadwell-E parts (3820, 3930K ... 6950X) are HEDT chips without it.
    if (/F/i.test(suffix) || /^X/i.test(suffix) || /^[3-6][89]\d\d$/.test(number)) return false
    return true
  }
  if (/with Radeon(?: Vega)? Graphics|\bRyzen \d \d{4}G[E]?\b/i.test(model)) return true
  return undefined
}

/** The firmware (BIOS/UEFI) settings that keep the integrated GPU on and make it the boot display. */
export function igpuFirmwareSetting(vendor: CpuVendor | undefined): string {
  if (vendor === 'amd') return '"Integrated Graphics" = Force (or Enabled) and "Primary Video Adapter" / "Initiate Graphic Adapter" = Int Graphics (IGD)'
  return '"Primary Display" / "Init Display First" / "Initiate Graphic Adapter" = IGFX (iGPU), and "iGPU Multi-Monitor" (or "IGD Multi-Monitor", "Internal Graphics") = Enabled'
}
