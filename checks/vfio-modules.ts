import {defineCheck} from '../src/engine/types.js'
import type {Facts} from '../src/facts/types.js'
import {moduleKey} from '../src/parse/modprobe.js'
import {nixPlace} from '../src/parse/nix-config.js'
import {cmdlineEvidence, logEvidence, signalsOf} from './lib/evidence.js'
import {nixEvidence, nixList} from './lib/kernel.js'
import {vfioAddresses} from './lib/passthrough.js'

const VFIO_MODULES = ['vfio_pci', 'vfio', 'vfio_iommu_type1']

/**
 * vfio-pci is configured to claim devices at boot (vfio-pci ids, driver_override) but never loads:
 * not in lsmod and not built in (lsmod cannot show built-ins, so a device bound to vfio-pci, a
 * /dev/vfio node or vfio-pci's own boot messages count as present), or not in the NixOS module lists.
 */
export default defineCheck({
  id: 'vfio-modules',
  title: 'The vfio modules load at boot',
  area: 'isolation',
  reports: ['vfio-modules-missing'],
  needs: [],
  uses: ['modules', 'nixConfig', 'cmdline', 'modprobe', 'pciDevices', 'devNodes', 'kernelLog'],
  run(facts, report) {
    if (!facts.modules && !facts.nixConfig) return report.skip(`${facts.unknown.modules?.reason ?? 'no loaded module list'} and no NixOS configuration`)
    const intent = bootBinding(facts)
    const present = vfioPresent(facts)
    const values = {modules: VFIO_MODULES.map((m) => JSON.stringify(m)).join(' '), list: VFIO_MODULES.join(' ')}
    if (present.length > 0) return report.pass(`vfio-pci is there: ${present[0]}`)
    if (intent.length === 0) {
      return report.pass('no vfio-pci ids or driver_override are set, so nothing needs vfio-pci at boot (libvirt loads it when a VM with a managed hostdev starts)')
    }

    const evidence = [...intent]
    let configured = true
    if (facts.nixConfig && !nixLoadsVfioPci(facts)) {
      configured = false
      evidence.push('boot.initrd.kernelModules, boot.kernelModules and the boot commands never load vfio_pci')
    }
    let loaded: boolean | undefined
    if (facts.modules) {
      loaded = VFIO_MODULES.some((m) => facts.modules!.loaded.has(m))
      if (!loaded) evidence.push(`lsmod: none of ${VFIO_MODULES.join(', ')} is loaded`)
    }
    if (configured && loaded !== false) return report.pass('the configuration loads vfio_pci')

    // A kernel log from boot without a single vfio message shows vfio was not built in either.
    const bootLog = facts.kernelLog?.fromBoot && facts.kernelLog.lineCount > 200
    const builtInRuledOut = !configured || bootLog
    if (bootLog) evidence.push('the kernel log from boot has no "VFIO - User Level meta-driver" line')
    report[builtInRuledOut ? 'error' : 'warning']('vfio-modules-missing', {
      message: `vfio-pci is set up to claim devices at boot, but ${!configured ? 'the configuration never loads vfio_pci' : 'the vfio modules are not loaded'}: the host driver keeps the card.${builtInRuledOut ? '' : ' (Unless vfio-pci is built into this kernel: lsmod cannot show that.)'}`,
      evidence,
      values,
    })
  },
})

/** What says a device should go to vfio-pci at boot. */
function bootBinding(facts: Facts): string[] {
  const found: string[] = []
  if (facts.cmdline?.params.some((p) => /^vfio[-_]pci\.ids$/.test(p.key) && p.value)) found.push(cmdlineEvidence(facts))
  for (const o of facts.modprobe?.options ?? []) {
    if (moduleKey(o.module) === 'vfio_pci' && o.params.ids) found.push(`${o.origin} line ${o.line}: options ${o.module} ids=${o.params.ids}`)
  }
  for (const {config, entry} of nixList(facts, 'kernelParams')) {
    if (/^vfio[-_]pci\.ids=/.test(entry.value ?? entry.raw.replace(/^"/, ''))) found.push(nixEvidence(config, entry))
  }
  for (const config of facts.nixConfig ?? []) {
    const modprobe = config.extraModprobeConfig
    if (modprobe && /options\s+vfio[-_]pci\s+.*\bids=/.test(modprobe.value ?? modprobe.raw)) found.push(`${nixPlace(config.file, modprobe)}: boot.extraModprobeConfig = ${modprobe.raw.slice(0, 200)}`)
    for (const c of config.bootCommands) {
      if (/driver_override/.test(c.text) && /vfio-pci/.test(c.text)) found.push(`${config.file} line ${c.line}: ${c.option} writes vfio-pci to driver_override`)
    }
  }
  return found
}

/** Evidence that vfio(-pci) exists on the running kernel, module or built in. */
function vfioPresent(facts: Facts): string[] {
  const found: string[] = []
  const loaded = VFIO_MODULES.filter((m) => facts.modules?.loaded.has(m))
  if (loaded.includes('vfio_pci')) found.push(`lsmod: ${loaded.join(', ')}`)
  const bound = vfioAddresses(facts)
  if (bound.length > 0) found.push(`${bound.join(', ')} bound to vfio-pci`)
  // /dev/vfio without a vfio module in lsmod: vfio is built into the kernel, and vfio-pci with it.
  const node = facts.devNodes?.find((n) => (n.path === '/dev/vfio' || n.path === '/dev/vfio/vfio') && n.exists)
  if (node && facts.modules && !loaded.includes('vfio')) found.push(`${node.path} exists while lsmod lists no vfio module: vfio is built in`)
  // A kernel the configuration builds with VFIO_PCI=y has vfio-pci inside: there is nothing to load.
  for (const config of facts.nixConfig ?? []) {
    const builtIn = config.kernelBuildOptions.find((o) => o.name === 'VFIO_PCI' && o.value === 'y')
    if (builtIn) found.push(`${config.file} line ${builtIn.line}: the kernel is built with VFIO_PCI=y (vfio-pci is built in)`)
  }
  const added = signalsOf(facts, 'vfio-pci-add')
  if (added.length > 0) found.push(logEvidence(added[0]!))
  return found
}

/** vfio_pci in a NixOS module list, or modprobe'd by a boot command (seed 004's preDeviceCommands). */
function nixLoadsVfioPci(facts: Facts): boolean {
  const listed = [...nixList(facts, 'initrdKernelModules'), ...nixList(facts, 'kernelModules')].some(({entry}) => moduleKey(entry.value ?? '') === 'vfio_pci')
  const probed = (facts.nixConfig ?? []).some((c) => c.bootCommands.some((b) => /modprobe\b[^\n]*\bvfio[-_]pci\b/.test(b.text)))
  return listed || probed
}
