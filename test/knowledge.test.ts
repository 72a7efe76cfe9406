/** The knowledge base covers the failure-mode contract: every id has a page and a check reports it. */
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {CHECKS} from '../checks/index.js'
import {citeForReaders, FRONT_MATTER_COMPILED, fixFor, frontMatterById, knowledgeDir, knowledgeIds, loadPage, parseFrontMatter, seedDocuments} from '../src/knowledge/page.js'
import {hasShared, readShared, repoRoot, seedsDir} from './helpers/paths.js'

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

describe('front matter is YAML', () => {
  it.each(pages)('%s: valid YAML whose values are text or lists of text', (id) => {
    const front = parseFrontMatter(id, readFileSync(join(knowledgeDir(), `${id}.md`), 'utf8'))
    const notText = Object.entries(front).filter(([, v]) => typeof v !== 'string' && !(Array.isArray(v) && v.every((item) => typeof item === 'string')))
    // An unquoted ": " makes a list item a mapping; "yes" or 1.0 would be a boolean or a number.
    expect(notText, 'quote these values').toEqual([])
  })

  it('a page whose front matter is not YAML fails, naming the page and the line', () => {
    const page = '---\nid: x\nsymptoms:\n  - "BAR 0: can\'t reserve" in dmesg\n---\nbody\n'
    expect(() => parseFrontMatter('x', page)).toThrow(/^knowledge\/x\.md: the front matter is not valid YAML: Unexpected scalar at node end at line 4, column/)
  })

  it('the build compiles exactly the pages', () => {
    const compiled = join(repoRoot, FRONT_MATTER_COMPILED)
    if (!existsSync(compiled)) return expect.fail(`${FRONT_MATTER_COMPILED} is missing: npm run build writes it`)
    expect(JSON.parse(readFileSync(compiled, 'utf8'))).toEqual(frontMatterById())
  })
})

describe('what a reader sees cites documents, not the unshipped seed files', () => {
  it.each(pages)('%s: explain and its fixes name each seed by its public document', (id) => {
    const page = loadPage(id)!
    const shown = citeForReaders([page.body, ...page.sources].join('\n'))
    expect(shown).not.toMatch(/seeds\/|\bseed \d{3}\b/i)
    const fix = fixFor(id)
    expect(`${fix.nixos ?? ''}\n${fix.other ?? ''}`).not.toMatch(/seeds\/|\bseed \d{3}\b/i)
  })

  it.runIf(hasShared)('every seed a page may cite has its document named, and only those', () => {
    expect(Object.keys(seedDocuments()).sort()).toEqual(readdirSync(seedsDir).sort())
  })

  it('a citation becomes the title and where the document is', () => {
    expect(citeForReaders('- seeds/002_467ecb762679129a.txt (the ids of both functions); as seed 003 does')).toBe(
      '- "PCI passthrough (NixOS Wiki)" (https://wiki.nixos.org/wiki/PCI_passthrough) (the ids of both functions); as "KVM GPU Passthrough" does',
    )
  })
})
