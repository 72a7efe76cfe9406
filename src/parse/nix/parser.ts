/**
 * A tolerant recursive-descent Nix parser over the lexer's tokens. It never throws: where the
 * text breaks the grammar (pasted configs lose lines and closers) it warns and resynchronises at
 * the next line that starts a binding (`name.path = ...`). Recursion is capped; deeper nesting is
 * skipped as an opaque expression. Look-ahead is bounded, so the whole parse is linear.
 */
import type {AttrsExpr, Binding, Expr, KeySegment, LetExpr, StringExpr, StringPart} from './ast.js'
import type {Token} from './lexer.js'
import type {LineIndex} from './lines.js'
import {stripIndentation} from './strings.js'

const MAX_DEPTH = 100
const LOOKAHEAD = 64
const KEYWORDS = new Set(['let', 'in', 'with', 'if', 'then', 'else', 'assert', 'inherit', 'rec'])
const BINARY_OPERATORS = new Set(['++', '//', '==', '!=', '<=', '>=', '&&', '||', '->', '+', '-', '*', '/', '<', '>'])
/**
 * First names of NixOS options: a binding that starts with one of these, written at or left of
 * the line that opened the enclosing set, means that set's `}` was lost.
 */
const TOP_LEVEL_NAMESPACES = new Set([
  'boot',
  'console',
  'documentation',
  'environment',
  'fileSystems',
  'fonts',
  'hardware',
  'i18n',
  'imports',
  'networking',
  'nix',
  'nixpkgs',
  'powerManagement',
  'programs',
  'security',
  'services',
  'sound',
  'specialisation',
  'swapDevices',
  'system',
  'systemd',
  'time',
  'users',
  'virtualisation',
  'xdg',
  'zramSwap',
])

type Warn = (message: string, offset: number) => void

interface SetLayout {
  openLine: number
  openIndent: number
  firstBindingIndent?: number
}

type BindingsEnd = 'close' | 'in' | 'eof' | 'dedent'

interface BindingList {
  bindings: Binding[]
  inherits: string[]
  end: BindingsEnd
}

/** Parses a whole file. Several top-level expressions come back when the text holds several. */
export function parseNix(tokens: Token[], lines: LineIndex, warn: Warn): Expr[] {
  return new Parser(tokens, lines, warn).parseFile()
}

class Parser {
  private i = 0
  private depth = 0
  /** Token index where a set was ended for a lost `}`; the `;` lost with it is not reported again. */
  private dedentedAt = -1

  constructor(
    private readonly tokens: Token[],
    private readonly lines: LineIndex,
    private readonly warn: Warn,
  ) {}

  parseFile(): Expr[] {
    const exprs: Expr[] = []
    while (!this.atEof()) {
      const before = this.i
      const expr = this.parseExpr(true)
      if (this.i === before) {
        this.i++ // parseExpr has warned about this token
        continue
      }
      exprs.push(expr)
      if (this.atEof()) break
      const token = this.peek()
      this.warn(`unexpected ${describe(token)} after a complete expression`, token.start)
      if (isCloser(token)) this.i++
    }
    return exprs
  }

  // ---- token helpers ----

  private peek(k = 0): Token {
    return this.tokens[Math.min(this.i + k, this.tokens.length - 1)]!
  }

  private at(index: number): Token {
    return this.tokens[Math.min(index, this.tokens.length - 1)]!
  }

  private atEof(): boolean {
    return this.peek().kind === 'eof'
  }

  private isPunct(text: string, token = this.peek()): boolean {
    return token.kind === 'punct' && token.text === text
  }

  private isKeyword(text: string, token = this.peek()): boolean {
    return token.kind === 'id' && token.text === text
  }

  private startsLine(index: number): boolean {
    if (index === 0) return true
    return this.lines.lineOf(this.at(index - 1).end) < this.lines.lineOf(this.at(index).start)
  }

  private expectPunct(text: string, what: string): void {
    if (this.isPunct(text)) this.i++
    else this.warn(`expected '${text}' ${what}, found ${describe(this.peek())}`, this.peek().start)
  }

  private lastEnd(): number {
    return this.i > 0 ? this.at(this.i - 1).end : 0
  }

  // ---- expressions ----

