/**
 * ESLint-RuleTester-style tables for checks: each case is an evidence folder given inline (file
 * name -> content, named as in DESIGN.md's contract) and what the check must say about it.
 */
import {describe, expect, it} from 'vitest'
import {runChecks} from '../../src/engine/run-checks.js'
import type {CheckDefinition, Severity} from '../../src/engine/types.js'
import {assembleFacts} from '../../src/facts/assemble.js'
import {kindOfFileName} from '../../src/sources/kinds.js'
import {labelFor, sourcesOfText} from '../../src/sources/evidence.js'
import type {Source, SourceSet} from '../../src/sources/types.js'

export type EvidenceFiles = Record<string, string>

export interface CheckCase {
  name: string
  files: EvidenceFiles
  /** Sources the case says could not be read (e.g. a denied kernel log). */
  unreadable?: Source[]
  gpu?: string
  /** --looking-glass WxH. */
  lookingGlass?: {width: number; height: number}
  mode?: 'live' | 'input'
}

export interface InvalidCase extends CheckCase {
  /** Every finding the check must report, no more: knowledge id + severity (+ subject when set). */
  findings: Array<{id: string; severity: Severity; subject?: string; message?: RegExp; evidence?: RegExp; fix?: RegExp}>
}

export interface ValidCase extends CheckCase {
  /** The info findings the case expects (id + severity info, + subject when set); any other finding fails it. */
  infos?: Array<{id: string; subject?: string; message?: RegExp}>
  /** The case expects the check to skip (matching this reason): a skip not declared fails it. */
  skipped?: RegExp
  /** Lines the check must print as passed (the report's "•" lines), one pattern each. */
  passes?: RegExp[]
}

export interface CheckTable {
  /** Evidence that must pass: no finding but the declared infos, and no skip unless declared. */
  valid: ValidCase[]
  invalid: InvalidCase[]
  /** Evidence the check cannot judge: it must be skipped, not failed. */
  unknown?: Array<CheckCase & {reason?: RegExp}>
}

/** Inline evidence files, read as an evidence folder reads them: split and recognised by their lines. */
export function sourceSetFromFiles(files: EvidenceFiles, mode: 'live' | 'input' = 'input', unreadable: Source[] = []): SourceSet {
  const sources: Source[] = Object.entries(files).flatMap(([name, text]) => {
    const kind = kindOfFileName(name)
    if (!text.trim()) return [{kind, origin: name, status: 'ok' as const, text, ...(labelFor(kind, name) ? {label: labelFor(kind, name)!} : {})}]
    return sourcesOfText(text, name, kind)
  })
  return {mode, root: 'inline', sources: [...sources, ...unreadable]}
}

export function runCase(check: CheckDefinition, c: CheckCase) {
  const facts = assembleFacts(sourceSetFromFiles(c.files, c.mode, c.unreadable), {...(c.gpu ? {gpu: c.gpu} : {}), ...(c.lookingGlass ? {lookingGlass: c.lookingGlass} : {})})
  const [result] = runChecks([check], facts)
  return result!
}

/** `skip` as in describe.skipIf: set it to !hasShared when the table is built from ../shared. */
export function testCheck(check: CheckDefinition, table: CheckTable, {skip = false} = {}): void {
  describe.skipIf(skip)(`check ${check.id}`, () => {
    for (const c of table.valid) {
      it(`valid: ${c.name}`, () => {
        const r = runCase(check, c)
        expect(r.status, r.reason).not.toBe('crashed')
        const got = r.findings.map((f) => `${f.severity} ${f.id}${f.subject && c.infos?.some((i) => i.subject) ? ` ${f.subject}` : ''}`)
        const want = (c.infos ?? []).map((i) => `info ${i.id}${i.subject ? ` ${i.subject}` : ''}`)
        expect(got.sort(), r.findings.map((f) => `${f.id}: ${f.message}`).join('\n')).toEqual(want.sort())
        for (const i of c.infos ?? []) if (i.message) expect(r.findings.find((f) => f.id === i.id && (!i.subject || f.subject === i.subject))!.message).toMatch(i.message)
        for (const p of c.passes ?? []) expect(r.passes, `no passed line matches ${p}`).toContainEqual(expect.stringMatching(p))
        if (c.skipped) {
          expect(r.status).toBe('skipped')
          expect(r.reason).toMatch(c.skipped)
        } else {
          expect(r.status, r.reason).toBe('passed')
        }
      })
    }
    for (const c of table.invalid) {
      it(`invalid: ${c.name}`, () => {
        const r = runCase(check, c)
        expect(r.status, r.reason).not.toBe('crashed')
        const got = r.findings.map((f) => ({id: f.id, severity: f.severity, ...(f.subject ? {subject: f.subject} : {})}))
        const want = c.findings.map((f) => ({id: f.id, severity: f.severity, ...(f.subject ? {subject: f.subject} : {})}))
        expect(got.map((g) => JSON.stringify(g)).sort()).toEqual(want.map((w) => JSON.stringify(w)).sort())
        for (const w of c.findings) {
          const f = r.findings.find((x) => x.id === w.id && (!w.subject || x.subject === w.subject))!
          if (w.message) expect(f.message).toMatch(w.message)
          if (w.evidence) expect(f.evidence.join('\n')).toMatch(w.evidence)
          if (w.fix) expect(JSON.stringify(f.values ?? {})).toMatch(w.fix)
        }
      })
    }
    for (const c of table.unknown ?? []) {
      it(`unknown: ${c.name}`, () => {
        const r = runCase(check, c)
        expect(r.findings).toEqual([])
        expect(r.status).toBe('skipped')
        if (c.reason) expect(r.reason).toMatch(c.reason)
      })
    }
  })
}
