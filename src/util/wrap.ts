import stringWidth from 'string-width'
import wrapAnsi from 'wrap-ansi'

/**
 * Word-wraps one paragraph to `width` terminal columns: the first line after `first`, the others
 * after `rest` (a hanging indent). Columns are counted as a terminal shows them (wide CJK
 * characters take two, combining marks none, colour escapes nothing). A word longer than a line
 * (a long path) starts a line of its own and is cut there, so no line goes past the width.
 */
export function wrapLines(text: string, width: number, first = '', rest = first): string[] {
  // One width for every line: wrap-ansi wraps to one, and the longer indent must fit on each.
  const columns = Math.max(width - Math.max(stringWidth(first), stringWidth(rest)), 1)
  // A line of printable ASCII that fits is what wrap-ansi would give it, trimmed: most of a report's
  // lines, and wrap-ansi measures every word of each (a 2,000-line report spent 60 ms there).
  if (text.length <= columns && PRINTABLE_ASCII.test(text)) return [first + text.trim()]
  const words = text.split(' ').map((word) => (stringWidth(word) > columns ? wrapAnsi(word, columns, {hard: true}).replace(/\n/g, ' ') : word))
  return wrapAnsi(words.join(' '), columns, {trim: true})
    .split('\n')
    .map((line, i) => (i === 0 ? first : rest) + line)
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/