  private parseExpr(allowBareBindings: boolean): Expr {
    if (this.depth >= MAX_DEPTH) return this.skipBalanced()
    this.depth++
    try {
      return this.parseExprAtDepth(allowBareBindings)
    } finally {
      this.depth--
    }
  }

  private parseExprAtDepth(allowBareBindings: boolean): Expr {
    const token = this.peek()
    if (allowBareBindings && this.looksLikeBindingStart(this.i)) return this.parseBareBindings()
    if (token.kind === 'id') {
      const next = this.peek(1)
      if (token.text === 'let' && !this.isPunct('{', next)) return this.parseLet(allowBareBindings)
      if (token.text === 'with') return this.parseWith(allowBareBindings)
      if (token.text === 'assert') return this.parseAssert(allowBareBindings)
      if (token.text === 'if') return this.parseIf()
      if (!KEYWORDS.has(token.text) && (this.isPunct(':', next) || this.isPunct('@', next))) {
        return this.parseLambda(allowBareBindings)
      }
    }
    if (this.isPunct('{') && this.isPatternAt(this.i)) return this.parseLambda(allowBareBindings)
    return this.parseOperators()
  }

  /** Top-level `name = value;` lines without braces: a fragment, or a `let` whose keyword was lost. */
  private parseBareBindings(): Expr {
    const start = this.peek().start
    const list = this.parseBindings('bare')
    if (list.end === 'in') {
      this.warn("bindings followed by 'in' without 'let' (lost line?); read them as a let", start)
      this.i++
      const body = this.parseExpr(true)
      return {kind: 'let', bindings: list.bindings, inherits: list.inherits, body, start, end: body.end}
    }
    return {kind: 'attrs', bindings: list.bindings, inherits: list.inherits, start, end: this.lastEnd()}
  }

  /** Bodies of top-level `let`, `with` and functions may be bare bindings; nested ones may not. */
  private parseLet(allowBareBindings: boolean): LetExpr {
    const start = this.peek().start
    this.i++
    const list = this.parseBindings('let')
    if (list.end === 'in') this.i++
    else this.warn("'let' without 'in'", start)
    const body = this.parseExpr(allowBareBindings)
    return {kind: 'let', bindings: list.bindings, inherits: list.inherits, body, start, end: body.end}
  }

  private parseWith(allowBareBindings: boolean): Expr {
    const start = this.peek().start
    this.i++
    const env = this.parseExpr(false)
    this.expectPunct(';', "after 'with' expression")
    const body = this.parseExpr(allowBareBindings)
    return {kind: 'with', env, body, start, end: body.end}
  }

  private parseAssert(allowBareBindings: boolean): Expr {
    this.i++
    this.parseExpr(false)
    this.expectPunct(';', "after 'assert' condition")
    return this.parseExpr(allowBareBindings)
  }

  private parseIf(): Expr {
    const start = this.peek().start
    this.i++
    this.parseExpr(false)
    if (this.isKeyword('then')) this.i++
    else this.warn("'if' without 'then'", start)
    this.parseExpr(false)
    if (this.isKeyword('else')) this.i++
    else this.warn("'if' without 'else'", start)
    this.parseExpr(false)
    return {kind: 'other', start, end: this.lastEnd()}
  }

  private parseLambda(allowBareBindings: boolean): Expr {
    const start = this.peek().start
    const params: string[] = []
    if (this.peek().kind === 'id') {
      params.push(this.peek().text)
      this.i++
      if (this.isPunct('@')) {
        this.i++
        this.parsePattern(params)
      }
    } else {
      this.parsePattern(params)
      if (this.isPunct('@') && this.peek(1).kind === 'id') {
        params.push(this.peek(1).text)
        this.i += 2
      }
    }
    this.expectPunct(':', 'after function arguments')
    const body = this.parseExpr(allowBareBindings)
    return {kind: 'lambda', params, body, start, end: body.end}
  }

