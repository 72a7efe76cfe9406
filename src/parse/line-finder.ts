/**
 * Several line searches in one pass over a text. Each search is a pattern and the words every line it
 * matches holds; one Aho-Corasick automaton over all the words (ASCII letters case-folded, as a
 * non-Unicode `i` pattern folds them) reads each character once and marks, line by line, which
 * searches' words the line holds. Only those lines are tried with those patterns. A big log is read
 * this way once for all its readers, where a pattern each read it four times.
 */
import {walkLines} from './line-walk.js'
import {FOLD, SHIFT, WORD_ENDS, WordAutomaton} from './word-automaton.js'

export interface LineSearch {
  /** What a line must match (its flags are kept, but for `g`). */
  pattern: RegExp
  /**
   * Lower-case words, one of which every line the pattern matches holds (none: it matches no line). A
   * search with a word the automaton cannot hold (not lower-case ASCII) is run as its own pattern instead.
   */
  words: readonly string[]
  /** The pattern is exactly "any of the words, in any case": a line holding one needs no trying. */
  exact?: boolean
}

export class LineFinder<Name extends string> {
  private readonly automaton: WordAutomaton
  /** For each state of the automaton, the searches (one bit each) whose words end there. */
  private readonly ends: Uint32Array
  private readonly tests: RegExp[]
  /** Searches run as their own pattern, line by line (walkLines), not through the automaton. */
  private readonly apart: boolean[]
  private readonly walked: RegExp[]
  private readonly names: Name[]
  private readonly searches: LineSearch[]

  constructor(byName: Record<Name, LineSearch>) {
    this.names = Object.keys(byName) as Name[]
    const searches = this.names.map((name) => byName[name])
    this.searches = searches
    if (searches.length > 32) throw new Error('LineFinder: at most 32 searches')
    // No words: no line can match. A word the automaton cannot hold: the search runs as its own pattern.
    this.apart = searches.map((s) => !s.words.every(WordAutomaton.holds))
    const words: string[] = []
    const bitOf: number[] = []
    searches.forEach((search, bit) => {
      if (this.apart[bit]) return
      for (const word of search.words) {
        words.push(word)
        bitOf.push(bit)
      }
    })
    this.automaton = new WordAutomaton(words)
    this.ends = Uint32Array.from(this.automaton.endings, (ending) => ending.reduce((bits, word) => bits | (1 << bitOf[word]!), 0))
    this.tests = searches.map((s) => new RegExp(s.pattern.source, s.pattern.flags.replace(/[gy]/g, '')))
    this.walked = searches.map((s) => new RegExp(s.pattern.source, `${s.pattern.flags.replace(/[gy]/g, '')}g`))
  }

  /**
   * For each search, the lines of `text` its pattern matches, as a finder for walkLines and the
   * scanners. Lines holding a word of an inexact search are tried with its pattern only when asked
   * for, so a reader that stops asking (a full LineKeeper) costs no more.
   */
  find(text: string): Record<Name, FoundLines> {
    const candidates = this.candidates(text)
    return Object.fromEntries(this.names.map((name, bit) => [name, new FoundLines(text, candidates[bit]!, this.searches[bit]!.exact ? undefined : this.tests[bit])])) as Record<Name, FoundLines>
  }

  /** For each search, the starts of the lines holding one of its words (or, run apart, matching it). */
  private candidates(text: string): number[][] {
    const found: number[][] = this.searches.map(() => [])
    const {delta} = this.automaton
    const ends = this.ends
    let state = 0
    let bits = 0
    let start = 0
    const length = text.length
    for (let i = 0; i < length; i++) {
      const c = text.charCodeAt(i)
      if (c === 10) {
        for (let bit = 0; bits !== 0; bit++, bits >>>= 1) if (bits & 1) found[bit]!.push(start)
        state = 0
        start = i + 1
      } else {
        state = delta[state + FOLD[c]!]!
        if (state & WORD_ENDS) {
          state ^= WORD_ENDS
          bits |= ends[state >> SHIFT]!
        }
      }
    }
    for (let bit = 0; bits !== 0; bit++, bits >>>= 1) if (bits & 1) found[bit]!.push(start)
    this.apart.forEach((apart, bit) => {
      if (apart) walkLines(text, this.walked[bit]!, (lineStart, _end, hit) => hit && found[bit]!.push(lineStart))
    })
    return found
  }
}

/**
 * What walkLines and the scanners take as their finder: `exec` gives the first found line at or after
 * `lastIndex` (a line holding a word of an inexact search, once its pattern matches it).
 */
export class FoundLines {
  lastIndex = 0

  constructor(
    private readonly text: string,
    private readonly starts: readonly number[],
    private readonly test?: RegExp,
  ) {}

  /** Lines either finder finds, as one finder (both over the same text). */
  static either(a: FoundLines, b: FoundLines): FoundLines {
    const x = a.matching()
    const y = b.matching()
    // Both are in order: merge them, once each.
    const merged: number[] = []
    for (let i = 0, j = 0; i < x.length || j < y.length; ) {
      const next = j >= y.length || (i < x.length && x[i]! <= y[j]!) ? x[i++]! : y[j++]!
      if (merged.at(-1) !== next) merged.push(next)
    }
    return new FoundLines(a.text, merged)
  }

  exec(_text: string): {index: number} | null {
    for (let i = this.firstFrom(this.lastIndex); i < this.starts.length; i++) {
      const start = this.starts[i]!
      if (this.matches(start)) return {index: start}
    }
    return null
  }

  private matching(): number[] {
    return this.starts.filter((start) => this.matches(start))
  }

  private matches(start: number): boolean {
    if (!this.test) return true
    const end = this.text.indexOf('\n', start)
    return this.test.test(this.text.slice(start, end < 0 ? this.text.length : end))
  }

  /** The index of the first start at or after `from`, by bisection. */
  private firstFrom(from: number): number {
    let low = 0
    let high = this.starts.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if (this.starts[middle]! < from) low = middle + 1
      else high = middle
    }
    return low
  }
}
