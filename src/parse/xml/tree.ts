/**
 * A small tolerant XML reader: text -> element tree, never throws.
 *
 * Why not fast-xml-parser: on truncated input it throws (about 3 in 4 cut points of the libvirt
 * corpus) instead of returning what it read, and with a DOCTYPE it either expands entities or throws.
 * This reader keeps every element whose start tag it read in full, records what was wrong, and never
 * interprets a DOCTYPE. Every construct either completes or runs to the end of the input, so one pass
 * is linear in the input length.
 */
import {decodeXmlText} from './entities.js'

export interface XmlElement {
  /** Qualified name as written: "hostdev", "qemu:commandline". */
  name: string
  localName: string
  /** Resolved from the xmlns declarations in scope; undefined when none applies. */
  namespaceUri?: string
  attrs: ReadonlyMap<string, string>
  children: XmlElement[]
  /** Character data directly inside this element (CDATA included), references decoded. */
  text: string
}

export interface XmlDocument {
  root?: XmlElement
  /** Well-formedness problems, each with its line; empty for well-formed input. */
  errors: string[]
  /** The DOCTYPE declaration as written. It is never interpreted. */
  doctype?: string
  /** Where a limit stopped the reading (depth or element count): the rest was not read. */
  stopped?: XmlStop
}

export interface XmlStop {
  line: number
  /** In the text as read: CRLF counted as one character. */
  offset: number
  reason: string
}

const MAX_ERRORS = 10
/** A libvirt domain nests about 6 deep and holds a few hundred elements; past these the rest is not read. */
export const MAX_XML_DEPTH = 64
export const MAX_XML_ELEMENTS = 20_000
const DOCTYPE_OPEN = '<!DOCTYPE'

type NamespaceScope = ReadonlyMap<string, string>
const NO_NAMESPACES: NamespaceScope = new Map()

interface OpenElement {
  element: XmlElement
  scope: NamespaceScope
}

export function parseXmlTree(text: string): XmlDocument {
  return new TreeBuilder(normalizeInput(text)).build()
}

/** The root element's qualified name, reading only the prolog; undefined if there is none. */
export function rootElementName(text: string): string | undefined {
  // No line-end normalisation: it would touch the whole text, and CR already counts as space here.
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  let i = 0
  while (i >= 0 && i < src.length) {
    i = skipSpace(src, i)
    if (src.startsWith('<?', i)) i = indexAfter(src, '?>', i + 2)
    else if (src.startsWith('<!--', i)) i = indexAfter(src, '-->', i + 4)
    else if (src.startsWith(DOCTYPE_OPEN, i)) i = endOfDoctype(src, i)
    else if (src[i] === '<' && isNameStart(src.charCodeAt(i + 1))) return src.slice(i + 1, endOfName(src, i + 1))
    else return undefined
  }
  return undefined
}

/** XML end-of-line handling (CRLF and CR become LF) and a leading byte-order mark dropped. */
function normalizeInput(text: string): string {
  const unmarked = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  return unmarked.includes('\r') ? unmarked.replace(/\r\n?/g, '\n') : unmarked
}

class TreeBuilder {
  private readonly stack: OpenElement[] = []
  /** How many open elements carry each name: an end tag is matched in O(1). */
  private readonly openNames = new Map<string, number>()
  private root?: XmlElement
  private doctype?: string
  private readonly errors: string[] = []
  private errorsDropped = 0
  private lineOffset = 0
  private lineNumber = 1
  private elements = 0
  /** Set when a limit stopped the reading: the rest of the input is not read. */
  private stopped?: XmlStop

  constructor(private readonly src: string) {}

  build(): XmlDocument {
    const src = this.src
    let i = 0
    while (i < src.length && !this.stopped) {
      const lt = src.indexOf('<', i)
      const textEnd = lt < 0 ? src.length : lt
      if (textEnd > i) this.characters(decodeXmlText(src.slice(i, textEnd)), i)
      i = lt < 0 ? src.length : this.markup(lt)
    }
    this.finish()
    if (this.errorsDropped > 0) this.errors.push(`... and ${this.errorsDropped} more`)
    return {root: this.root, errors: this.errors, ...(this.doctype !== undefined && {doctype: this.doctype}), ...(this.stopped && {stopped: this.stopped})}
  }

