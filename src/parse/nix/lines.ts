/** Line facts by offset: 1-based line number, line start and indentation, each O(log n) or cached. */
export class LineIndex {
  private readonly starts: number[] = [0]
  private readonly indentByLine = new Map<number, number>()

  constructor(private readonly text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1)
  }

  lineOf(offset: number): number {
    let lo = 0
    let hi = this.starts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (this.starts[mid]! <= offset) lo = mid
      else hi = mid - 1
    }
    return lo + 1
  }

  lineStart(offset: number): number {
    return this.starts[this.lineOf(offset) - 1]!
  }

  /** Start offset of a 1-based line; undefined past the last line. */
  startOfLine(line: number): number | undefined {
    return this.starts[line - 1]
  }

  /** Offset of the newline ending `offset`'s line; -1 on the last line. */
  lineEnd(offset: number): number {
    const next = this.starts[this.lineOf(offset)]
    return next === undefined ? -1 : next - 1
  }

  /** Leading blanks (spaces and tabs) of the line holding `offset`. */
  indentation(offset: number): number {
    const line = this.lineOf(offset)
    let indent = this.indentByLine.get(line)
    if (indent === undefined) {
      const start = this.starts[line - 1]!
      let i = start
      while (this.text[i] === ' ' || this.text[i] === '\t') i++
      indent = i - start
      this.indentByLine.set(line, indent)
    }
    return indent
  }
}
