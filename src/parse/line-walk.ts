/**
 * Visits the lines of `text` by offset (`end` is the line's `\n`, or the text's end), without
 * slicing the ones nobody reads. `hit` says that `finder`, a global pattern for the words a reader
 * looks for, matched in the line. Linear: each line end and each line's first match are found once.
 */
/** A global pattern, or what stands for one (line-finder.ts FoundLines): the next match at or after lastIndex. */
export interface Finder {
  lastIndex: number
  exec(text: string): {index: number} | null
}

export function walkLines(text: string, finder: Finder, visit: (start: number, end: number, hit: boolean) => void): void {
  let next = nextMatch(finder, text, 0)
  let start = 0
  while (start < text.length) {
    let end = text.indexOf('\n', start)
    if (end < 0) end = text.length
    const hit = next < end
    // Later matches in the same line add nothing: search on from the next line.
    if (hit) next = nextMatch(finder, text, end + 1)
    visit(start, end, hit)
    start = end + 1
  }
}

function nextMatch(finder: Finder, text: string, from: number): number {
  finder.lastIndex = from
  return finder.exec(text)?.index ?? Infinity
}