  /** Reads the markup that starts at `lt`; returns where to continue. */
  private markup(lt: number): number {
    const src = this.src
    if (src.startsWith('<!--', lt)) return this.skipPast('-->', lt + 4, lt, 'comment')
    if (src.startsWith('<![CDATA[', lt)) return this.cdata(lt)
    if (src.startsWith(DOCTYPE_OPEN, lt)) return this.doctypeDeclaration(lt)
    if (src.startsWith('<?', lt)) return this.skipPast('?>', lt + 2, lt, 'processing instruction')
    if (src.startsWith('<!', lt)) {
      this.error('unknown <! declaration', lt)
      return this.skipPast('>', lt + 2, lt, 'declaration')
    }
    if (src.startsWith('</', lt)) return this.endTag(lt)
    return this.startTag(lt)
  }

  private skipPast(terminator: string, from: number, start: number, what: string): number {
    const end = indexAfter(this.src, terminator, from)
    if (end >= 0) return end
    this.error(`unterminated ${what}`, start)
    return this.src.length
  }

  private cdata(lt: number): number {
    const contentStart = lt + '<![CDATA['.length
    const end = this.src.indexOf(']]>', contentStart)
    if (end < 0) this.error('unterminated CDATA section', lt)
    this.characters(this.src.slice(contentStart, end < 0 ? this.src.length : end), lt)
    return end < 0 ? this.src.length : end + 3
  }

  private doctypeDeclaration(lt: number): number {
    const end = endOfDoctype(this.src, lt)
    if (end < 0) this.error('unterminated DOCTYPE', lt)
    else if (this.root !== undefined) this.error('DOCTYPE after the root element', lt)
    this.doctype ??= this.src.slice(lt, end < 0 ? this.src.length : end)
    return end < 0 ? this.src.length : end
  }

  private startTag(lt: number): number {
    const src = this.src
    if (!isNameStart(src.charCodeAt(lt + 1))) {
      this.error("'<' that starts no tag", lt)
      this.characters('<', lt)
      return lt + 1
    }
    const nameEnd = endOfName(src, lt + 1)
    const name = src.slice(lt + 1, nameEnd)
    const attrs = new Map<string, string>()
    let i = nameEnd
    for (;;) {
      i = skipSpace(src, i)
      if (i >= src.length) {
        this.error(`input ends inside the start tag <${name}>`, lt)
        return i
      }
      if (src.startsWith('/>', i)) {
        this.open(name, attrs, lt)
        if (!this.stopped) this.close()
        return i + 2
      }
      if (src[i] === '>' || src[i] === '<') {
        if (src[i] === '<') this.error(`start tag <${name}> has no '>'`, lt)
        this.open(name, attrs, lt)
        return src[i] === '>' ? i + 1 : i
      }
      i = this.attribute(name, attrs, i)
    }
  }

  /** Reads one attribute into `attrs`; returns where the tag continues. */
  private attribute(tag: string, attrs: Map<string, string>, at: number): number {
    const src = this.src
    const nameEnd = endOfName(src, at)
    if (nameEnd === at) {
      this.error(`unexpected '${src[at]}' in <${tag}>`, at)
      return at + 1
    }
    const name = src.slice(at, nameEnd)
    if (attrs.has(name)) this.error(`attribute ${name} repeated in <${tag}>`, at)
    let i = skipSpace(src, nameEnd)
    if (src[i] !== '=') {
      this.error(`attribute ${name} in <${tag}> has no value`, at)
      attrs.set(name, '')
      return i
    }
    i = skipSpace(src, i + 1)
    const quote = src[i]
    if (quote !== '"' && quote !== "'") {
      this.error(`attribute ${name} in <${tag}> is not quoted`, at)
      return i
    }
    const close = src.indexOf(quote, i + 1)
    if (close < 0) return src.length
    const raw = src.slice(i + 1, close)
    if (raw.includes('<')) this.error(`'<' inside the value of ${name} in <${tag}>`, at)
    // Attribute-value normalisation: literal whitespace becomes a space, before references are decoded.
    attrs.set(name, decodeXmlText(raw.replace(/[\t\n]/g, ' ')))
    return close + 1
  }

  private open(name: string, attrs: Map<string, string>, at: number): void {
    if (this.stack.length >= MAX_XML_DEPTH || this.elements >= MAX_XML_ELEMENTS) {
      const reason = this.stack.length >= MAX_XML_DEPTH ? `elements nested deeper than ${MAX_XML_DEPTH}` : `more than ${MAX_XML_ELEMENTS} elements`
      this.error(`${reason}: the rest was not read`, at)
      this.stopped = {line: this.lineAt(at), offset: at, reason}
      return
    }
    this.elements++
    const parent = this.stack.at(-1)
    const scope = scopeWith(parent?.scope ?? NO_NAMESPACES, attrs)
    const colon = name.indexOf(':')
    const prefix = colon < 0 ? '' : name.slice(0, colon)
    const element: XmlElement = {name, localName: name.slice(colon + 1), attrs, children: [], text: ''}
    const namespaceUri = scope.get(prefix)
    if (namespaceUri) element.namespaceUri = namespaceUri
    if (parent) parent.element.children.push(element)
    else if (this.root === undefined) this.root = element
    else this.error(`second root element <${name}>`, at)
    this.stack.push({element, scope})
    this.openNames.set(name, (this.openNames.get(name) ?? 0) + 1)
  }

