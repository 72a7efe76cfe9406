import {CHECKS} from '../../checks/index.js'
import {assembleFacts, specialisationNames, type AssembleOptions} from '../facts/assemble.js'
import type {Facts} from '../facts/types.js'
import {buildReport, type Report} from '../report/model.js'
import type {SourceSet} from '../sources/types.js'
import {runChecks, type RunOptions} from './run-checks.js'
import type {CheckResult, CheckStatus, Finding} from './types.js'

export interface PipelineOptions extends RunOptions, AssembleOptions {}

/** A configuration with more specialisations than this is not judged past them (each is a whole run). */
export const MAX_SPECIALISATIONS = 8

/**
 * Sources -> facts -> checks -> report: everything after collection, pure. A NixOS specialisation is
 * a generation of its own: it is judged too, and what it alone gets wrong is reported under its name.
 */
export function diagnose(set: SourceSet, options: PipelineOptions = {}): {facts: Facts; report: Report} {
  const assembly = {...(options.gpu ? {gpu: options.gpu} : {}), ...(options.lookingGlass ? {lookingGlass: options.lookingGlass} : {})}
  const facts = assembleFacts(set, assembly)
  const results = runChecks(CHECKS, facts, options)
  for (const name of specialisationNames(facts).slice(0, MAX_SPECIALISATIONS)) {
    addSpecialisation(results, name, runChecks(CHECKS, assembleFacts(set, {...assembly, specialisation: name}), options))
  }
  return {facts, report: buildReport(set, facts, results)}
}

const STATUS_RANK: Record<CheckStatus, number> = {skipped: 0, passed: 0, warned: 1, failed: 2, crashed: 3}

/** The findings only the specialisation's generation has, added to the same checks under its name. */
function addSpecialisation(results: CheckResult[], name: string, own: CheckResult[]): void {
  const key = (f: Finding) => `${f.id} ${f.severity} ${f.subject ?? ''} ${f.message ?? ''}`
  for (const result of own) {
    const base = results.find((r) => r.id === result.id)
    if (!base) continue
    const known = new Set(base.findings.map(key))
    const added = result.findings.filter((f) => !known.has(key(f)))
    if (added.length === 0) continue
    base.findings.push(...added.map((f) => ({...f, message: `specialisation ${name}: ${f.message ?? ''}`.trim()})))
    if (STATUS_RANK[result.status] > STATUS_RANK[base.status]) base.status = result.status
  }
}
