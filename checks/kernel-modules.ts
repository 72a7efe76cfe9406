import {defineCheck, type Severity} from '../src/engine/types.js'
import type {Facts} from '../src/facts/types.js'
import type {NixString} from '../src/parse/nix-config.js'
import {moduleKey} from '../src/parse/modprobe.js'
import {cmdlineEvidence, logEvidence, signalsOf} from './lib/evidence.js'
import {NIX_OPTION, atLeast, kernelVersion, nixEvidence, nixList, vendorBinding} from './lib/kernel.js'

/** Modules that no longer exist, and the release that removed them. */
const OBSOLETE: Record<string, {major: number; minor: number; why: string}> = {
  vfio_virqfd: {major: 6, minor: 2, why: 'Linux 6.2 merged vfio_virqfd into the vfio module'},
}
/** Modules whose name-not-found matters to passthrough, also when nothing asked for them by name here. */
const PASSTHROUGH_MODULE = /^(vfio|kvm|irqbypass|vendor_reset|kvmfr|pci_stub)/
const KVM_MODULE: Record<string, 'intel' | 'amd'> = {kvm_intel: 'intel', kvm_amd: 'amd'}

type ListField = 'kernelModules' | 'initrdKernelModules' | 'initrdAvailableKernelModules'

/** A place that asks for a module to be loaded. */
interface Request {
  module: string
  evidence: string
  /** The NixOS option, when it comes from the configuration. */
  option?: ListField
  /** The let binding that puts a vendor in the name ('platform = "amd"' in configuration.nix). */
  binding?: string
}

/**
 * Module names that cannot load: vfio_virqfd on 6.2+ (seeds 001 and 003 list it), kvm-intel on an
 * AMD CPU or kvm-amd on an Intel one (seed 001's "kvm-${platform}"), and "module not found" for
 * passthrough modules in the log.
 */
export default defineCheck({
  id: 'kernel-modules',
  title: 'Every kernel module asked for exists for this kernel and CPU',
  area: 'host',
  reports: ['kernel-module-obsolete'],
  needs: [],
  uses: ['nixConfig', 'modprobe', 'cmdline', 'kernelLog', 'kernel', 'cpu', 'nixos'],
  run(facts, report) {
    const requests = moduleRequests(facts)
    const notFound = signalsOf(facts, 'module-not-found')
    if (requests.length === 0 && !facts.kernelLog) return report.skip('no module lists (NixOS configuration, modprobe.d, kernel command line) and no kernel log')
    const version = kernelVersion(facts)
    const asked = new Set(requests.map((r) => r.module))
    let found = 0

    for (const [module, gone] of Object.entries(OBSOLETE)) {
      const mine = requests.filter((r) => r.module === module)
      // Stryker disable next-line OptionalChaining: both module-not-found patterns capture the module, so every such signal has data
      const logged = notFound.filter((s) => moduleKey(s.data?.module ?? '') === module).map(logEvidence)
      if (mine.length === 0 && logged.length === 0) continue
      const removed = version ? atLeast(version, gone.major, gone.minor) : undefined
      if (removed === false && logged.length === 0) continue
      const inInitrd = mine.filter((r) => r.option && r.option !== 'kernelModules')
      const severity: Severity = removed === undefined && logged.length === 0 ? 'info' : inInitrd.length > 0 ? 'error' : 'warning'
      const effect =
        inInitrd.length > 0
          ? `nixos-rebuild fails building the initrd ("modprobe: FATAL: Module ${module} not found")`
          : 'loading it fails at boot ("Failed to find module"); the other modules still load'
      found++
      report[severity]('kernel-module-obsolete', {
        subject: module,
        message:
          severity === 'info'
            ? `${module} is asked for; ${gone.why}, so on 6.2 or later it must go (the evidence does not say which kernel this host runs).`
            : `${module} is asked for, but ${gone.why}${version ? ` and this host has ${version.source}` : ''}: ${effect}. Remove it; vfio provides it.`,
        evidence: [...(version ? [version.source] : []), ...mine.map((r) => r.evidence), ...logged],
        values: fixValues(facts, mine, module),
      })
    }

    const vendor = facts.cpu?.vendor
    for (const [module, forVendor] of Object.entries(KVM_MODULE)) {
      const mine = requests.filter((r) => r.module === module)
      if (mine.length === 0 || (vendor !== 'intel' && vendor !== 'amd') || vendor === forVendor) continue
      const right = vendor === 'amd' ? 'kvm-amd' : 'kvm-intel'
      const binding = mine.find((r) => r.binding)?.binding
      found++
      report.warning('kernel-module-obsolete', {
        subject: module,
        // Stryker disable next-line OptionalChaining: the vendor came from facts.cpu, so it is set here
        message: `${module.replace('_', '-')} is for ${forVendor === 'intel' ? 'Intel' : 'AMD'} CPUs; this CPU is ${vendor === 'amd' ? 'AMD' : 'Intel'} (${facts.cpu?.model ?? 'cpuinfo vendor'}), so it fails to load. The module here is ${right}.${binding ? ` It comes from ${binding}: that should say "${vendor}".` : ''}`,
        // Stryker disable next-line OptionalChaining: as above
        evidence: [`cpuinfo: ${facts.cpu?.model ?? vendor}`, ...mine.map((r) => r.evidence)],
        values: fixValues(facts, mine, module, right),
      })
    }

    for (const signal of notFound) {
      // Stryker disable next-line OptionalChaining: as in the first loop: every module-not-found signal has data
      const module = moduleKey(signal.data?.module ?? '')
      if (!module || module in OBSOLETE || !(PASSTHROUGH_MODULE.test(module) || asked.has(module))) continue
      found++
      const mine = requests.filter((r) => r.module === module)
      report.warning('kernel-module-obsolete', {
        subject: module,
        message: `The kernel cannot find module ${module}: the name is misspelt, or the module is not built or installed for ${facts.kernel ? `kernel ${facts.kernel.release}` : 'this kernel'}.`,
        evidence: [logEvidence(signal), ...mine.map((r) => r.evidence)],
        values: fixValues(facts, mine, module),
      })
    }
    if (found === 0) report.pass(requests.length ? `${asked.size} module name(s) asked for, all loadable here` : 'no module passthrough uses is missing in the kernel log')
  },
})

