/**
 * An Aho-Corasick automaton over lower-case ASCII words that reads a string a character at a time,
 * ASCII letters folded to lower case as a non-Unicode `i` pattern folds them. Every move is one table
 * lookup; a move to a state where words end is marked, so a reader does more only there.
 */

/** Characters told apart: ASCII, folded to lower case; everything else is one class (0), which no word holds. */
export const CLASSES = 128
export const SHIFT = 7
/** Set in a move to a state where words end (the state is the rest of the number). */
export const WORD_ENDS = 1 << 30
export const FOLD = new Uint8Array(65536)
for (let c = 1; c < 128; c++) FOLD[c] = c >= 65 && c <= 90 ? c + 32 : c

export class WordAutomaton {
  /** delta[state × CLASSES + class] is the next state × CLASSES, with WORD_ENDS when words end there. */
  readonly delta: Int32Array
  /** For each state, the words (their indices) that end there. */
  readonly endings: ReadonlyArray<readonly number[]>

  /** Whether the automaton can hold a word: lower-case ASCII, not empty. */
  static holds(word: string): boolean {
    return word.length > 0 && !/[^\x01-\x7f]/.test(word) && word === word.toLowerCase()
  }

  constructor(words: readonly string[]) {
    // The trie, as each state's moves (class, next state).
    const moves: Array<Array<[number, number]>> = [[]]
    const endings: number[][] = [[]]
    words.forEach((word, index) => {
      if (!WordAutomaton.holds(word)) throw new Error(`WordAutomaton: ${JSON.stringify(word)} is not a lower-case ASCII word`)
      let state = 0
      for (let i = 0; i < word.length; i++) {
        const c = word.charCodeAt(i)
        let next = moves[state]!.find(([cls]) => cls === c)?.[1]
        if (next === undefined) {
          next = moves.length
          moves[state]!.push([c, next])
          moves.push([])
          endings.push([])
        }
        state = next
      }
      endings[state]!.push(index)
    })
    // Breadth first: a state's row is its failure state's row with its own moves over it, and it ends
    // what its failure state ends. A move is marked as it is written: its target's failure state is
    // set just before, and whether words end there was settled when that state's was.
    const delta = new Int32Array(moves.length * CLASSES)
    const failure = new Int32Array(moves.length)
    const ends = Uint8Array.from(endings, (own) => (own.length ? 1 : 0))
    const move = (next: number) => {
      ends[next] ||= ends[failure[next]!]!
      return (next * CLASSES) | (ends[next] ? WORD_ENDS : 0)
    }
    const queue: number[] = []
    for (const [c, next] of moves[0]!) {
      delta[c] = move(next)
      queue.push(next)
    }
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head]!
      const fail = failure[state]!
      if (fail) endings[state]!.push(...endings[fail]!)
      delta.copyWithin(state * CLASSES, fail * CLASSES, fail * CLASSES + CLASSES)
      for (const [c, next] of moves[state]!) {
        failure[next] = (delta[fail * CLASSES + c]! & ~WORD_ENDS) / CLASSES
        delta[state * CLASSES + c] = move(next)
        queue.push(next)
      }
    }
    this.delta = delta
    this.endings = endings
  }

  /** The words (their indices) `text` holds from `start` to `end`, each once. */
  wordsIn(text: string, start = 0, end = text.length): number[] {
    const {delta, endings} = this
    const found = new Set<number>()
    let state = 0
    for (let i = start; i < end; i++) {
      state = delta[state + FOLD[text.charCodeAt(i)]!]!
      if (state & WORD_ENDS) {
        state ^= WORD_ENDS
        for (const word of endings[state >> SHIFT]!) found.add(word)
      }
    }
    return [...found]
  }
}
