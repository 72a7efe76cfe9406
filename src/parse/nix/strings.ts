/** Nix's indentation stripping for '' strings, on parts where interpolations are opaque content. */
import type {StringPart} from './ast.js'

/**
 * As Nix does it: the smallest count of leading spaces over lines with content (a tab or an
 * interpolation is content) is removed from every line, and a last line of spaces only is dropped.
 */
export function stripIndentation(parts: StringPart[]): StringPart[] {
  const indent = minimumIndentation(parts)
  const out: StringPart[] = []
  let atLineStart = true
  let toDrop = indent
  for (const part of parts) {
    if (!('text' in part)) {
      out.push(part)
      atLineStart = false
      continue
    }
    let text = ''
    for (const c of part.text) {
      if (atLineStart && c === ' ' && toDrop > 0) {
        toDrop--
        continue
      }
      if (c === '\n') {
        atLineStart = true
        toDrop = indent
      } else {
        atLineStart = false
      }
      text += c
    }
    out.push({text})
  }
  dropBlankLastLine(out)
  return out
}

function minimumIndentation(parts: StringPart[]): number {
  let min = Infinity
  let atLineStart = true
  let current = 0
  const content = (): void => {
    if (atLineStart) min = Math.min(min, current)
    atLineStart = false
  }
  for (const part of parts) {
    if (!('text' in part)) {
      content()
      continue
    }
    for (const c of part.text) {
      if (c === '\n') {
        atLineStart = true
        current = 0
      } else if (atLineStart && c === ' ') {
        current++
      } else {
        content()
      }
    }
  }
  return min === Infinity ? 0 : min
}

function dropBlankLastLine(parts: StringPart[]): void {
  const last = parts[parts.length - 1]
  if (last === undefined || !('text' in last)) return
  const newline = last.text.lastIndexOf('\n')
  if (newline >= 0 && /^ *$/.test(last.text.slice(newline + 1))) last.text = last.text.slice(0, newline + 1)
}
