import {defineCheck, type Severity} from '../src/engine/types.js'
import type {CpuVendor, Facts} from '../src/facts/types.js'
import {cmdlineEvidence, logEvidence, signalsOf} from './lib/evidence.js'
import {cpuVendorOf, nixEvidence, nixList, vendorBinding} from './lib/kernel.js'

type Driver = 'intel_iommu' | 'amd_iommu'

/**
 * The values each driver reads (kernel-parameters.txt, intel_iommu_setup(), parse_amd_iommu_options(),
 * older kernels' options included). Anything else is ignored; recent kernels log "Unknown option - 'X'".
 */
const KNOWN: Record<Driver, ReadonlySet<string>> = {
  intel_iommu: new Set(['on', 'off', 'igfx_off', 'forcedac', 'strict', 'sp_off', 'sm_on', 'sm_off', 'tboot_noforce', 'ecs_off', 'pasid28', 'nobounce']),
  amd_iommu: new Set(['fullflush', 'off', 'force_isolation', 'force_enable', 'pgtbl_v1', 'pgtbl_v2', 'irtcachedis', 'nohugepages', 'v2_pgsizes_only', 'pgsize_4k']),
}
const DRIVER_OF: Record<Driver, CpuVendor> = {intel_iommu: 'intel', amd_iommu: 'amd'}

/** One IOMMU parameter as written ("amd_iommu=pt") and everywhere it is written. */
interface Occurrence {
  driver: Driver
  text: string
  tokens: string[]
  evidence: string[]
  /** The let binding that puts the vendor in it ('platform = "amd"' in configuration.nix). */
  binding?: string
}

interface Problem {
  severity: Severity
  occurrence: Occurrence
  message: string
  /** The parameter the person meant, when there is one ("iommu=pt", "intel_iommu=on"). */
  replacement?: string
}

/**
 * intel_iommu / amd_iommu for the wrong CPU vendor, and values the driver does not know:
 * `amd_iommu=pt` (passthrough mode is `iommu=pt`), `amd_iommu=on` (the AMD IOMMU is on by default),
 * from /proc/cmdline, NixOS boot.kernelParams (interpolations resolved through let bindings, as in
 * seed 001's "${platform}_iommu=pt") and the current generation's kernel-params.
 */
export default defineCheck({
  id: 'iommu-param',
  title: 'The IOMMU kernel parameters fit this CPU',
  area: 'iommu',
  reports: ['iommu-param-wrong'],
  needs: [],
  uses: ['cmdline', 'nixConfig', 'nixos', 'cpu', 'kernelLog'],
  run(facts, report) {
    const occurrences = iommuParams(facts)
    if (!facts.cmdline && !facts.nixos?.currentKernelParams && nixList(facts, 'kernelParams').length === 0) {
      return report.skip('no kernel command line or NixOS kernelParams (add /proc/cmdline or the configuration)')
    }
    const vendor = cpuVendorOf(facts)
    const problems = occurrences.flatMap((o) => problemOf(o, vendor, hasIommuPt(facts), occurrences.some((x) => x.driver === 'intel_iommu')) ?? [])
    if (problems.length === 0) {
      const shown = occurrences.map((o) => o.text).join(' ')
      return report.pass(shown ? `${shown}: values the driver knows, for this CPU's vendor` : 'no intel_iommu / amd_iommu parameter')
    }
    const kernelParams = correctedList(facts, problems, vendor)
    for (const p of problems) {
      const unknownLines = signalsOf(facts, 'iommu-unknown-option')
        .filter((s) => s.data?.driver === p.occurrence.driver && p.occurrence.tokens.includes(s.data.option ?? ''))
        .map(logEvidence)
      report[p.severity]('iommu-param-wrong', {
        subject: p.occurrence.text,
        message: p.message,
        evidence: [...p.occurrence.evidence, ...unknownLines],
        values: {param: p.occurrence.text, change: changeOf(p), kernelParams},
      })
    }
  },
})

function iommuParams(facts: Facts): Occurrence[] {
  const byText = new Map<string, Occurrence>()
  const add = (key: string, value: string | undefined, evidence: string, binding?: string) => {
    if ((key !== 'intel_iommu' && key !== 'amd_iommu') || value === undefined) return
    const text = `${key}=${value}`
    const found: Occurrence = byText.get(text) ?? {driver: key, text, tokens: value.split(',').map((t) => t.trim()).filter(Boolean), evidence: []}
    if (!found.evidence.includes(evidence)) found.evidence.push(evidence)
    if (binding) found.binding ??= binding
    byText.set(text, found)
  }
  for (const p of facts.cmdline?.params ?? []) add(p.key, p.value, cmdlineEvidence(facts))
  for (const {config, entry} of nixList(facts, 'kernelParams')) {
    const m = /^([^=]+)=(.*)$/.exec(entry.value ?? '')
    const binding = vendorBinding(config, entry)
    if (m) add(m[1]!, m[2], nixEvidence(config, entry), binding && `${binding.name} = "${binding.value}" in ${config.file}`)
  }
  const generation = facts.nixos?.currentKernelParams
  for (const word of generation ?? []) {
    const m = /^([^=]+)=(.*)$/.exec(word)
    if (m) add(m[1]!, m[2], `current generation's kernel-params: ${generation!.join(' ')}`)
  }
  return [...byText.values()]
}