  /** `{ a, b ? default, ... }` */
  private parsePattern(params: string[]): void {
    if (!this.isPunct('{')) return
    this.i++
    while (!this.atEof() && !this.isPunct('}')) {
      const token = this.peek()
      if (token.kind === 'id') {
        params.push(token.text)
        this.i++
        if (this.isPunct('?')) {
          this.i++
          this.parseExpr(false)
        }
      } else if (!this.isPunct(',') && !this.isPunct('...')) {
        this.warn(`unexpected ${describe(token)} in function arguments`, token.start)
        if (isCloser(token) || this.isPunct(':', token)) return
      }
      if (this.peek() === token) this.i++
    }
    this.expectPunct('}', 'to close function arguments')
  }

  /** `{` starts a function's argument pattern (not an attribute set): `{ a, ...`, `{ a ? x`, `{ }:`. */
  private isPatternAt(index: number): boolean {
    const first = this.at(index + 1)
    const second = this.at(index + 2)
    const closedThenColon = (closer: Token, after: Token): boolean =>
      this.isPunct('}', closer) && (this.isPunct(':', after) || this.isPunct('@', after))
    if (closedThenColon(first, second)) return true
    if (this.isPunct('...', first)) return true
    if (first.kind !== 'id' || KEYWORDS.has(first.text)) return false
    return this.isPunct(',', second) || this.isPunct('?', second) || closedThenColon(second, this.at(index + 3))
  }

  private parseOperators(): Expr {
    const start = this.peek().start
    const operands = [this.parseUnary()]
    const operators: string[] = []
    for (;;) {
      const token = this.peek()
      if (token.kind === 'op' && BINARY_OPERATORS.has(token.text)) {
        operators.push(token.text)
        this.i++
        operands.push(this.parseUnary())
      } else if (this.isPunct('?', token)) {
        // `attrs ? a.b`: a has-attribute test.
        this.i++
        operators.push('?')
        const segmentStart = this.peek().start
        this.parseAttrPath()
        operands.push({kind: 'other', start: segmentStart, end: this.lastEnd()})
      } else {
        break
      }
    }
    if (operands.length === 1) return operands[0]!
    return {kind: 'ops', operands, operators, start, end: this.lastEnd()}
  }

  private parseUnary(): Expr {
    const start = this.peek().start
    let prefixed = false
    while (this.peek().kind === 'op' && (this.peek().text === '!' || this.peek().text === '-')) {
      prefixed = true
      this.i++
    }
    const operand = this.parseApplication()
    return prefixed ? {kind: 'other', start, end: operand.end} : operand
  }

  private parseApplication(): Expr {
    const fn = this.parseSelect()
    if (fn === undefined) return this.unexpectedTerm()
    const args: Expr[] = []
    // A line that starts `name = ` is the next binding (its `;` was lost), never an argument.
    while (this.canStartTerm(this.peek()) && !(this.startsLine(this.i) && this.looksLikeBindingStart(this.i))) {
      const arg = this.parseSelect()
      if (arg === undefined) break
      args.push(arg)
    }
    if (args.length === 0) return fn
    return {kind: 'apply', fn, args, start: fn.start, end: this.lastEnd()}
  }

  private unexpectedTerm(): Expr {
    const token = this.peek()
    this.warn(`expected an expression, found ${describe(token)}`, token.start)
    return {kind: 'other', start: token.start, end: token.start}
  }

  private canStartTerm(token: Token): boolean {
    switch (token.kind) {
      case 'id':
        return !KEYWORDS.has(token.text) || token.text === 'rec'
      case 'number':
      case 'path':
      case 'uri':
      case 'str-open':
        return true
      case 'punct':
        return token.text === '(' || token.text === '[' || token.text === '{'
      default:
        return false
    }
  }

  /** A term with `.attr` selections (and an `or` default). Undefined when no term starts here. */
  private parseSelect(): Expr | undefined {
    const base = this.parsePrimary()
    if (base === undefined || !this.isPunct('.')) return base
    const names = base.kind === 'ref' ? [...base.names] : undefined
    let staticPath = names !== undefined
    while (this.isPunct('.') && this.startsKeySegment(this.peek(1))) {
      this.i++
      const segment = this.parseKeySegment()
      if (segment.kind === 'name' && names) names.push(segment.name)
      else staticPath = false
    }
    if (this.isKeyword('or', this.peek())) {
      this.i++
      this.parseSelect()
      staticPath = false
    }
    const end = this.lastEnd()
    return staticPath && names ? {kind: 'ref', names, start: base.start, end} : {kind: 'other', start: base.start, end}
  }

