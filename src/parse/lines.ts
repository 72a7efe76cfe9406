/** Shared line handling: every parser sees LF-only lines without NULs, whatever was pasted. */

export function splitLines(text: string): string[] {
  return text.replace(/\u0000/g, '').split(/\r?\n|\r/)
}

/** Cap a line before regex work so a 10 MB single line cannot make matching slow. */
export const MAX_LINE = 4096

export function capped(line: string): string {
  return line.length > MAX_LINE ? line.slice(0, MAX_LINE) : line
}
