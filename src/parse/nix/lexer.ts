/**
 * A tolerant Nix tokenizer. It never throws and runs in linear time: every position is scanned a
 * bounded number of times (path/URI look-ahead is cached per run of characters, line facts come
 * from a LineIndex, and the scans and rewinds that recover lost string terminators share a budget
 * proportional to the text).
 *
 * Strings come out as a flat token stream (str-open, str-text, interp-open, code..., interp-close,
 * str-close) so that interpolations nest without recursion.
 */

import type {LineIndex} from './lines.js'

export type TokenKind =
  | 'id'
  | 'number'
  | 'path'
  | 'uri'
  | 'str-open' // " or ''
  | 'str-text' // decoded literal text inside a string
  | 'str-close'
  | 'interp-open' // ${ inside a string, or a dynamic attribute name in code
  | 'interp-close'
  | 'punct' // { } [ ] ( ) ; = : , @ . ? ...
  | 'op' // ++ // == != <= >= && || -> + - * / < > !
  | 'junk' // a character Nix has no use for
  | 'eof'

export interface Token {
  kind: TokenKind
  start: number
  end: number
  /** Source text, for str-text the decoded text; empty for a closer that recovery inserted. */
  text: string
  /** str-open: true for an indented ('') string. */
  indented?: boolean
}

type Mode =
  | {kind: 'code'; braces: number; interp: boolean}
  | {kind: 'dq'; openToken: number; start: number}
  | {kind: 'ind'; openToken: number; start: number; indent: number}

// Character classes of the Nix lexer, as bit flags in a table (regexes per character are slow).
const PATH_CHAR = 1 // [A-Za-z0-9._\-+]
const URI_SCHEME_CHAR = 2 // [A-Za-z0-9+\-.]
const URI_CHAR = 4 // [A-Za-z0-9%/?:@&=+$,\-_.!~*']
const ID_START = 8 // [A-Za-z_]
const ID_CHAR = 16 // [A-Za-z0-9_'-]
const LETTER = 32 // [A-Za-z]
const CHAR_CLASSES = buildCharClasses()

function buildCharClasses(): Uint8Array {
  const table = new Uint8Array(128)
  const add = (chars: string, flag: number): void => {
    for (const c of chars) table[c.charCodeAt(0)]! |= flag
  }
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
  const digits = '0123456789'
  add(letters + digits + '._-+', PATH_CHAR)
  add(letters + digits + '+-.', URI_SCHEME_CHAR)
  add(letters + digits + "%/?:@&=+$,-_.!~*'", URI_CHAR)
  add(letters + '_', ID_START)
  add(letters + digits + "_'-", ID_CHAR)
  add(letters, LETTER)
  return table
}

/** Whether text[i] is in the class; false past the end and for non-ASCII. */
function is(text: string, i: number, flag: number): boolean {
  const code = text.charCodeAt(i)
  return code < 128 && (CHAR_CLASSES[code]! & flag) !== 0
}
const THREE_CHAR_PUNCT = ['...']
const TWO_CHAR_OPS = ['++', '//', '==', '!=', '<=', '>=', '&&', '||', '->']
const ONE_CHAR_PUNCT = '{}[]();=:,@.?'
const ONE_CHAR_OPS = '+-*/<>!'
/** Lines longer than this are never taken for a lost `name = ''` opener (keeps the check O(1)). */
const MAX_OPENER_LINE = 200

export function tokenize(text: string, lines: LineIndex, warn: (message: string, offset: number) => void): Token[] {
  return new Lexer(text, lines, warn).run()
}

class Lexer {
  private pos = 0
  private readonly tokens: Token[] = []
  private readonly modes: Mode[] = [{kind: 'code', braces: 0, interp: false}]
  /** Path / URI look-ahead already proved no match before these offsets. */
  private noPathBefore = -1
  private noUriBefore = -1
  /** Characters that recovery may scan or re-read; keeps recovery linear overall. */
  private recoveryBudget: number

  constructor(
    private readonly text: string,
    private readonly lines: LineIndex,
    private readonly warn: (message: string, offset: number) => void,
  ) {
    this.recoveryBudget = 4 * text.length + 1024
  }

  run(): Token[] {
    do {
      while (this.pos < this.text.length) {
        const mode = this.modes[this.modes.length - 1]!
        if (mode.kind === 'code') this.lexCode(mode)
        else if (mode.kind === 'dq') this.lexDoubleQuoted()
        else this.lexIndented(mode)
      }
    } while (this.closeAtEnd())
    this.push('eof', this.pos, this.pos, '')
    return this.tokens
  }

