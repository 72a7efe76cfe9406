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
    const trie: Int32Array[] = [new Int32Array(CLASSES).fill(-1)]
    const endings: number[][] = [[]]
    words.forEach((word, index) => {
      if (!WordAutomaton.holds(word)) throw new Error(`WordAutomaton: ${JSON.stringify(word)} is not a lower-case ASCII word`)
      let state = 0
      for (let i = 0; i < word.length; i++) {
        const c = word.charCodeAt(i)
        if (trie[state]![c]! < 0) {
          trie[state]![c] = trie.length
          trie.push(new Int32Array(CLASSES).fill(-1))
          endings.push([])
        }
        state = trie[state]![c]!
      }
      endings[state]!.push(index)
    })
    // Breadth first, each state's missing moves are its failure state's, and it ends what that ends.
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
      if (failure[state]) endings[state]!.push(...endings[failure[state]!]!)
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
    for (let i = 0; i < delta.length; i++) if (endings[delta[i]! / CLASSES]!.length) delta[i]! |= WORD_ENDS
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
