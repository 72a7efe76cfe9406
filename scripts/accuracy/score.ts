/**
 * The development set: real fragments from public threads (test/devset/cases/NNN-slug/), each with
 * the ids an expert names from its files alone (case.json). Scores what vfio-doctor names against
 * them: recall per id, and errors on hosts the expert calls healthy.
 */
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {diagnose} from '../../src/engine/pipeline.js'
import {readEvidenceFolder} from '../../src/sources/evidence.js'

export interface DevCase {
  name: string
  source: string
  what: string
  expect: string[]
  healthy: boolean
}

export interface CaseResult {
  case: DevCase
  /** Ids the report names, any severity. */
  named: string[]
  errors: string[]
  missed: string[]
}

export interface Score {
  cases: CaseResult[]
  expected: number
  found: number
  recall: number
  /** Healthy cases with an error finding. */
  falseErrors: CaseResult[]
  byId: Map<string, {expected: number; found: number}>
}

/**
 * Symptoms whose finding means "the cause could not be told" (knowledge/iommu-groups-empty.md): a
 * report that names the cause has named the symptom too, as the tool never reports both.
 */
const NAMED_BY_CAUSE: Record<string, string[]> = {
  'iommu-groups-empty': ['iommu-firmware-off', 'iommu-kernel-off', 'host-is-virtual'],
}

export const CASES_DIR = new URL('../../test/devset/cases/', import.meta.url).pathname

export function loadCases(dir = CASES_DIR): DevCase[] {
  return readdirSync(dir, {withFileTypes: true})
    .filter((e) => e.isDirectory())
    .map((e) => ({name: e.name, ...(JSON.parse(readFileSync(join(dir, e.name, 'case.json'), 'utf8')) as Omit<DevCase, 'name'>)}))
    .sort((a, b) => a.name.localeCompare(b.name))
}

export async function runCase(devCase: DevCase, dir = CASES_DIR): Promise<CaseResult> {
  const set = await readEvidenceFolder(join(dir, devCase.name))
  set.sources = set.sources.filter((s) => s.origin !== 'case.json')
  const {report} = diagnose(set)
  const named = [...new Set(report.findings.map((f) => f.id))]
  const errors = [...new Set(report.findings.filter((f) => f.severity === 'error').map((f) => f.id))]
  const covered = (id: string) => named.includes(id) || (NAMED_BY_CAUSE[id] ?? []).some((cause) => named.includes(cause))
  return {case: devCase, named, errors, missed: devCase.expect.filter((id) => !covered(id))}
}

export async function scoreDevset(dir = CASES_DIR): Promise<Score> {
  const cases = await Promise.all(loadCases(dir).map((c) => runCase(c, dir)))
  const byId = new Map<string, {expected: number; found: number}>()
  for (const r of cases) {
    for (const id of r.case.expect) {
      const entry = byId.get(id) ?? {expected: 0, found: 0}
      entry.expected++
      if (!r.missed.includes(id)) entry.found++
      byId.set(id, entry)
    }
  }
  const expected = [...byId.values()].reduce((n, e) => n + e.expected, 0)
  const found = [...byId.values()].reduce((n, e) => n + e.found, 0)
  return {cases, expected, found, recall: expected ? found / expected : 1, falseErrors: cases.filter((r) => r.case.healthy && r.errors.length > 0), byId}
}
