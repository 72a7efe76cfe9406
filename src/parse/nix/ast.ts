/** The small Nix syntax tree the tolerant parser builds: enough to find option definitions. */

interface Span {
  start: number
  end: number
}

export type StringPart = {text: string} | ({expr: Expr} & Span)

export interface StringExpr extends Span {
  kind: 'string'
  /** For '' strings, with Nix's indentation stripping already applied. */
  parts: StringPart[]
}

export interface Binding {
  path: KeySegment[]
  value: Expr
  start: number
}

export type KeySegment =
  | ({kind: 'name'; name: string} & Span)
  | {kind: 'string'; expr: StringExpr}
  | ({kind: 'dynamic'; expr: Expr} & Span)

export interface AttrsExpr extends Span {
  kind: 'attrs'
  bindings: Binding[]
  /** Names brought in with `inherit` (their values are not followed). */
  inherits: string[]
}

export interface LetExpr extends Span {
  kind: 'let'
  bindings: Binding[]
  inherits: string[]
  body: Expr
}

export type Expr =
  | StringExpr
  | AttrsExpr
  | LetExpr
  | ({kind: 'list'; items: Expr[]} & Span)
  | ({kind: 'with'; env: Expr; body: Expr} & Span)
  | ({kind: 'lambda'; params: string[]; body: Expr} & Span)
  | ({kind: 'apply'; fn: Expr; args: Expr[]} & Span)
  | ({kind: 'ops'; operands: Expr[]; operators: string[]} & Span)
  /** An identifier with static selections: `pkgs.linuxPackages_5_15`. */
  | ({kind: 'ref'; names: string[]} & Span)
  | ({kind: 'paren'; inner: Expr} & Span)
  /** Anything not followed further: numbers, paths, conditionals, dynamic selections... */
  | ({kind: 'other'} & Span)