  private parsePrimary(): Expr | undefined {
    if (this.depth >= MAX_DEPTH) return this.canStartTerm(this.peek()) ? this.skipBalanced() : undefined
    this.depth++
    try {
      return this.parsePrimaryAtDepth()
    } finally {
      this.depth--
    }
  }

  private parsePrimaryAtDepth(): Expr | undefined {
    const token = this.peek()
    switch (token.kind) {
      case 'id':
        return this.parseIdentifierTerm(token)
      case 'number':
      case 'uri':
        this.i++
        return {kind: 'other', start: token.start, end: token.end}
      case 'path':
        return this.parsePath(token)
      case 'str-open':
        return this.parseString()
      case 'punct':
        if (token.text === '(') return this.parseParenthesised()
        if (token.text === '[') return this.parseList()
        if (token.text === '{') return this.isPatternAt(this.i) ? this.parseLambda(false) : this.parseAttrs()
        return undefined
      default:
        return undefined
    }
  }

  private parseIdentifierTerm(token: Token): Expr | undefined {
    if ((token.text === 'rec' || token.text === 'let') && this.isPunct('{', this.peek(1))) {
      this.i++
      return this.parseAttrs()
    }
    if (token.text === 'let' || token.text === 'with' || token.text === 'if' || token.text === 'assert') {
      return this.parseExpr(false)
    }
    if (KEYWORDS.has(token.text)) return undefined
    this.i++
    return {kind: 'ref', names: [token.text], start: token.start, end: token.end}
  }

  /** A path, with `${...}` pieces written right against it (`./hosts/${name}.nix`). */
  private parsePath(token: Token): Expr {
    this.i++
    while (this.peek().start === this.lastEnd() && this.peek().kind === 'interp-open') {
      this.skipBalanced()
      while (this.peek().start === this.lastEnd() && ['path', 'id', 'number'].includes(this.peek().kind)) this.i++
    }
    return {kind: 'other', start: token.start, end: this.lastEnd()}
  }

  private parseString(): StringExpr {
    const open = this.peek()
    this.i++
    const parts: StringPart[] = []
    for (;;) {
      const token = this.peek()
      if (token.kind === 'str-close') {
        this.i++
        break
      }
      if (token.kind === 'eof') break
      if (token.kind === 'str-text') {
        parts.push({text: token.text})
        this.i++
      } else if (token.kind === 'interp-open') {
        parts.push(this.parseInterpolation())
      } else {
        this.i++
      }
    }
    return {kind: 'string', parts: open.indented ? stripIndentation(parts) : parts, start: open.start, end: this.lastEnd()}
  }

  private parseInterpolation(): {expr: Expr; start: number; end: number} {
    const open = this.peek()
    this.i++
    const expr = this.parseExpr(false)
    if (this.peek().kind !== 'interp-close') {
      this.warn(`unexpected ${describe(this.peek())} in \${...}`, this.peek().start)
      this.skipToInterpolationClose()
    }
    if (this.peek().kind === 'interp-close') this.i++
    return {expr, start: open.start, end: this.lastEnd()}
  }

  private skipToInterpolationClose(): void {
    let depth = 0
    while (!this.atEof()) {
      const kind = this.peek().kind
      if (kind === 'interp-close' && depth === 0) return
      if (kind === 'interp-open') depth++
      if (kind === 'interp-close') depth--
      this.i++
    }
  }

  private parseParenthesised(): Expr {
    const start = this.peek().start
    this.i++
    const inner = this.parseExpr(false)
    if (this.isPunct(')')) this.i++
    else this.warn(`missing ')' (found ${describe(this.peek())})`, this.peek().start)
    return {kind: 'paren', inner, start, end: this.lastEnd()}
  }

  private parseList(): Expr {
    const open = this.peek()
    this.i++
    const items: Expr[] = []
    for (;;) {
      const token = this.peek()
      if (this.isPunct(']', token)) {
        this.i++
        break
      }
      if (this.endsListEarly(token)) {
        this.warn(`list opened on line ${this.lines.lineOf(open.start)} not closed (lost ']'?)`, token.start)
        break
      }
      const item = this.parseSelect()
      if (item === undefined) {
        this.warn(`unexpected ${describe(token)} in a list`, token.start)
        this.i++
      } else {
        items.push(item)
      }
    }
    return {kind: 'list', items, start: open.start, end: this.lastEnd()}
  }