function hasIommuPt(facts: Facts): boolean {
  const inCmdline = facts.cmdline?.params.some((p) => p.key === 'iommu' && p.value?.split(',').includes('pt')) ?? false
  return inCmdline || nixList(facts, 'kernelParams').some(({entry}) => /^iommu=(?:.*,)?pt(?:,|$)/.test(entry.value ?? ''))
}

function problemOf(o: Occurrence, vendor: 'intel' | 'amd' | undefined, iommuPt: boolean, intelAsked: boolean): Problem | undefined {
  // intel_iommu=off / amd_iommu=off: iommu-enabled reports a disabled IOMMU.
  if (o.tokens.includes('off')) return undefined
  const meantPt = o.tokens.includes('pt')
  if (vendor && DRIVER_OF[o.driver] !== vendor) {
    const right = vendor === 'intel' ? 'intel_iommu=on' : undefined
    const rightNote = vendor === 'intel' ? 'the Intel one is intel_iommu=on' : 'the AMD IOMMU is on by default and needs no parameter'
    const fromBinding = o.binding ? ` It comes from ${o.binding}: that should say "${vendor}".` : ''
    return {
      severity: 'warning',
      occurrence: o,
      message: `${o.text} is for ${DRIVER_OF[o.driver] === 'intel' ? 'Intel' : 'AMD'} CPUs and does nothing on this ${vendor === 'intel' ? 'Intel' : 'AMD'} CPU: ${rightNote}${meantPt ? '; passthrough mode is iommu=pt' : ''}.${fromBinding}`,
      ...(meantPt && !iommuPt ? {replacement: 'iommu=pt'} : right ? {replacement: right} : {}),
    }
  }
  const unknown = o.tokens.filter((t) => !KNOWN[o.driver].has(t))
  if (unknown.length === 0) return undefined
  if (meantPt) {
    return {
      severity: iommuPt ? 'info' : 'warning',
      occurrence: o,
      message: iommuPt
        ? `${o.text} is not an option of the ${driverName(o.driver)} driver (it ignores it); iommu=pt is already set, so ${o.text} can go.`
        : `${o.text} is not an option of the ${driverName(o.driver)} driver: it is ignored, so the IOMMU is not in passthrough mode. The parameter for that is iommu=pt.`,
      ...(iommuPt ? {} : {replacement: 'iommu=pt'}),
    }
  }
  if (o.driver === 'amd_iommu' && unknown.every((t) => t === 'on')) {
    const notKnown = 'amd_iommu=on is not a value the AMD IOMMU driver knows (recent kernels log "AMD-Vi: Unknown option - \'on\'")'
    // People carry it over from an AMD build: on an Intel CPU nothing turns the IOMMU on.
    // A vendor binding (seed 001's platform = "amd") is the person saying which CPU this is.
    if (vendor === undefined && !intelAsked && !o.binding) {
      return {
        severity: 'warning',
        occurrence: o,
        message: `${notKnown}. On an AMD CPU that is harmless (the AMD IOMMU is on by default); on an Intel CPU it does nothing, and without intel_iommu=on the Intel IOMMU stays off. The evidence does not say which CPU this is (add /proc/cpuinfo).`,
      }
    }
    return {
      severity: 'info',
      occurrence: o,
      message: `${notKnown}; harmless, because the AMD IOMMU is on by default.`,
    }
  }
  return {
    severity: 'warning',
    occurrence: o,
    message: `${o.text}: ${unknown.map((t) => `'${t}'`).join(', ')} is not an option of the ${driverName(o.driver)} driver, which ignores it.`,
  }
}

function driverName(driver: Driver): string {
  return driver === 'intel_iommu' ? 'Intel IOMMU (intel_iommu=)' : 'AMD IOMMU (amd_iommu=)'
}

function changeOf(p: Problem): string {
  return p.replacement ? `replace \`${p.occurrence.text}\` with \`${p.replacement}\`` : `remove \`${p.occurrence.text}\``
}

/**
 * The kernelParams list with every problem fixed: the configuration's own entries (as written, so
 * interpolations stay) when it has some, else the IOMMU parameters of the command line.
 */
function correctedList(facts: Facts, problems: Problem[], vendor: 'intel' | 'amd' | undefined): string {
  const bad = new Set(problems.map((p) => p.occurrence.text))
  const configured = nixList(facts, 'kernelParams').map(({entry}) => entry)
  const kept: Array<{raw: string; value?: string}> =
    configured.length > 0
      ? configured.filter((e) => !bad.has(e.value ?? '')).map((e) => ({raw: e.raw, ...(e.value === undefined ? {} : {value: e.value})}))
      : (facts.cmdline?.params ?? [])
          .filter((p) => ['intel_iommu', 'amd_iommu', 'iommu'].includes(p.key) && p.value !== undefined && !bad.has(`${p.key}=${p.value}`))
          .map((p) => ({raw: JSON.stringify(`${p.key}=${p.value}`), value: `${p.key}=${p.value}`}))
  const wanted = problems.flatMap((p) => (p.replacement ? [p.replacement] : []))
  if (vendor === 'intel' && problems.some((p) => DRIVER_OF[p.occurrence.driver] === 'amd') && !wanted.includes('intel_iommu=on')) wanted.unshift('intel_iommu=on')
  for (const param of wanted) {
    if (!kept.some((e) => e.value === param)) kept.push({raw: JSON.stringify(param), value: param})
  }
  return kept.map((e) => e.raw).join(' ')
}
