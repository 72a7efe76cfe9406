/**
 * Where each element of an XML text is: offsets of its start tag, content and end, so a rewrite can
 * change one element and leave every other byte as it was. Only for well-formed text (the domain
 * parser has said so); comments, CDATA, processing instructions and a DOCTYPE are skipped whole.
 */

export interface Span {
  name: string
  /** Offset of '<' of the start tag. */
  start: number
  /** Offset just past the start tag's '>'. */
  openEnd: number
  /** Offset of '<' of the end tag (= openEnd for an empty element written <x/>). */
  closeStart: number
  /** Offset just past the element. */
  end: number
  selfClosing: boolean
  /** The start tag's text: "<hostdev mode='subsystem' type='pci' managed='yes'>". */
  tag: string
  children: Span[]
  parent?: Span
}

export function elementSpans(text: string): Span | undefined {
  const stack: Span[] = []
  let root: Span | undefined
  let i = 0
  while (i < text.length) {
    const lt = text.indexOf('<', i)
    if (lt < 0) break
    if (text.startsWith('<!--', lt)) i = after(text, '-->', lt)
    else if (text.startsWith('<![CDATA[', lt)) i = after(text, ']]>', lt)
    else if (text.startsWith('<?', lt)) i = after(text, '?>', lt)
    else if (text.startsWith('<!', lt)) i = after(text, '>', lt)
    else if (text[lt + 1] === '/') {
      const gt = text.indexOf('>', lt)
      const open = stack.pop()
      if (open) {
        open.closeStart = lt
        open.end = gt + 1
      }
      i = gt + 1
    } else {
      const gt = tagEnd(text, lt)
      const tag = text.slice(lt, gt + 1)
      const name = /^<([^\s/>]+)/.exec(tag)![1]!
      const selfClosing = tag.endsWith('/>')
      const parent = stack.at(-1)
      const span: Span = {name, start: lt, openEnd: gt + 1, closeStart: gt + 1, end: gt + 1, selfClosing, tag, children: [], ...(parent ? {parent} : {})}
      if (parent) parent.children.push(span)
      else root ??= span
      if (!selfClosing) stack.push(span)
      i = gt + 1
    }
  }
  return root
}

/** The '>' that ends a start tag, skipping quoted attribute values. */
function tagEnd(text: string, lt: number): number {
  let quote: string | undefined
  for (let i = lt + 1; i < text.length; i++) {
    const ch = text[i]
    if (quote) {
      if (ch === quote) quote = undefined
    } else if (ch === '"' || ch === "'") quote = ch
    else if (ch === '>') return i
  }
  return text.length - 1
}

function after(text: string, terminator: string, from: number): number {
  const at = text.indexOf(terminator, from)
  return at < 0 ? text.length : at + terminator.length
}

export function childNamed(span: Span | undefined, name: string): Span | undefined {
  return span?.children.find((c) => c.name === name)
}

export function childrenNamed(span: Span | undefined, name: string): Span[] {
  return span?.children.filter((c) => c.name === name) ?? []
}

/** An attribute's value as written in the start tag (entities left alone). */
export function attrOf(span: Span, name: string): string | undefined {
  return attrMatch(span, name)?.[2]
}

/** The offsets of an attribute's value inside the text, for replacing just that. */
export function attrValueRange(span: Span, name: string): {start: number; end: number} | undefined {
  const m = attrMatch(span, name)
  if (!m) return undefined
  const valueStart = span.start + m.index! + m[0].length - 1 - m[2]!.length
  return {start: valueStart, end: valueStart + m[2]!.length}
}

function attrMatch(span: Span, name: string): RegExpExecArray | null {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new RegExp(`\\s${escaped}\\s*=\\s*(['"])(.*?)\\1`, 's').exec(span.tag)
}
