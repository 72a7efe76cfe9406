import type {Facts} from '../facts/types.js'
import {messageLine} from '../knowledge/messages.js'
import type {CheckDefinition, CheckResult, CheckStatus, Finding, FindingInput, Severity} from './types.js'

export interface RunOptions {
  only?: string[]
  skip?: string[]
}

/** Runs every selected check against the facts; a check that throws is 'crashed', never a pass. */
export function runChecks(checks: CheckDefinition[], facts: Facts, options: RunOptions = {}): CheckResult[] {
  return checks.filter((c) => selected(c, options)).map((check) => runOne(check, facts))
}

/** --only / --skip take check ids or the knowledge ids a check reports. */
function selected(check: CheckDefinition, {only, skip}: RunOptions): boolean {
  const names = [check.id, ...check.reports]
  if (only?.length && !names.some((n) => only.includes(n))) return false
  if (skip?.length && names.some((n) => skip.includes(n))) return false
  return true
}

function runOne(check: CheckDefinition, facts: Facts): CheckResult {
  const {result, deferred} = runStructured(check, facts)
  return result.status === 'skipped' && !deferred ? fromMessages(check, facts, result) : result
}

/**
 * A check that cannot judge from structured evidence still decides from a known message that proves
 * one of its failure modes ("kvm: disabled by bios" pasted alone): one finding per id, the lines as
 * evidence. A check that ran is the judge of the messages it reads itself (a header-127 line is the
 * reset bug's symptom on a Polaris card), so messages only speak for skipped checks, and not for one
 * that deferred to another failure (kvm-ok's "KVM acceleration can NOT be used" inside WSL2).
 */
function fromMessages(check: CheckDefinition, facts: Facts, result: CheckResult): CheckResult {
  const hits = (facts.messages ?? []).filter((h) => check.reports.includes(h.message.id))
  if (hits.length === 0) return result
  const unjudged = `; the rest could not be checked: ${result.reason ?? 'evidence missing'}`
  const findings: Finding[] = []
  for (const id of new Set(hits.map((h) => h.message.id))) {
    const own = hits.filter((h) => h.message.id === id)
    const severity = own.some((h) => h.message.severity === 'error') ? 'error' : own.some((h) => h.message.severity === 'warning') ? 'warning' : 'info'
    findings.push({
      id,
      severity,
      check: check.id,
      message: `${[...new Set(own.map((h) => h.message.proves))].join('; ')} (${own[0]!.message.where} message${unjudged}).`,
      evidence: own.map(messageLine),
      values: Object.assign({}, ...own.map((h) => h.values)) as Record<string, string>,
    })
  }
  const {reason: _reason, hint: _hint, ...rest} = result
  return {...rest, status: statusOf(findings), findings}
}

function runStructured(check: CheckDefinition, facts: Facts): {result: CheckResult; deferred?: boolean} {
  const base = {id: check.id, title: check.title, area: check.area}
  const missing = check.needs.map((need) => (Array.isArray(need) ? need : [need])).find((anyOf) => anyOf.every((name) => facts[name] === undefined))
  if (missing) {
    const reasons = [...new Set(missing.map((name) => facts.unknown[name]?.reason ?? `no ${name} evidence`))]
    const hint = facts.unknown[missing[0]!]?.hint
    return {result: {...base, status: 'skipped', reason: joinReasons(reasons), ...(hint ? {hint} : {}), passes: [], findings: []}}
  }
  const findings: Finding[] = []
  const passes: string[] = []
  let skipped: {reason: string; hint?: string} | undefined
  let deferred = false
  const add = (severity: Severity) => (id: string, input: FindingInput) => {
    if (!check.reports.includes(id)) throw new Error(`check ${check.id} reported ${id}, which is not in its meta.reports`)
    findings.push({...input, id, severity, check: check.id, evidence: input.evidence ?? []})
  }
  try {
    check.run(facts, {
      error: add('error'),
      warning: add('warning'),
      info: add('info'),
      pass: (message) => passes.push(message),
      skip: (reason, hint) => {
        // The first reason is the particular one ("the domain XML is a fragment without <cpu>"); a
        // check's closing "nothing to judge" would only restate it less exactly.
        if (skipped === undefined || deferred) skipped = hint === undefined ? {reason} : {reason, hint}
        deferred = false
      },
      defer: (reason) => {
        skipped = {reason}
        deferred = true
      },
    })
  } catch (err) {
    return {result: {...base, status: 'crashed', reason: err instanceof Error ? err.message : String(err), passes, findings}}
  }
  if (skipped !== undefined && findings.length === 0) return {result: {...base, status: 'skipped', ...skipped, passes, findings}, deferred}
  return {result: {...base, status: statusOf(findings), passes, findings}}
}

function statusOf(findings: Finding[]): CheckStatus {
  if (findings.some((f) => f.severity === 'error')) return 'failed'
  if (findings.some((f) => f.severity === 'warning')) return 'warned'
  return 'passed'
}

/** "the evidence has no kernel log, no qemu or libvirt log": one sentence for alternatives that are all missing. */
function joinReasons(reasons: string[]): string {
  const prefix = 'the evidence has no '
  if (reasons.length > 1 && reasons.every((r) => r.startsWith(prefix))) return `${prefix}${reasons.map((r) => r.slice(prefix.length)).join(', no ')}`
  return reasons.join('; ')
}
