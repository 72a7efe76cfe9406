import {defineCheck} from '../src/engine/types.js'
import type {Facts} from '../src/facts/types.js'
import {moduleKey} from '../src/parse/modprobe.js'
import {nixPlace, type NixConfig, type NixString} from '../src/parse/nix-config.js'
import {bindingIndex, boundDriver, describe, gpuDriversFor, GPU_DRIVERS, guestCards, inEffect, moduleOfDriver, softdepLines} from './lib/gpu.js'

const VFIO_MODULES = ['vfio_pci', 'vfio', 'vfio_iommu_type1']

/**
 * vfio-pci must claim the guest card before the host's driver does: on NixOS by coming first in
 * boot.initrd.kernelModules (stage 1 loads them in the order written), elsewhere by being in the
 * initramfs with `softdep <driver> pre: vfio-pci`. A card the host hands to vfio-pci but that a host
 * driver holds lost that race.
 */
export default defineCheck({
  id: 'vfio-load-order',
  title: 'vfio-pci loads before the host GPU driver',
  area: 'isolation',
  reports: ['vfio-load-order'],
  needs: [],
  uses: ['pciDevices', 'guestGpus', 'cmdline', 'modprobe', 'nixConfig'],
  run(facts, report) {
    const bindings = bindingIndex(facts)
    let lostRace = false
    for (const {gpu, functions} of guestCards(facts)) {
      const lost = functions.filter((f) => {
        const driver = boundDriver(facts, f)
        return driver && driver !== 'vfio-pci' && inEffect(facts, bindings.of(f)).length > 0
      })
      if (lost.length === 0) continue
      lostRace = true
      const drivers = [...new Set(lost.map((f) => f.driver!))]
      const why = causeOf(facts, drivers)
      report.error('vfio-load-order', {
        subject: gpu.address,
        message: `${lost.map((f) => `${f.address} is bound to ${f.driver}`).join('; ')}, although the host hands ${lost.length > 1 ? 'them' : 'it'} to vfio-pci: ${drivers.join(' and ')} loaded first. ${why.text}`,
        evidence: [...lost.map((f) => `${describe(f)}: driver ${f.driver}`), ...[...new Set(lost.flatMap((f) => bindings.of(f).map((b) => b.where)))], ...why.evidence],
        values: valuesFor(facts, drivers),
      })
    }
    if (lostRace) return

    const guestVendors = guestCards(facts).map(({gpu}) => gpu.vendorId)
    const competing = [...new Set(guestVendors.length > 0 ? guestVendors.flatMap(gpuDriversFor) : GPU_DRIVERS)]
    let linted = false
    let early = 0
    // Stryker disable next-line ArrayDeclaration: a string in place of no configuration has no initrdKernelModules, so the loop skips it
    for (const config of facts.nixConfig ?? []) {
      const initrd = config.initrdKernelModules ?? []
      if (initrd.length === 0 || bindings.all.length === 0) continue
      linted = true
      const vfioAt = initrd.findIndex((m) => m.value !== undefined && moduleKey(m.value) === 'vfio_pci')
      const first = initrd.filter((m, i) => m.value !== undefined && competing.includes(m.value) && (vfioAt < 0 || i < vfioAt) && !blacklisted(config, m.value))
      if (first.length === 0) continue
      early++
      const drivers = first.map((m) => m.value!)
      const text =
        vfioAt < 0
          ? `boot.initrd.kernelModules loads ${drivers.join(' and ')} in stage 1 but not vfio_pci, so ${drivers.join(' and ')} takes the guest card before vfio-pci is loaded.`
          : `boot.initrd.kernelModules loads ${drivers.join(' and ')} before vfio_pci (NixOS loads them in the order written), so ${drivers.join(' and ')} can take the guest card first.`
      report.warning('vfio-load-order', {
        message: text,
        evidence: [`${nixPlace(config.file, first[0]!)}: boot.initrd.kernelModules = [ ${initrd.map((m) => m.raw).join(' ')} ]${merged(config, initrd)}`],
        values: valuesFor(facts, drivers),
      })
    }
    if (early > 0) return
    if (linted) return report.pass('boot.initrd.kernelModules loads no GPU driver for the guest card before vfio_pci')
    const won = guestCards(facts).filter(({gpu}) => boundDriver(facts, gpu) === 'vfio-pci' && bindings.of(gpu).length > 0)
    if (won.length > 0) return report.pass(`vfio-pci got ${won.map(({gpu}) => gpu.address).join(', ')} first`)
    report.skip('nothing shows the load order: no guest card handed to vfio-pci with its driver shown, and no boot.initrd.kernelModules')
  },
})

