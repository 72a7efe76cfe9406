import {CHECKS} from '../../checks/index.js'
import {assembleFacts, type AssembleOptions} from '../facts/assemble.js'
import type {Facts} from '../facts/types.js'
import {buildReport, type Report} from '../report/model.js'
import type {SourceSet} from '../sources/types.js'
import {runChecks, type RunOptions} from './run-checks.js'

export interface PipelineOptions extends RunOptions, AssembleOptions {}

/** Sources -> facts -> checks -> report: everything after collection, pure. */
export function diagnose(set: SourceSet, options: PipelineOptions = {}): {facts: Facts; report: Report} {
  const facts = assembleFacts(set, {...(options.gpu ? {gpu: options.gpu} : {}), ...(options.lookingGlass ? {lookingGlass: options.lookingGlass} : {})})
  const results = runChecks(CHECKS, facts, options)
  return {facts, report: buildReport(set, facts, results)}
}
