/** The knowledge base covers the failure-mode contract: every id has a page and a check reports it. */
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {CHECKS} from '../checks/index.js'
import {knowledgeIds, loadPage} from '../src/knowledge/page.js'
import {hasShared, readShared, repoRoot} from './helpers/paths.js'

const contract = [...readShared(join(repoRoot, '../shared/failure-modes.md')).matchAll(/^- ([a-z0-9-]+):/gm)].map((m) => m[1]!)
const pages = knowledgeIds()
const reported = new Set(CHECKS.flatMap((c) => c.reports))

describe(`${contract.length} failure modes in ../shared/failure-modes.md, ${pages.length} pages, ${CHECKS.length} checks`, () => {
  it.skipIf(!hasShared)('every failure mode of the contract has a page', () => expect(contract.filter((id) => !pages.includes(id))).toEqual([]))
  it('every page is reported by a check', () => expect(pages.filter((id) => !reported.has(id))).toEqual([]))
  it('every id a check reports has a page', () => expect([...reported].filter((id) => !pages.includes(id))).toEqual([]))
  it('check ids are unique', () => expect(new Set(CHECKS.map((c) => c.id)).size).toBe(CHECKS.length))
  it.each(pages)('%s has complete front matter and a body with the three sections', (id) => {
    const page = loadPage(id)!
    expect(page.id).toBe(id)
    expect(page.title).not.toBe(id)
    expect(['error', 'warning', 'info']).toContain(page.severity)
    expect(page.symptoms.length).toBeGreaterThan(0)
    expect(page.signals.length).toBeGreaterThan(0)
    expect(page.applies).not.toBe('')
    expect(page.sources.length).toBeGreaterThan(0)
    for (const section of ['Fix on NixOS', 'Fix on other distributions', 'Verify']) expect(page.sections.get(section), section).toBeTruthy()
  })
})