  /** Tokens a list cannot hold: its `]` was lost. */
  private endsListEarly(token: Token): boolean {
    if (token.kind === 'eof' || token.kind === 'interp-close' || token.kind === 'str-close') return true
    if (token.kind === 'punct' && (token.text === ';' || token.text === '}' || token.text === ')')) return true
    if (this.isKeyword('in', token)) return true
    return this.looksLikeBindingStart(this.i)
  }

  private parseAttrs(): AttrsExpr {
    const open = this.peek()
    this.i++
    const layout: SetLayout = {openLine: this.lines.lineOf(open.start), openIndent: this.lines.indentation(open.start)}
    const list = this.parseBindings('braced', layout)
    if (list.end === 'close') this.i++
    else if (list.end === 'dedent') this.dedentedAt = this.i
    else this.warn(`set opened on line ${layout.openLine} not closed (lost '}'?)`, this.peek().start)
    return {kind: 'attrs', bindings: list.bindings, inherits: list.inherits, start: open.start, end: this.lastEnd()}
  }

  // ---- bindings ----

  private parseBindings(context: 'braced' | 'let' | 'bare', layout?: SetLayout): BindingList {
    const bindings: Binding[] = []
    const inherits: string[] = []
    for (;;) {
      const token = this.peek()
      if (token.kind === 'eof') return {bindings, inherits, end: 'eof'}
      if (this.isPunct('}', token)) return {bindings, inherits, end: 'close'}
      if (this.isKeyword('in', token)) return {bindings, inherits, end: 'in'}
      if (this.isPunct(';', token)) {
        this.warn("stray ';'", token.start)
        this.i++
      } else if (this.isKeyword('inherit', token)) {
        this.parseInherit(inherits)
      } else if (layout && this.isDedentedNamespaceKey(layout)) {
        this.warn(`set opened on line ${layout.openLine} not closed before this line (lost '}'?)`, token.start)
        return {bindings, inherits, end: 'dedent'}
      } else if (this.looksLikeBindingStart(this.i)) {
        if (layout && layout.firstBindingIndent === undefined && this.startsLine(this.i)) {
          layout.firstBindingIndent = this.lines.indentation(token.start)
        }
        bindings.push(this.parseBinding())
      } else {
        this.warn(`unexpected ${describe(token)} where a binding should start`, token.start)
        this.skipToBindingBoundary()
      }
    }
  }

  private parseBinding(): Binding {
    const start = this.peek().start
    const path = this.parseAttrPath()
    this.expectPunct('=', 'in binding')
    const value = this.parseExpr(false)
    this.endBinding()
    return {path, value, start}
  }

  private endBinding(): void {
    const token = this.peek()
    if (this.isPunct(';', token)) {
      this.i++
      return
    }
    const nextBindingOnNewLine =
      this.startsLine(this.i) && (this.looksLikeBindingStart(this.i) || this.isKeyword('inherit', token))
    if (token.kind === 'eof' || this.isPunct('}', token) || this.isKeyword('in', token) || nextBindingOnNewLine) {
      if (this.dedentedAt !== this.i) this.warn(`missing ';' before ${describe(token)}`, token.start)
      return
    }
    this.warn(`unexpected ${describe(token)} after a binding's value`, token.start)
    this.skipToBindingBoundary()
  }

  private parseInherit(names: string[]): void {
    this.i++
    if (this.isPunct('(')) this.parseParenthesised()
    while (this.peek().kind === 'id' || this.peek().kind === 'str-open') {
      if (this.peek().kind === 'id') {
        names.push(this.peek().text)
        this.i++
      } else {
        this.parseString()
      }
    }
    this.endBinding()
  }

  /**
   * Skip a broken stretch: up to a `;` (consumed), or before a `}` / `in` / end of text at this
   * level, or before a line that starts a binding.
   */
  private skipToBindingBoundary(): void {
    let depth = 0
    const first = this.i
    while (!this.atEof()) {
      const token = this.peek()
      if (this.i > first && this.startsLine(this.i) && this.looksLikeBindingStart(this.i)) return
      if (depth === 0 && (this.isPunct('}', token) || this.isKeyword('in', token))) return
      if (depth === 0 && this.isPunct(';', token)) {
        this.i++
        return
      }
      if (isOpener(token)) depth++
      else if (isCloser(token)) depth = Math.max(0, depth - 1)
      this.i++
    }
  }

