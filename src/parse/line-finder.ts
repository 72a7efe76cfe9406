/**
 * Several line searches in one pass over a text. Each search is a pattern and the words every line it
 * matches holds; one Aho-Corasick automaton over all the words (ASCII letters case-folded, as a
 * non-Unicode `i` pattern folds them) reads each character once and marks, line by line, which
 * searches' words the line holds. Only those lines are tried with those patterns. A big log is read
 * this way once for all its readers, where a pattern each read it four times.
 */
import {walkLines} from './line-walk.js'

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

/** Characters the automaton tells apart: ASCII, folded to lower case; everything else is one class (0), which no word holds. */
const CLASSES = 128
const SHIFT = 7
/** Set in a move to a state where words end (the state is the rest of the number). */
const WORD_ENDS = 1 << 30
const FOLD = new Uint8Array(65536)
for (let c = 1; c < 128; c++) FOLD[c] = c >= 65 && c <= 90 ? c + 32 : c

export class LineFinder<Name extends string> {
  /** The automaton: delta[state × CLASSES + class] is the next state × CLASSES, with WORD_ENDS when words end there. */
  private readonly delta: Int32Array
  /** The searches (one bit each) whose words end in a state. */
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
    const trie: Int32Array[] = [new Int32Array(CLASSES).fill(-1)]
    const ends = [0]
    // No words: no line can match. A word the automaton cannot hold: the search runs as its own pattern.
    this.apart = searches.map((s) => s.words.some((w) => w.length === 0 || /[^\x01-\x7f]/.test(w) || w !== w.toLowerCase()))
    searches.forEach((search, bit) => {
      if (this.apart[bit]) return
      for (const word of search.words) {
        let state = 0
        for (let i = 0; i < word.length; i++) {
          const c = word.charCodeAt(i)
          if (trie[state]![c]! < 0) {
            trie[state]![c] = trie.length
            trie.push(new Int32Array(CLASSES).fill(-1))
            ends.push(0)
          }
          state = trie[state]![c]!
        }
        ends[state]! |= 1 << bit
      }
    })
    // Breadth first, each state's missing moves are its failure state's: a full automaton.
    const delta = new Int32Array(trie.length * CLASSES)
    const failure = new Int32Array(trie.length)
    const queue: number[] = []
    for (let c = 0; c < CLASSES; c++) {
      const next = trie[0]![c]!
      delta[c] = next < 0 ? 0 : next * CLASSES
      if (next > 0) queue.push(next)
    }
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head]!
      ends[state]! |= ends[failure[state]!]!
      for (let c = 0; c < CLASSES; c++) {
        const next = trie[state]![c]!
        if (next < 0) delta[state * CLASSES + c] = delta[failure[state]! * CLASSES + c]!
        else {
          failure[next] = delta[failure[state]! * CLASSES + c]! / CLASSES
          delta[state * CLASSES + c] = next * CLASSES
          queue.push(next)
        }
      }
    }
    for (let i = 0; i < delta.length; i++) if (ends[delta[i]! / CLASSES]) delta[i]! |= WORD_ENDS
    this.delta = delta
    this.ends = Uint32Array.from(ends)
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
    const {delta, ends} = this
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
  private readonly starts: readonly number[]

  constructor(
    private readonly text: string,
    starts: readonly number[],
    private readonly test?: RegExp,
  ) {
    this.starts = starts
  }

  /** Lines either finder finds, as one finder (both over the same text). */
  static either(a: FoundLines, b: FoundLines): FoundLines {
    const merged = [...new Set([...a.matching(), ...b.matching()])].sort((x, y) => x - y)
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
