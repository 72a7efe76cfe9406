/**
 * A knowledge page against its check: the page's severity is one its check can give the finding, and
 * every id a check declares in `reports` is one it can report. What a check can emit is read from its
 * source (report.error('id') and report[expr]('id'), whose expression names the severities) and from
 * the known messages (knowledge/<id>.messages.yaml) that speak for a skipped check. A line a page quotes
 * among its signals is not one the tool's known messages take as proof of another failure mode.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {CHECKS} from '../../checks/index.js'
import type {Severity} from '../../src/engine/types.js'
import {scanMessages, yamlEntries} from '../../src/knowledge/messages.js'
import {knowledgeIds, loadPage} from '../../src/knowledge/page.js'
import type {Source} from '../../src/sources/types.js'
import {repoRoot} from '../helpers/paths.js'

const SEVERITIES: Severity[] = ['error', 'warning', 'info']

/** id -> the severities a check's source can report it with. */
export function emittedBySource(source: string): Map<string, Set<Severity>> {
  const out = new Map<string, Set<Severity>>()
  const add = (id: string, severities: Severity[]) => {
    const set = out.get(id) ?? new Set<Severity>()
    for (const s of severities) set.add(s)
    out.set(id, set)
  }
  for (const m of source.matchAll(/report\.(error|warning|info)\(\s*'([a-z0-9-]+)'/g)) add(m[2]!, [m[1] as Severity])
  // report[expr]('id'): the severities the expression names, or else every severity the file names.
  const named = (text: string) => SEVERITIES.filter((s) => text.includes(`'${s}'`))
  for (const m of source.matchAll(/report\[([^\]]+)\]\(\s*'([a-z0-9-]+)'/g)) add(m[2]!, named(m[1]!).length ? named(m[1]!) : named(source))
  return out
}

const checkSource = (id: string) => readFileSync(join(repoRoot, 'checks', `${id}.ts`), 'utf8')
const messages = yamlEntries()

describe('emittedBySource', () => {
  it('reads direct calls, computed severities and a severity kept in a variable', () => {
    const source = "report.error('a', {})\nreport[bad ? 'error' : 'warning']('b', {})\nconst s = x ? 'info' : 'warning'\nreport[s]('c', {})"
    expect(Object.fromEntries([...emittedBySource(source)].map(([id, s]) => [id, [...s].sort()]))).toEqual({a: ['error'], b: ['error', 'warning'], c: ['error', 'info', 'warning']})
  })
})

describe('knowledge pages against what their checks can emit', () => {
  for (const id of knowledgeIds()) {
    it(`${id}: its severity is one a check reports it with`, () => {
      const page = loadPage(id)!
      const checks = CHECKS.filter((c) => c.reports.includes(id))
      expect(checks.map((c) => c.id), `no check reports ${id}`).not.toEqual([])
      const possible = new Set<Severity>()
      for (const c of checks) for (const s of emittedBySource(checkSource(c.id)).get(id) ?? []) possible.add(s)
      for (const e of messages[id] ?? []) if (e.severity) possible.add(e.severity)
      expect([...possible], `${id}'s page says ${page.severity}`).toContain(page.severity)
    })
  }

  for (const check of CHECKS) {
    it(`check ${check.id}: every id in its reports has a place that reports it`, () => {
      const emitted = emittedBySource(checkSource(check.id))
      expect(check.reports.filter((id) => !emitted.has(id) && !(messages[id]?.length))).toEqual([])
      expect([...emitted.keys()].filter((id) => !check.reports.includes(id))).toEqual([])
    })
  }
})

describe("the lines knowledge pages quote as signals", () => {
  for (const id of knowledgeIds()) {
    it(`${id}: no known message takes one as proof of another failure mode`, () => {
      const quoted = loadPage(id)!.signals.flatMap((s) => [...s.matchAll(/"([^"]{12,})"/g)].map((m) => m[1]!))
      const elsewhere = quoted.flatMap((line) => {
        const source: Source = {kind: 'log', origin: 'signal', status: 'ok', text: line}
        return scanMessages([source]).flatMap((h) => (h.message.id === id ? [] : [`${line} -> ${h.message.id}`]))
      })
      expect(elsewhere).toEqual([])
    })
  }
})