/** What the configuration says about the order, when it says anything. */
function causeOf(facts: Facts, drivers: string[]): {text: string; evidence: string[]} {
  for (const config of facts.nixConfig ?? []) {
    const initrd = config.initrdKernelModules ?? []
    const line = `${initrd[0]?.file ?? config.file}: boot.initrd.kernelModules = [ ${initrd.map((m) => m.raw).join(' ')} ]${merged(config, initrd)}`
    const vfioAt = indexOf(initrd, 'vfio_pci')
    const before = drivers.filter((d) => indexOf(initrd, d) >= 0 && (vfioAt < 0 || indexOf(initrd, d) < vfioAt))
    if (before.length > 0 && vfioAt >= 0) return {text: `boot.initrd.kernelModules lists ${before.join(' and ')} before vfio_pci.`, evidence: [line]}
    if (vfioAt < 0) {
      const elsewhere = [...(config.kernelModules ?? []), ...(config.initrdAvailableKernelModules ?? [])].some((m) => m.value !== undefined && moduleKey(m.value) === 'vfio_pci')
      return {
        text: `vfio_pci is not in boot.initrd.kernelModules${elsewhere ? ' (only in boot.kernelModules or boot.initrd.availableKernelModules, which load it later or on demand)' : ''}, so ${drivers.join(' and ')} ${drivers.length > 1 ? 'get' : 'gets'} the card first.`,
        evidence: initrd.length > 0 ? [line] : [`${config.file}: no boot.initrd.kernelModules`],
      }
    }
  }
  if (facts.modprobe) {
    const missing = drivers.map(moduleOfDriver).filter((m) => !facts.modprobe!.softdeps.some((s) => moduleKey(s.module) === moduleKey(m) && s.pre.some((p) => moduleKey(p) === 'vfio_pci')))
    if (missing.length > 0) {
      return {
        text: `The modprobe configuration has no ${missing.map((m) => `\`softdep ${m} pre: vfio-pci\``).join(' or ')}, so nothing makes vfio-pci load first.`,
        evidence: facts.modprobe.softdeps.map((s) => `${s.origin} line ${s.line}: softdep ${s.module} pre: ${s.pre.join(' ')}`),
      }
    }
    return {text: 'The softdeps are in place: vfio-pci is probably missing from the initramfs while the GPU driver is in it.', evidence: []}
  }
  return {text: 'vfio-pci has to be loaded before it (in the initrd / initramfs, ahead of the GPU driver).', evidence: []}
}

/** A list merged from several files says which, in the order NixOS loads them. */
function merged(config: NixConfig, modules: NixString[]): string {
  const files = [...new Set(modules.map((m) => m.file ?? config.file))]
  return files.length > 1 ? ` (merged from ${files.join(', ')})` : ''
}

function indexOf(modules: NixString[], name: string): number {
  return modules.findIndex((m) => m.value !== undefined && moduleKey(m.value) === moduleKey(name))
}

function blacklisted(config: NixConfig, driver: string): boolean {
  // Stryker disable next-line ArrayDeclaration: a string in place of no blacklist has no value, so it blacklists nothing
  return (config.blacklistedKernelModules ?? []).some((m) => m.value === driver)
}

/** The configuration's initrd list with the vfio modules first (the rest kept in order), and one softdep per driver. */
function valuesFor(facts: Facts, drivers: string[]): Record<string, string> {
  const written = facts.nixConfig?.flatMap((c) => c.initrdKernelModules ?? []).flatMap((m) => (m.value !== undefined ? [m.value] : [])) ?? []
  const rest = [...new Set(written.filter((m) => !VFIO_MODULES.includes(moduleKey(m))))]
  const modules = [...VFIO_MODULES, ...rest]
  return {
    driver: drivers.join(' '),
    nixModules: modules.map((m) => `"${m}"`).join(' '),
    softdeps: softdepLines(drivers),
  }
}