function moduleRequests(facts: Facts): Request[] {
  const requests: Request[] = []
  for (const option of ['kernelModules', 'initrdKernelModules', 'initrdAvailableKernelModules'] as const) {
    for (const {config, entry} of nixList(facts, option)) {
      if (!entry.value) continue
      const binding = vendorBinding(config, entry)
      requests.push({
        module: moduleKey(entry.value),
        evidence: `${NIX_OPTION[option]}: ${nixEvidence(config, entry)}`,
        option,
        ...(binding ? {binding: `${binding.name} = "${binding.value}" in ${config.file}`} : {}),
      })
    }
  }
  for (const softdep of facts.modprobe?.softdeps ?? []) {
    for (const module of [...softdep.pre, ...softdep.post]) {
      requests.push({module: moduleKey(module), evidence: `${softdep.origin} line ${softdep.line}: softdep ${softdep.module} pre: ${softdep.pre.join(' ')}${softdep.post.length ? ` post: ${softdep.post.join(' ')}` : ''}`})
    }
  }
  // Stryker disable next-line ArrayDeclaration: a string in place of no parameters has no key, so the loop skips it
  for (const p of facts.cmdline?.params ?? []) {
    if (!['modules-load', 'rd.modules-load', 'rd.driver.pre'].includes(p.key) || !p.value) continue
    for (const module of p.value.split(',').filter(Boolean)) requests.push({module: moduleKey(module), evidence: cmdlineEvidence(facts)})
  }
  return requests
}

/**
 * The NixOS list the module is in, rewritten without it (and with the right module instead, for a
 * vendor mix-up), as the fix shows it.
 */
function fixValues(facts: Facts, requests: Request[], module: string, right?: string): Record<string, string> {
  const option = requests.find((r) => r.option)?.option ?? 'kernelModules'
  const entries: NixString[] = nixList(facts, option).map(({entry}) => entry)
  const kept = entries.filter((e) => moduleKey(e.value ?? '') !== module).map((e) => e.raw)
  if (right && !entries.some((e) => moduleKey(e.value ?? '') === moduleKey(right))) kept.unshift(JSON.stringify(right))
  return {
    // Stryker disable next-line Regex: no module name holds kvm_ but at its start (kvm_intel, kvm_amd), so the anchor changes nothing
    module: module.replace(/^kvm_/, 'kvm-'),
    option: NIX_OPTION[option],
    modules: kept.join(' '),
    // Stryker disable next-line Regex: as above
    change: right ? `load \`${right}\` instead of \`${module.replace(/^kvm_/, 'kvm-')}\`` : `remove \`${module}\``,
  }
}
