/** A row of bad evidence for `check --input`, and how a row is run and held to its limits. */
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {expect} from 'vitest'
import type {Report} from '../../src/report/model.js'
import {FORMATS} from '../../src/report/render.js'
import type {SourceStatus} from '../../src/sources/types.js'
import {fixturesDir} from '../helpers/paths.js'
import {expectJsonReport, notOk, runCli} from './helpers.js'

const SEED_000 = join(fixturesDir, 'seed-000-vtd-off')
/** The seed-000 host's files, name to text. */
export const seed000 = () => Object.fromEntries(readdirSync(SEED_000).map((f) => [f, readFileSync(join(SEED_000, f), 'utf8')]))
export const SEED_000_FINDINGS = (JSON.parse(readFileSync(`${SEED_000}.expected.json`, 'utf8')) as {findings: Array<{id: string; severity: string}>}).findings
  .map((f) => `${f.severity} ${f.id}`)
  .sort()

export interface ReportRow {
  kind: string
  /** The --input path, built fresh for the row. */
  input: () => string | Promise<string>
  /** Sources that must be marked: [origin, status, reason]. Every other source must be ok. */
  marked?: Array<[string, SourceStatus, RegExp]>
  /** Exactly these findings ("severity id"), when the row pins them. */
  findings?: string[]
  /** Anything else the row's outcome says; `input` is the row's evidence folder. */
  also?: (report: Report, stdout: string, input: string) => void | Promise<void>
  uid?: number
  /** Wall-clock budget for the CLI run. */
  maxMs?: number
  /** Peak resident memory of the CLI process; 500 MiB unless said. */
  maxRssMiB?: number
  skip?: string
  /** The CLI's time and memory are held to the row's limits in every format, not only JSON. */
  everyFormat?: true
}

/** Runs a row through the CLI and holds it to its limits; gives the row's input folder. */
export async function checkRow(row: ReportRow): Promise<string> {
  const input = await row.input()
  const r = await runCli(['check', '--input', input, '--format', 'json'], {...(row.uid !== undefined ? {uid: row.uid} : {}), timeoutMs: (row.maxMs ?? 10_000) * 2})
  expect(r.timedOut, 'hung').toBe(false)
  expect(r.ms).toBeLessThan(row.maxMs ?? 10_000)
  // Peak resident memory of the whole process, as the kernel counts it (VmHWM).
  expect(r.peakRssMiB).toBeGreaterThan(0)
  expect(r.peakRssMiB).toBeLessThan(row.maxRssMiB ?? 500)
  const report = expectJsonReport(r)
  if (row.marked) {
    const got = notOk(report).map(([o, s, reason]) => [o, s, reason])
    expect(got.map(([o, s]) => `${o} ${s}`).sort()).toEqual(row.marked.map(([o, s]) => `${o} ${s}`).sort())
    for (const [origin, status, reason] of row.marked) expect(got.find(([o, s]) => o === origin && s === status)?.[2], origin).toMatch(reason)
  }
  if (row.findings) expect(report.findings.map((f) => `${f.severity} ${f.id}`).sort()).toEqual([...row.findings].sort())
  await row.also?.(report, r.stdout, input)
  for (const format of row.everyFormat ? FORMATS.filter((f) => f !== 'json') : []) {
    const other = await runCli(['check', '--input', input, '--format', format], {timeoutMs: (row.maxMs ?? 10_000) * 2})
    expect(other.timedOut, `${format} hung`).toBe(false)
    expect([0, 1], `${format}: ${other.stderr.slice(0, 300)}`).toContain(other.code)
    expect(other.ms, format).toBeLessThan(row.maxMs ?? 10_000)
    expect(other.peakRssMiB, format).toBeLessThan(row.maxRssMiB ?? 500)
    if (format === 'markdown') expect(other.stdout.length, format).toBeLessThan(64 * 1024)
  }
  return input
}

export const rowTimeout = (row: ReportRow) => (row.maxMs ?? 10_000) * (row.everyFormat ? 2 * FORMATS.length : 3)

