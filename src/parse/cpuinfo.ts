import type {CpuFacts, CpuVendor} from '../facts/types.js'
import {capped, splitLines} from './lines.js'

/** /proc/cpuinfo, whole or just the `flags` line (or a bare list of flags). */
export function parseCpuinfo(text: string): CpuFacts | undefined {
  const fields = new Map<string, string>()
  let processors = 0
  let flagsText: string | undefined
  for (const raw of splitLines(text)) {
    const line = capped(raw)
    const colon = line.indexOf(':')
    if (colon < 0) continue
    const key = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    if (key === 'processor') processors++
    if ((key === 'flags' || key === 'features') && flagsText === undefined) flagsText = value
    if (!fields.has(key)) fields.set(key, value)
  }
  // A paste of just the flags: "fpu vme de pse ... vmx ..."
  if (flagsText === undefined && fields.size === 0 && /\b(fpu|vmx|svm|sse2)\b/.test(text)) flagsText = text.trim()
  if (flagsText === undefined && fields.size === 0) return undefined

  const flags = new Set((flagsText ?? '').split(/\s+/).filter(Boolean))
  const model = fields.get('model name')
  const vendor = cpuVendor(fields.get('vendor_id'), model, flags)
  const siblings = Number(fields.get('siblings'))
  const cores = Number(fields.get('cpu cores'))
  // lscpu names the hypervisor on a line of its own; its wrapped Flags line may lose the flag.
  const facts: CpuFacts = {vendor, flags, hypervisor: flags.has('hypervisor') || fields.has('hypervisor vendor')}
  if (flags.has('vmx')) facts.virtFlag = 'vmx'
  else if (flags.has('svm')) facts.virtFlag = 'svm'
  if (model) facts.model = model
  if (processors > 0) facts.logicalCpus = processors
  if (cores > 0) {
    facts.cores = cores
    if (siblings >= cores) facts.threadsPerCore = Math.max(1, Math.round(siblings / cores))
  }
  return facts
}

function cpuVendor(vendorId: string | undefined, model: string | undefined, flags: ReadonlySet<string>): CpuVendor {
  if (vendorId === 'GenuineIntel' || /\bintel\b/i.test(model ?? '')) return 'intel'
  if (vendorId === 'AuthenticAMD' || vendorId === 'HygonGenuine' || /\bamd\b/i.test(model ?? '')) return 'amd'
  if (!vendorId && !model) {
    if (flags.has('vmx')) return 'intel'
    if (flags.has('svm')) return 'amd'
  }
  return 'other'
}