  /** A line at or left of its set's opening line, naming a top-level option: the set's `}` was lost. */
  private isDedentedNamespaceKey(layout: SetLayout): boolean {
    const token = this.peek()
    if (token.kind !== 'id' || !TOP_LEVEL_NAMESPACES.has(token.text) || !this.startsLine(this.i)) return false
    if (layout.firstBindingIndent === undefined || layout.firstBindingIndent <= layout.openIndent) return false
    if (this.lines.lineOf(token.start) <= layout.openLine) return false
    return this.lines.indentation(token.start) <= layout.openIndent && this.looksLikeBindingStart(this.i)
  }

  private parseAttrPath(): KeySegment[] {
    const path = [this.parseKeySegment()]
    while (this.isPunct('.') && this.startsKeySegment(this.peek(1))) {
      this.i++
      path.push(this.parseKeySegment())
    }
    return path
  }

  private startsKeySegment(token: Token): boolean {
    return token.kind === 'id' || token.kind === 'str-open' || token.kind === 'interp-open'
  }

  private parseKeySegment(): KeySegment {
    const token = this.peek()
    if (token.kind === 'str-open') return {kind: 'string', expr: this.parseString()}
    if (token.kind === 'interp-open') {
      const {expr, start, end} = this.parseInterpolation()
      return {kind: 'dynamic', expr, start, end}
    }
    if (token.kind === 'id') this.i++
    else this.warn(`expected an attribute name, found ${describe(token)}`, token.start)
    return {kind: 'name', name: token.kind === 'id' ? token.text : '', start: token.start, end: token.end}
  }

  /** `seg(.seg)* =` ahead, within a bounded number of tokens. */
  private looksLikeBindingStart(from: number): boolean {
    let j = from
    const limit = from + LOOKAHEAD
    for (;;) {
      const token = this.at(j)
      if (token.kind === 'id') {
        if (KEYWORDS.has(token.text)) return false
        j++
      } else if (token.kind === 'str-open' || token.kind === 'interp-open') {
        j = this.matchingClose(j, limit)
        if (j < 0) return false
      } else {
        return false
      }
      if (this.isPunct('=', this.at(j))) return true
      if (!this.isPunct('.', this.at(j)) || j >= limit) return false
      j++
    }
  }

  /** Index after the closer matching the opener at `from`, or -1 past `limit`. */
  private matchingClose(from: number, limit: number): number {
    let depth = 0
    for (let j = from; j < limit && j < this.tokens.length; j++) {
      const kind = this.tokens[j]!.kind
      if (kind === 'str-open' || kind === 'interp-open') depth++
      else if (kind === 'str-close' || kind === 'interp-close') depth--
      if (depth === 0) return j + 1
    }
    return -1
  }

  /** Consume one token, or a whole bracketed stretch when it opens one; iterative, for deep input. */
  private skipBalanced(): Expr {
    const start = this.peek().start
    let depth = 0
    do {
      const token = this.peek()
      if (token.kind === 'eof') break
      if (isOpener(token)) depth++
      else if (isCloser(token)) depth--
      this.i++
    } while (depth > 0)
    return {kind: 'other', start, end: this.lastEnd()}
  }
}

function isOpener(token: Token): boolean {
  if (token.kind === 'str-open' || token.kind === 'interp-open') return true
  return token.kind === 'punct' && (token.text === '{' || token.text === '[' || token.text === '(')
}

function isCloser(token: Token): boolean {
  if (token.kind === 'str-close' || token.kind === 'interp-close') return true
  return token.kind === 'punct' && (token.text === '}' || token.text === ']' || token.text === ')')
}

function describe(token: Token): string {
  if (token.kind === 'eof') return 'end of text'
  if (token.kind === 'str-open') return 'a string'
  const shown = token.text.length > 20 ? `${token.text.slice(0, 20)}...` : token.text
  return `'${shown}'`
}