  private push(kind: TokenKind, start: number, end: number, text: string, extra?: Partial<Token>): void {
    this.tokens.push(extra ? {kind, start, end, text, ...extra} : {kind, start, end, text})
  }

  // ---- code ----

  private lexCode(mode: Extract<Mode, {kind: 'code'}>): void {
    const text = this.text
    const c = text[this.pos]!
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      this.pos++
      return
    }
    if (c === '#') {
      this.skipLineComment()
      return
    }
    if (c === '/' && text[this.pos + 1] === '*') {
      this.skipBlockComment()
      return
    }
    if (c === '"') {
      this.openString('dq', 1)
      return
    }
    if (c === "'" && text[this.pos + 1] === "'") {
      this.openString('ind', 2)
      return
    }
    if (c === '$' && text[this.pos + 1] === '{') {
      this.push('interp-open', this.pos, this.pos + 2, '${')
      this.pos += 2
      this.modes.push({kind: 'code', braces: 0, interp: true})
      return
    }
    if (c === '{') mode.braces++
    if (c === '}') {
      if (mode.braces === 0 && mode.interp) {
        this.push('interp-close', this.pos, this.pos + 1, '}')
        this.pos++
        this.modes.pop()
        return
      }
      if (mode.braces > 0) mode.braces--
    }
    if (this.tryPath() || this.tryUri() || this.trySearchPath()) return
    if (is(text, this.pos, ID_START)) {
      this.pushWhile('id', ID_CHAR)
      return
    }
    if (c >= '0' && c <= '9') {
      this.lexNumber()
      return
    }
    this.lexPunctuation()
  }

  private skipLineComment(): void {
    const end = this.text.indexOf('\n', this.pos)
    this.pos = end < 0 ? this.text.length : end
  }

  private skipBlockComment(): void {
    const end = this.text.indexOf('*/', this.pos + 2)
    if (end < 0) {
      this.warn('unterminated /* comment', this.pos)
      this.pos = this.text.length
    } else {
      this.pos = end + 2
    }
  }

  private pushWhile(kind: TokenKind, flag: number): void {
    const start = this.pos
    let end = start + 1
    while (is(this.text, end, flag)) end++
    this.push(kind, start, end, this.text.slice(start, end))
    this.pos = end
  }

  private lexNumber(): void {
    const match = /[0-9]+(?:\.[0-9]*)?(?:[Ee][+-]?[0-9]+)?/y
    match.lastIndex = this.pos
    match.exec(this.text)
    const end = match.lastIndex > this.pos ? match.lastIndex : this.pos + 1
    this.push('number', this.pos, end, this.text.slice(this.pos, end))
    this.pos = end
  }

  private lexPunctuation(): void {
    const text = this.text
    const three = text.slice(this.pos, this.pos + 3)
    const two = text.slice(this.pos, this.pos + 2)
    const one = text[this.pos]!
    if (THREE_CHAR_PUNCT.includes(three)) this.push('punct', this.pos, this.pos + 3, three)
    else if (TWO_CHAR_OPS.includes(two)) this.push('op', this.pos, this.pos + 2, two)
    else if (ONE_CHAR_PUNCT.includes(one)) this.push('punct', this.pos, this.pos + 1, one)
    else if (ONE_CHAR_OPS.includes(one)) this.push('op', this.pos, this.pos + 1, one)
    else this.push('junk', this.pos, this.pos + 1, one)
    this.pos = this.tokens[this.tokens.length - 1]!.end
  }

  /** Nix paths: [PATH_CHAR]*(/[PATH_CHAR]+)+/? and ~/..., longest match. */
  private tryPath(): boolean {
    const text = this.text
    const start = this.pos
    if (start < this.noPathBefore) return false
    let i = start
    if (text[i] === '~' && text[i + 1] === '/') i++
    else while (is(text, i, PATH_CHAR)) i++
    let end = -1
    while (text[i] === '/' && is(text, i + 1, PATH_CHAR)) {
      i++
      while (is(text, i, PATH_CHAR)) i++
      end = i
    }
    if (end < 0) {
      // No position inside this run of path characters can start a path either.
      this.noPathBefore = i
      return false
    }
    if (text[end] === '/' && !(text[end + 1] === '/' || text[end + 1] === '*')) end++
    this.push('path', start, end, text.slice(start, end))
    this.pos = end
    return true
  }

  private tryUri(): boolean {
    const text = this.text
    const start = this.pos
    if (start < this.noUriBefore || !is(text, start, LETTER)) return false
    let i = start + 1
    while (is(text, i, URI_SCHEME_CHAR)) i++
    if (text[i] !== ':' || !is(text, i + 1, URI_CHAR)) {
      this.noUriBefore = i
      return false
    }
    i++
    while (is(text, i, URI_CHAR)) i++
    this.push('uri', start, i, text.slice(start, i))
    this.pos = i
    return true
  }

  /** <nixpkgs> and <nixpkgs/nixos>. */
  private trySearchPath(): boolean {
    const text = this.text
    if (text[this.pos] !== '<') return false
    let i = this.pos + 1
    while (is(text, i, PATH_CHAR) || text[i] === '/') i++
    if (i === this.pos + 1 || text[i] !== '>') return false
    this.push('path', this.pos, i + 1, text.slice(this.pos, i + 1))
    this.pos = i + 1
    return true
  }

  // ---- strings ----

  private openString(kind: 'dq' | 'ind', width: number): void {
    const start = this.pos
    const indented = kind === 'ind'
    this.push('str-open', start, start + width, this.text.slice(start, start + width), {indented})
    this.pos += width
    const openToken = this.tokens.length - 1
    if (kind === 'dq') {
      this.modes.push({kind, openToken, start})
      return
    }
    // An opening '' swallows trailing blanks and one newline; they are not part of the text.
    const afterBlanks = /[ \t\r]*\n/y
    afterBlanks.lastIndex = this.pos
    if (afterBlanks.test(this.text)) this.pos = afterBlanks.lastIndex
    this.modes.push({kind, openToken, start, indent: this.lines.indentation(start)})
  }

  private lexDoubleQuoted(): void {
    const text = this.text
    let out = ''
    const start = this.pos
    while (this.pos < text.length) {
      const c = text[this.pos]!
      if (c === '"') {
        this.flushText(out, start)
        this.push('str-close', this.pos, this.pos + 1, '"')
        this.pos++
        this.modes.pop()
        return
      }
      if (c === '$' && text[this.pos + 1] === '{') {
        this.flushText(out, start)
        this.openInterpolation()
        return
      }
      if (c === '\\' && this.pos + 1 < text.length) {
        out += unescapeDoubleQuoted(text[this.pos + 1]!)
        this.pos += 2
        continue
      }
      if (c === '$' && text[this.pos + 1] === '$') {
        out += '$$'
        this.pos += 2
        continue
      }
      out += c
      this.pos++
    }
    this.flushText(out, start)
  }

  private lexIndented(mode: Extract<Mode, {kind: 'ind'}>): void {
    const text = this.text
    let out = ''
    const start = this.pos
    while (this.pos < text.length) {
      const c = text[this.pos]!
      if (c === "'" && text[this.pos + 1] === "'") {
        const escape = indentedEscape(text, this.pos + 2)
        if (escape !== undefined) {
          out += escape.text
          this.pos += 2 + escape.width
          continue
        }
        this.flushText(out, start)
        if (this.looksLikeLostOpener(this.pos) && this.recoverIndented(mode, this.pos)) return
        this.push('str-close', this.pos, this.pos + 2, "''")
        this.pos += 2
        this.modes.pop()
        return
      }
      if (c === '$' && text[this.pos + 1] === '{') {
        this.flushText(out, start)
        this.openInterpolation()
        return
      }
      if (c === '$' && text[this.pos + 1] === '$') {
        out += '$$'
        this.pos += 2
        continue
      }
      out += c
      this.pos++
    }
    this.flushText(out, start)
  }

  private flushText(out: string, start: number): void {
    if (out !== '') this.push('str-text', start, this.pos, out)
  }

  private openInterpolation(): void {
    this.push('interp-open', this.pos, this.pos + 2, '${')
    this.pos += 2
    this.modes.push({kind: 'code', braces: 0, interp: true})
  }

  /**
   * `name = ''` closing a string that is open: in pasted configs this is a string whose `'';`
   * line was lost, and this `''` opens the next one.
   */
  private looksLikeLostOpener(quote: number): boolean {
    const text = this.text
    const lineStart = this.lines.lineStart(quote)
    if (quote - lineStart > MAX_OPENER_LINE) return false
    if (!/^[ \t]*[A-Za-z_][A-Za-z0-9_'.-]*[ \t]*=[ \t]*$/.test(text.slice(lineStart, quote))) return false
    const after = /[ \t\r]*(\n|$)/y
    after.lastIndex = quote + 2
    return after.test(text)
  }

  /**
   * End the indented string before its first line indented no deeper than the line that opened
   * it (where its lost terminator most likely stood) and lex on from there as code.
   */
  private recoverIndented(mode: Extract<Mode, {kind: 'ind'}>, until: number): boolean {
    const cut = this.findCut(mode, until)
    if (cut < 0 || !this.spend(until - cut)) return false
    this.rewindTo(cut, mode)
    this.warn("indented string not closed (lost '';?); ended it before this line", cut)
    return true
  }

  private rewindTo(cut: number, mode: Extract<Mode, {kind: 'dq' | 'ind'}>): void {
    while (this.tokens.length > mode.openToken + 1 && this.tokens[this.tokens.length - 1]!.start >= cut) this.tokens.pop()
    const last = this.tokens[this.tokens.length - 1]!
    if (last.kind === 'str-text' && last.end > cut) {
      // Keep the part of the text before the cut (decoded and source offsets agree closely enough).
      this.tokens[this.tokens.length - 1] = {...last, end: cut, text: last.text.slice(0, Math.max(0, cut - last.start))}
    }
    // The inserted closers stand at the end of the line before the cut, where the lost one was.
    const at = cut > 0 && this.text[cut - 1] === '\n' ? cut - 1 : cut
    this.closeDangling(mode.openToken + 1, at)
    while (this.modes[this.modes.length - 1] !== mode) this.modes.pop()
    this.modes.pop()
    this.push('str-close', at, at, '')
    this.pos = cut
  }

  /** After a cut, close the strings and interpolations opened inside the string and left open. */
  private closeDangling(from: number, at: number): void {
    const open: TokenKind[] = []
    for (let i = from; i < this.tokens.length; i++) {
      const kind = this.tokens[i]!.kind
      if (kind === 'str-open' || kind === 'interp-open') open.push(kind)
      else if (kind === 'str-close' || kind === 'interp-close') open.pop()
    }
    for (let kind = open.pop(); kind !== undefined; kind = open.pop()) {
      this.push(kind === 'str-open' ? 'str-close' : 'interp-close', at, at, '')
    }
  }

  /**
   * End of text: close what is open. Returns true when an unterminated string was rewound and
   * lexing must go on from the rewind point.
   */
  private closeAtEnd(): boolean {
    for (;;) {
      const mode = this.modes[this.modes.length - 1]!
      if (mode.kind === 'code') {
        if (!mode.interp) return false
        this.warn('unterminated ${ interpolation', this.pos)
        this.push('interp-close', this.pos, this.pos, '')
        this.modes.pop()
        continue
      }
      const cut = this.findCut(mode, this.text.length)
      if (cut >= 0 && this.spend(this.text.length - cut)) {
        this.warn('unterminated string; ended it where its closing quote was probably lost', mode.start)
        this.rewindTo(cut, mode)
        return true
      }
      this.warn('unterminated string', mode.start)
      this.push('str-close', this.pos, this.pos, '')
      this.modes.pop()
    }
  }

  /**
   * Where an unterminated string most likely ended: a "" string at the end of its first line, a ''
   * string before its first line indented no deeper than the line that opened it. -1 for none,
   * or when the recovery budget does not cover the scan.
   */
  private findCut(mode: Extract<Mode, {kind: 'dq' | 'ind'}>, until: number): number {
    const limit = Math.min(until, mode.start + this.recoveryBudget)
    let cut: number
    if (mode.kind === 'ind') {
      cut = this.firstLineIndentedAtMost(mode.start, limit, mode.indent)
    } else {
      const newline = this.lines.lineEnd(mode.start)
      cut = newline >= 0 && newline < limit ? newline : -1
    }
    this.spend((cut < 0 ? limit : cut) - mode.start)
    return cut
  }

  /** Start of the first non-blank line after `from`'s line and before `until` indented <= indent. */
  private firstLineIndentedAtMost(from: number, until: number, indent: number): number {
    for (let line = this.lines.lineOf(from) + 1; ; line++) {
      const start = this.lines.startOfLine(line)
      if (start === undefined || start >= until) return -1
      const indentation = this.lines.indentation(start)
      const first = this.text[start + indentation]
      const blank = first === undefined || first === '\n' || first === '\r'
      if (!blank && indentation <= indent) return start
    }
  }

  private spend(characters: number): boolean {
    if (characters > this.recoveryBudget) return false
    this.recoveryBudget -= characters
    return true
  }
}

function unescapeDoubleQuoted(c: string): string {
  if (c === 'n') return '\n'
  if (c === 't') return '\t'
  if (c === 'r') return '\r'
  return c
}

/** Escapes inside '' strings: ''$ -> $, ''' -> '', ''\x -> x (with \n \t \r). */
function indentedEscape(text: string, at: number): {text: string; width: number} | undefined {
  const c = text[at]
  if (c === '$') return {text: '$', width: 1}
  if (c === "'") return {text: "''", width: 1}
  if (c === '\\' && at + 1 < text.length) return {text: unescapeDoubleQuoted(text[at + 1]!), width: 2}
  return undefined
}