  private close(): void {
    const closed = this.stack.pop()
    if (closed) this.openNames.set(closed.element.name, (this.openNames.get(closed.element.name) ?? 1) - 1)
  }

  private endTag(lt: number): number {
    const gt = this.src.indexOf('>', lt + 2)
    if (gt < 0) {
      this.error('input ends inside an end tag', lt)
      return this.src.length
    }
    const name = this.src.slice(lt + 2, gt).trim()
    if (!this.openNames.get(name)) {
      this.error(`</${name}> closes nothing`, lt)
      return gt + 1
    }
    for (let top = this.stack.at(-1); top && top.element.name !== name; top = this.stack.at(-1)) {
      this.error(`<${top.element.name}> is closed by </${name}>`, lt)
      this.close()
    }
    this.close()
    return gt + 1
  }

  private characters(text: string, at: number): void {
    const top = this.stack.at(-1)
    if (top) top.element.text += text
    else if (text.trim() !== '') this.error('text outside the root element', at)
  }

  private finish(): void {
    if (this.root === undefined) this.error('no root element', this.src.length)
    if (this.stack.length === 0) return
    const unclosed = this.stack.map(open => `<${open.element.name}>`).reverse()
    const shown = unclosed.slice(0, 3).join(', ') + (unclosed.length > 3 ? ', ...' : '')
    this.error(`input ends with ${unclosed.length} element(s) open: ${shown}`, this.src.length)
  }

  private error(message: string, offset: number): void {
    if (this.errors.length >= MAX_ERRORS) {
      this.errorsDropped++
      return
    }
    this.errors.push(`line ${this.lineAt(offset)}: ${message}`)
  }

  /** Errors arrive in input order, so lines are counted once, forward. */
  private lineAt(offset: number): number {
    if (offset < this.lineOffset) return this.lineNumber
    for (let i = this.src.indexOf('\n', this.lineOffset); i >= 0 && i < offset; i = this.src.indexOf('\n', i + 1)) {
      this.lineNumber++
    }
    this.lineOffset = offset
    return this.lineNumber
  }
}

/** The parent's scope, extended by this element's xmlns declarations (shared when it has none). */
function scopeWith(parent: NamespaceScope, attrs: ReadonlyMap<string, string>): NamespaceScope {
  let scope: Map<string, string> | undefined
  for (const [name, value] of attrs) {
    if (name !== 'xmlns' && !name.startsWith('xmlns:')) continue
    scope ??= new Map(parent)
    scope.set(name === 'xmlns' ? '' : name.slice('xmlns:'.length), value)
  }
  return scope ?? parent
}

/** End of a DOCTYPE declaration (past its '>'), or -1. Quoted strings, the internal subset and comments in it are skipped whole. */
function endOfDoctype(src: string, lt: number): number {
  let depth = 0
  let i = lt + DOCTYPE_OPEN.length
  while (i < src.length) {
    const c = src[i]
    if (c === '"' || c === "'") {
      const close = src.indexOf(c, i + 1)
      if (close < 0) return -1
      i = close + 1
      continue
    }
    if (depth > 0 && src.startsWith('<!--', i)) {
      i = indexAfter(src, '-->', i + 4)
      if (i < 0) return -1
      continue
    }
    if (c === '[') depth++
    else if (c === ']' && depth > 0) depth--
    else if (c === '>' && depth === 0) return i + 1
    i++
  }
  return -1
}

function indexAfter(src: string, terminator: string, from: number): number {
  const at = src.indexOf(terminator, from)
  return at < 0 ? -1 : at + terminator.length
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x9 || code === 0xa || code === 0xd
}

function skipSpace(src: string, i: number): number {
  while (i < src.length && isSpace(src.charCodeAt(i))) i++
  return i
}

/** Letters, '_', ':' and anything non-ASCII: close enough to XML's NameStartChar for a tolerant reader. */
function isNameStart(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x5f || code === 0x3a || code >= 0xc0
}

const NAME_STOPS = new Set(['>', '/', '=', '<', '"', "'"])

function endOfName(src: string, i: number): number {
  while (i < src.length && !isSpace(src.charCodeAt(i)) && !NAME_STOPS.has(src[i]!)) i++
  return i
}
