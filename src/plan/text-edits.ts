/**
 * Textual edits to an XML document that keep its layout: inserts indented like their siblings,
 * removals that take whole lines, replacements that keep the element's indentation. Everything not
 * edited stays byte for byte.
 */
import {attrValueRange, type Span} from './xml-spans.js'

export interface Edit {
  start: number
  end: number
  text: string
}

export class TextEditor {
  private readonly edits: Edit[] = []
  /** The document's indentation step, from its root's first child ("  " for virsh dumpxml). */
  readonly unit: string
  /** The attribute quote the document uses most: new elements use it too, unless their neighbours differ. */
  private readonly quote: "'" | '"'
  /** A document written with CRLF gets CRLF in its new lines too. */
  private readonly eol: string

  constructor(
    readonly text: string,
    root: Span,
  ) {
    const first = root.children[0]
    this.unit = (first && this.indentOf(first)) || '  '
    this.quote = quoteOf(text) ?? "'"
    this.eol = text.includes('\r\n') ? '\r\n' : '\n'
  }

  /** Adds `xml` (two-space indented) as the last child of `parent`, or right after `after`. */
  insertChild(parent: Span, xml: string, after?: Span): void {
    const indent = this.childIndent(parent)
    const lines = this.reindent(xml, indent, this.quoteNear(after ?? parent.children.at(-1) ?? parent))
    if (parent.selfClosing) {
      const open = parent.tag.replace(/(?<!\s)\s*\/>$/, '>')
      this.edits.push({start: parent.start, end: parent.end, text: `${open}${this.eol}${lines}${this.eol}${this.indentOf(parent)}</${parent.name}>`})
      return
    }
    if (after) {
      this.edits.push({start: after.end, end: after.end, text: `${this.eol}${lines}`})
      return
    }
    const lineStart = this.lineStart(parent.closeStart)
    if (/^[ \t]*$/.test(this.text.slice(lineStart, parent.closeStart))) this.edits.push({start: lineStart, end: lineStart, text: `${lines}${this.eol}`})
    else this.edits.push({start: parent.closeStart, end: parent.closeStart, text: `${this.eol}${lines}${this.eol}${this.indentOf(parent)}`})
  }

  /** Removes an element, with its line when it has the line to itself. */
  remove(span: Span): void {
    const lineStart = this.lineStart(span.start)
    const newline = this.text.indexOf('\n', span.end)
    const lineEnd = newline < 0 ? this.text.length : newline
    const alone = /^[ \t]*$/.test(this.text.slice(lineStart, span.start)) && /^[ \t\r]*$/.test(this.text.slice(span.end, lineEnd))
    this.edits.push(alone ? {start: lineStart, end: newline < 0 ? lineEnd : newline + 1, text: ''} : {start: span.start, end: span.end, text: ''})
  }

  /** Replaces an element with `xml`, at its indentation. */
  replace(span: Span, xml: string): void {
    const indent = this.indentOf(span)
    this.edits.push({start: span.start, end: span.end, text: this.reindent(xml, indent, this.quoteNear(span)).slice(indent.length)})
  }

  /** Replaces only the start tag. */
  replaceTag(span: Span, tag: string): void {
    this.edits.push({start: span.start, end: span.openEnd, text: this.quoted(tag, this.quoteNear(span))})
  }

  replaceContent(span: Span, text: string): void {
    this.edits.push({start: span.openEnd, end: span.closeStart, text})
  }

  /** Sets an attribute: its value replaced where written, else added at the end of the start tag. */
  setAttr(span: Span, name: string, value: string): void {
    const range = attrValueRange(span, name)
    if (range) {
      this.edits.push({start: range.start, end: range.end, text: value})
      return
    }
    const at = span.start + span.tag.search(span.selfClosing ? /(?<!\s)\s*\/>$/ : />$/)
    const q = this.quoteNear(span)
    this.edits.push({start: at, end: at, text: ` ${name}=${q}${value}${q}`})
  }

  /** The text with every edit applied; edits at one offset keep the order they were made in. */
  result(): string {
    const sorted = this.edits.map((e, i) => ({...e, i})).sort((a, b) => a.start - b.start || a.end - b.end || a.i - b.i)
    for (let k = 1; k < sorted.length; k++) {
      if (sorted[k]!.start < sorted[k - 1]!.end) throw new Error(`overlapping edits at offset ${sorted[k]!.start}`)
    }
    let out = this.text
    for (const e of sorted.reverse()) out = out.slice(0, e.start) + e.text + out.slice(e.end)
    return out
  }

  indentOf(span: Span): string {
    const lineStart = this.lineStart(span.start)
    const before = this.text.slice(lineStart, span.start)
    return /^[ \t]*$/.test(before) ? before : ''
  }

  private childIndent(parent: Span): string {
    const child = parent.children.find((c) => this.indentOf(c) !== '' || this.lineStart(c.start) === c.start)
    return child ? this.indentOf(child) : this.indentOf(parent) + this.unit
  }

  /** The quote an element's own attributes use, else its parent's, else the document's. */
  private quoteNear(span: Span): "'" | '"' {
    for (let s: Span | undefined = span; s; s = s.parent) {
      const own = quoteOf(s.tag)
      if (own) return own
    }
    return this.quote
  }

  /** Our fragments quote attributes with '; next to elements that use " they get ". */
  private quoted(xml: string, quote: "'" | '"'): string {
    return quote === "'" ? xml : xml.replace(/=(')([^']*)'/g, '="$2"')
  }

  /** Two-space indentation turned into the document's own step, every line prefixed. */
  private reindent(xml: string, indent: string, quote: "'" | '"'): string {
    return this.quoted(xml, quote)
      .split('\n')
      .map((line) => {
        const lead = /^ */.exec(line)![0].length
        return indent + this.unit.repeat(Math.floor(lead / 2)) + line.slice(lead - (lead % 2))
      })
      .join(this.eol)
  }

  private lineStart(offset: number): number {
    return this.text.lastIndexOf('\n', offset - 1) + 1
  }
}

/** The quote most attributes in the text use; undefined when it has none. */
function quoteOf(text: string): "'" | '"' | undefined {
  const double = text.match(/=\s*"/g)?.length ?? 0
  const single = text.match(/=\s*'/g)?.length ?? 0
  return double + single === 0 ? undefined : double > single ? '"' : "'"
}
