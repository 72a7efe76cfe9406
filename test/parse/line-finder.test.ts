/**
 * One automaton for several line searches must find exactly the lines each search's own pattern finds,
 * line by line (walkLines): the real searches of a streamed log, on real log lines and on generated
 * text of their words in any case, split and broken by CR, non-ASCII and noise.
 */
import fc from 'fast-check'
import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {MessageScanner} from '../../src/knowledge/messages.js'
import {tellingSearch} from '../../src/knowledge/telling-lines.js'
import {NEEDLE_SEARCH} from '../../src/parse/free-log.js'
import {KEY_FINDER, KEY_SEARCHES} from '../../src/parse/kernel-log/rules.js'
import {FoundLines, LineFinder, type LineSearch} from '../../src/parse/line-finder.js'
import {walkLines, type Finder} from '../../src/parse/line-walk.js'
import {WordAutomaton} from '../../src/parse/word-automaton.js'
import {LEARN_SEARCH} from '../../src/redact/learn.js'

const SEARCHES = {
  messages: new MessageScanner().search,
  anchors: LEARN_SEARCH,
  keys: KEY_SEARCHES.keys,
  stamps: KEY_SEARCHES.stamps,
  needles: NEEDLE_SEARCH,
  kernelTelling: tellingSearch('kernelLog')!,
  qemuTelling: tellingSearch('qemuLog')!,
}
const finder = new LineFinder(SEARCHES)

