/**
 * The files a NixOS module or a flake brings in: `imports = [ ./hardware-configuration.nix ./vfio ]`
 * and a flake's `nixosConfigurations.<name> = nixpkgs.lib.nixosSystem { modules = [ ./configuration.nix ]; }`.
 * Only relative path literals are followed; anything computed (a flake input's module, `map`,
 * `builtins.readDir`) is not a file we can name.
 */
import type {Binding, Expr} from './ast.js'
import {tokenize} from './lexer.js'
import {LineIndex} from './lines.js'
import {parseNix} from './parser.js'

export interface ImportedPath {
  /** As written: "./hardware-configuration.nix", "../common". */
  path: string
  line: number
  /** The list it is in: `imports` of a module, or `modules` of a flake's nixosSystem. */
  via: 'imports' | 'modules'
}

/** A relative path literal, as Nix's lexer reads one. */
const RELATIVE_PATH = /^\.{1,2}(?:\/[\w.+-]+)+\/?$/
/** No configuration needs more; a deeper syntax tree is junk, and walking it costs stack. */
const MAX_NESTING = 200

export function importedPaths(text: string): ImportedPath[] {
  const lines = new LineIndex(text)
  const found: ImportedPath[] = []
  const visit = (expr: Expr, depth: number): void => {
    if (depth > MAX_NESTING) return
    for (const binding of bindingsOf(expr)) {
      const last = binding.path.at(-1)
      const via = last?.kind === 'name' && (last.name === 'imports' || last.name === 'modules') ? last.name : undefined
      if (via) for (const item of listItems(binding.value)) {
        const raw = text.slice(item.start, item.end).trim()
        if (item.kind === 'other' && RELATIVE_PATH.test(raw)) found.push({path: raw, line: lines.lineOf(item.start), via})
      }
    }
    for (const child of childrenOf(expr)) visit(child, depth + 1)
  }
  for (const expr of parseNix(tokenize(text, lines, () => {}), lines, () => {})) visit(expr, 0)
  return found
}

function bindingsOf(expr: Expr): Binding[] {
  return expr.kind === 'attrs' || expr.kind === 'let' ? expr.bindings : []
}

function listItems(expr: Expr): Expr[] {
  while (expr.kind === 'paren') expr = expr.inner
  if (expr.kind === 'list') return expr.items
  if (expr.kind === 'ops' && expr.operators.every((op) => op === '++')) return expr.operands.flatMap(listItems)
  return []
}

function childrenOf(expr: Expr): Expr[] {
  switch (expr.kind) {
    case 'attrs':
      return expr.bindings.map((b) => b.value)
    case 'let':
      return [...expr.bindings.map((b) => b.value), expr.body]
    case 'list':
      return expr.items
    case 'with':
      return [expr.env, expr.body]
    case 'lambda':
      return [expr.body]
    case 'apply':
      return [expr.fn, ...expr.args]
    case 'ops':
      return expr.operands
    case 'paren':
      return [expr.inner]
    case 'string':
      return expr.parts.flatMap((part) => ('expr' in part ? [part.expr] : []))
    default:
      return []
  }
}
