/**
 * The fixtures' expected findings are an oracle independent of the tool: each one says why (the seed
 * document and the line it rests on, or a public source), the quote really is in that document, and
 * the fixture's description names each expected id as often as the list has it, so a list edited to
 * follow the tool stops agreeing with its prose. Seed quotes are checked when ../shared is present.
 */
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {fixturesDir, hasShared, seedsDir} from './helpers/paths.js'

type Because = {seed: string; quote: string} | {url: string; quote: string}

interface Expected {
  source: string
  description: string
  findings: Array<{id: string; severity: string; subject?: string; because?: Because[]}>
}

const expectedFiles = readdirSync(fixturesDir).filter((n) => n.endsWith('.expected.json')).sort()
const read = (file: string) => JSON.parse(readFileSync(join(fixturesDir, file), 'utf8')) as Expected

/** Quotes cross line breaks and indentation: compare with every run of white space as one space. */
const flat = (text: string) => text.replace(/\s+/g, ' ').trim()
const seedTexts = new Map<string, string>()
function seedText(name: string): string {
  if (!seedTexts.has(name)) seedTexts.set(name, flat(readFileSync(join(seedsDir, name), 'utf8')))
  return seedTexts.get(name)!
}

const COUNT_WORDS: Record<string, number> = {twice: 2, 'three times': 3, 'four times': 4}

/** How often the prose names an id: each mention counts once, or as often as a "twice" right after it says. */
export function timesNamed(description: string, id: string): number {
  const mention = new RegExp(`(?<![\\w-])${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])(?:,? (twice|three times|four times))?`, 'g')
  return [...description.matchAll(mention)].reduce((n, m) => n + (m[1] ? COUNT_WORDS[m[1]]! : 1), 0)
}

describe('timesNamed', () => {
  it('counts mentions, "twice" as two, and not longer ids holding this one', () => {
    expect(timesNamed('vfio-ids-wrong (warning), and vfio-ids-wrong again', 'vfio-ids-wrong')).toBe(2)
    expect(timesNamed('the post writes two addresses: vfio-ids-wrong, twice.', 'vfio-ids-wrong')).toBe(2)
    expect(timesNamed('looking-glass-display-config twice, a warning and an info', 'looking-glass-display-config')).toBe(2)
    expect(timesNamed('looking-glass-shm-size is another id', 'looking-glass-shm')).toBe(0)
  })
})

describe(`${expectedFiles.length} fixtures' expected findings`, () => {
  for (const file of expectedFiles) {
    const expected = read(file)
    describe(file, () => {
      it('each finding says why: a seed document or a public source, with the quote it rests on', () => {
        for (const f of expected.findings) {
          expect(f.because?.length, `${f.severity} ${f.id} has no "because"`).toBeGreaterThan(0)
          for (const b of f.because!) {
            expect(b.quote.trim().length, `${f.id}: an empty quote`).toBeGreaterThan(0)
            if ('seed' in b) expect(b.seed).toMatch(/^\d{3}_[0-9a-f]{16}\.txt$/)
            else expect(b.url).toMatch(/^https:\/\/\S+$/)
          }
        }
      })

      it('its description names each expected id as often as the list has it', () => {
        const listed = new Map<string, number>()
        for (const f of expected.findings) listed.set(f.id, (listed.get(f.id) ?? 0) + 1)
        const named = Object.fromEntries([...listed.keys()].map((id) => [id, timesNamed(expected.description, id)]))
        expect(named).toEqual(Object.fromEntries(listed))
      })

      it.skipIf(!hasShared)('every quoted line is in the seed document it names', () => {
        expect(existsSync(join(seedsDir, expected.source.replace(/^seeds\//, ''))), expected.source).toBe(true)
        for (const f of expected.findings) {
          for (const b of f.because ?? []) {
            if (!('seed' in b)) continue
            expect(existsSync(join(seedsDir, b.seed)), b.seed).toBe(true)
            expect(seedText(b.seed).includes(flat(b.quote)), `${f.id}: "${b.quote}" is not in ${b.seed}`).toBe(true)
          }
        }
      })
    })
  }
})