/** The lines a pattern finds on its own, as walkLines visits them. */
function walked(text: string, pattern: RegExp): number[] {
  const lines: number[] = []
  walkLines(text, new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`), (start, _end, hit) => hit && lines.push(start))
  return lines
}

/** The lines a finder gives a walk. */
function starts(text: string, found: Finder): number[] {
  const lines: number[] = []
  walkLines(text, found, (start, _end, hit) => hit && lines.push(start))
  return lines
}

function expectSameAsPatterns(text: string): void {
  const found = finder.find(text)
  for (const [name, search] of Object.entries(SEARCHES)) expect(starts(text, found[name as keyof typeof SEARCHES]), name).toEqual(walked(text, search.pattern))
  expect(starts(text, FoundLines.either(found.keys, found.stamps)), 'keys or stamps').toEqual(walked(text, KEY_FINDER))
}

const fixture = (path: string) => readFileSync(new URL(`../../fixtures/${path}`, import.meta.url), 'utf8')

describe('LineFinder', () => {
  it('finds what each pattern finds on real logs of the fixtures', () => {
    for (const path of ['seed-000-boot-freeze/dmesg.txt', 'seed-001-iso-permission/qemu-win10.log', 'seed-000-working/dmesg.txt']) expectSameAsPatterns(fixture(path))
  })

  it("a stamp's words are only a first look: [   10.012345] holds 0.0 and is no first stamp", () => {
    const text = '[   10.012345] usb 1-1: new device\n[    0.000000] Linux version 6.1\n[0.0] x'
    const found = finder.find(text)
    expect(starts(text, found.stamps)).toEqual([text.indexOf('[    0.0'), text.indexOf('[0.0]')])
    expect(starts(text, found.keys)).toEqual([text.indexOf('[    0.0')])
  })

  it("every alternative of a log's telling pattern holds one of its search's words", () => {
    for (const kind of ['kernelLog', 'qemuLog'] as const) {
      const {pattern, words} = tellingSearch(kind)!
      const alternatives = /\(\?:(.*)\)/.exec(pattern.source)![1]!.split('|')
      // The literal text of each alternative: what stands before any pattern syntax.
      const literals = alternatives.map((a) => a.split(/\\[a-z]|[+*?[(]/i)[0]!.toLowerCase())
      expect(literals.filter((literal) => !words.some((w) => literal.includes(w))), kind).toEqual([])
    }
  })

  it('folds ASCII case only, as a non-Unicode i pattern does', () => {
    const text = 'IOMMU enabled\nİommu\nKVM: disabled by BIOS\n'
    expectSameAsPatterns(text)
    expect(starts(text, finder.find(text).kernelTelling)).toEqual([0, 20])
  })

  it('a search with a word the automaton cannot hold runs as its own pattern', () => {
    const accented: LineSearch = {pattern: /permission refusée/i, words: ['permission refusée']}
    const text = 'a\nPermission refusée pour /home\nb\n'
    expect(starts(text, new LineFinder({accented}).find(text).accented)).toEqual([2])
  })

  it('a search with no words finds no line', () => {
    expect(starts('any\nline\n', new LineFinder({none: {pattern: /(?!)/, words: []}}).find('any\nline\n').none)).toEqual([])
  })

  it('matches the patterns on text made of their words in any case, CR, non-ASCII and noise', () => {
    const words = [...new Set(Object.values(SEARCHES).flatMap((s) => s.words))]
    const piece = fc.oneof(
      fc.constantFrom(...words).chain((w) => fc.constantFrom(w, w.toUpperCase(), w[0]!.toUpperCase() + w.slice(1))),
      fc.constantFrom('\n', '\r\n', '\r', ' ', '[    0.000000] ', '[   12.000000] ', 'é', '\u0130', 'BAR 3', '\t'),
      fc.string({maxLength: 6}),
    )
    fc.assert(fc.property(fc.array(piece, {maxLength: 40}), (pieces) => expectSameAsPatterns(pieces.join(''))), {numRuns: 300})
  })
})

describe('FoundLines', () => {
  it('either of two finders answers a walk as the pattern of both would', () => {
    const text = 'a\nDMAR: IOMMU enabled\nb\n[    0.000000] x\nkvm: disabled by BIOS\n'
    const {keys, stamps} = finder.find(text)
    const lines = starts(text, FoundLines.either(keys, stamps))
    expect(lines).toEqual(walked(text, KEY_FINDER))
    expect(lines).toEqual([2, text.indexOf('[ '), text.indexOf('kvm')])
  })
})

describe('WordAutomaton', () => {
  const asciiLower = (text: string) => text.replace(/[A-Z]/g, (c) => c.toLowerCase())

  it('tells which words a text holds, overlapping and nested ones included, ASCII case folded', () => {
    const words = ['he', 'she', 'his', 'hers', 'vfio', 'vfio-pci']
    const automaton = new WordAutomaton(words)
    expect(automaton.wordsIn('uSHERS').sort()).toEqual([0, 1, 3])
    expect(automaton.wordsIn('bound to VFIO-PCI', 9).sort()).toEqual([4, 5])
    expect(automaton.wordsIn('bound to VFIO-PCI', 0, 12)).toEqual([])
  })

  it("ends a word reached through a chain of failures, where the state between ends none", () => {
    // Reading "xab": the state for "xab" fails to "ab" (no word ends there), which fails to "b" (a word).
    const automaton = new WordAutomaton(['xabd', 'abz', 'b'])
    expect(automaton.wordsIn('xab')).toEqual([2])
  })

  it('holds no word that is not lower-case ASCII', () => {
    for (const word of ['', 'Vfio', 'refusée']) expect(() => new WordAutomaton([word])).toThrow(/lower-case ASCII/)
  })

  it('finds exactly the words an ASCII-folded text includes', () => {
    const words = ['iommu', 'dmar', 'amd-vi', 'vfio', 'vfio_', 'kvm', 'bar ', 'acs', 'aer', '0.0']
    const automaton = new WordAutomaton(words)
    const piece = fc.oneof(fc.constantFrom(...words, 'IOMMU', 'VFIO_', 'Kvm', 'İ', 'é', ' ', '\n'), fc.string({maxLength: 4}))
    fc.assert(
      fc.property(fc.array(piece, {maxLength: 30}), (pieces) => {
        const text = pieces.join('')
        expect(automaton.wordsIn(text).sort((a, b) => a - b)).toEqual(words.flatMap((w, i) => (asciiLower(text).includes(w) ? [i] : [])))
      }),
      {numRuns: 300},
    )
  })
})
