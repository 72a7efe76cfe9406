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
const FOLD = new Uint8Array(65536)
for (let c = 1; c < 128; c++) FOLD[c] = c >= 65 && c <= 90 ? c + 32 : c

export class LineFinder<Name extends string> {
  /** The automaton: next state × CLASSES = delta[state × CLASSES + class]. */
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
    this.delta = delta
    this.ends = Uint32Array.from(ends)
    this.tests = searches.map((s) => new RegExp(s.pattern.source, s.pattern.flags.replace(/[gy]/g, '')))
    this.walked = searches.map((s) => new RegExp(s.pattern.source, `${s.pattern.flags.replace(/[gy]/g, '')}g`))
  }

  /** For each search, the starts of the lines of `text` its pattern matches, in order. */
  find(text: string): Record<Name, number[]> {
    const found = this.lines(text)
    return Object.fromEntries(this.names.map((name, bit) => [name, found[bit]])) as Record<Name, number[]>
  }

  private lines(text: string): number[][] {
    const found: number[][] = this.searches.map(() => [])
    const {delta, ends} = this
    // States are kept multiplied by CLASSES (delta holds them so): a move is one add and one load.
    let state = 0
    let bits = 0
    let start = 0
    const length = text.length
    for (let i = 0; i < length; i++) {
      const c = text.charCodeAt(i)
      if (c === 10) {
        if (bits !== 0) this.confirm(text, start, i, bits, found)
        bits = 0
        state = 0
        start = i + 1
      } else {
        state = delta[state + FOLD[c]!]!
        bits |= ends[state >> SHIFT]!
      }
    }
    if (bits !== 0) this.confirm(text, start, length, bits, found)
    this.apart.forEach((apart, bit) => {
      if (apart) walkLines(text, this.walked[bit]!, (lineStart, _end, hit) => hit && found[bit]!.push(lineStart))
    })
    return found
  }

  private confirm(text: string, start: number, end: number, bits: number, found: number[][]): void {
    let line: string | undefined
    for (let bit = 0; bit < this.searches.length; bit++) {
      if ((bits & (1 << bit)) === 0) continue
      if (!this.searches[bit]!.exact) {
        line ??= text.slice(start, end)
        if (!this.tests[bit]!.test(line)) continue
      }
      found[bit]!.push(start)
    }
  }
}

/**
 * What walkLines and the scanners take as their finder, answering from the line starts a LineFinder
 * found: `exec` gives the first at or after `lastIndex`.
 */
export class FoundLines {
  lastIndex = 0

  private readonly starts: readonly number[]

  /** Several searches' lines stand for one pattern matching any of them. */
  constructor(...lists: ReadonlyArray<readonly number[]>) {
    this.starts = lists.length === 1 ? lists[0]! : [...new Set(lists.flat())].sort((a, b) => a - b)
  }

  exec(_text: string): {index: number} | null {
    // The first start at or after lastIndex, by bisection.
    let low = 0
    let high = this.starts.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if (this.starts[middle]! < this.lastIndex) low = middle + 1
      else high = middle
    }
    return low < this.starts.length ? {index: this.starts[low]!} : null
  }
}
