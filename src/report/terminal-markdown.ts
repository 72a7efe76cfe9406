import {unwrapParagraphs} from './prose.js'
import type {Style} from './style.js'
import {wrapLines} from '../util/wrap.js'

export interface TerminalMarkdownOptions {
  /** Terminal columns. */
  width: number
  /** Before every line of prose. */
  indent: string
  /** Before every line of code. */
  codeIndent: string
}

/**
 * Markdown for a terminal: prose wraps to the width (a list item with a hanging indent), headings
 * bold, **strong** and `code` styled; code (fenced, which loses its fences, or indented) keeps its
 * lines whole, to be copied. A blank line stays an empty string.
 */
export function markdownLines(markdown: string, s: Style, options: TerminalMarkdownOptions): string[] {
  const out: string[] = []
  let inCode = false
  for (const line of unwrapParagraphs(markdown).split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) inCode = !inCode
    else if (inCode) out.push(s.cyan(`${options.codeIndent}${line}`))
    else if (!line.trim()) out.push('')
    else if (/^ {4,}(?![-*+]\s|\d+\.\s)\S/.test(line)) out.push(`${options.indent}${inline(line, s)}`)
    else {
      const heading = /^#{1,6}\s+(.*)/.exec(line)
      const item = /^(\s*)((?:[-*+]|\d+\.)\s+)?/.exec(line)!
      const first = options.indent + item[1]!
      const text = heading ? s.bold(line.startsWith('# ') ? heading[1]!.toUpperCase() : heading[1]!) : inline(line.trim(), s)
      out.push(...wrapLines(text, options.width, first, first + ' '.repeat(item[2]?.length ?? 0)))
    }
  }
  return out
}

/** **bold** and `code` as the terminal shows them; without colour the backticks stay, to show where code starts and ends. */
function inline(text: string, s: Style): string {
  return text.replace(/\*\*([^*]+)\*\*/g, (_, t: string) => s.bold(t)).replace(/`([^`]+)`/g, (whole, t: string) => (s.cyan(t) === t ? whole : s.cyan(t)))
}
