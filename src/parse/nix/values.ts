/** Reading option values (string lists, strings, booleans) without evaluating anything else. */
import type {NixString} from '../nix-config.js'
import type {Expr} from './ast.js'
import {DEFAULT_ORDER, DEFAULT_PRIORITY, mergedValues, NO_PROPERTIES, resolveString, unwrap, type Properties, type Scope} from './definitions.js'
import type {LineIndex} from './lines.js'

export interface Source {
  text: string
  lines: LineIndex
}

/**
 * The elements of a list value; `a ++ b` and `mkMerge [a b]` concatenate. Each element carries the
 * priority, order and conditions of the definition and of the mkMerge part it is in.
 */
export function readStringList(value: Expr, scope: Scope, source: Source, properties: Properties = NO_PROPERTIES): NixString[] {
  const inner = unwrap(value, scope, undefined, {text: source.text, properties})
  const expr = inner.expr
  if (inner.properties.off) return []
  if (expr.kind === 'list') return expr.items.map((item) => withProperties(readString(item, inner.scope, source), inner.properties))
  const parts = expr.kind === 'ops' && expr.operators.every((op) => op === '++') ? expr.operands : mergedValues(expr)
  if (parts) return parts.flatMap((part) => readStringList(part, inner.scope, source, inner.properties))
  return [withProperties(readString(expr, inner.scope, source), inner.properties)]
}

/** A value with what the module system's wrappers said about its definition, when that is not the default. */
export function withProperties(value: NixString, {priority, order, conditions}: Properties): NixString {
  return {
    ...value,
    ...(priority !== DEFAULT_PRIORITY ? {priority} : {}),
    ...(order !== DEFAULT_ORDER ? {order} : {}),
    ...(conditions.length > 0 ? {conditions} : {}),
  }
}

/** The items of a list value (`a ++ b` and mkMerge concatenate), unwrapped, each with its scope. */
export function listItems(value: Expr, scope: Scope): Array<{expr: Expr; scope: Scope}> {
  const inner = unwrap(value, scope)
  const expr = inner.expr
  if (expr.kind === 'list') return expr.items.map((item) => unwrap(item, inner.scope))
  const parts = expr.kind === 'ops' && expr.operators.every((op) => op === '++') ? expr.operands : mergedValues(expr)
  return (parts ?? []).flatMap((part) => listItems(part, inner.scope))
}

/** A string value; anything else is kept as an expression whose value is unknown. */
export function readString(value: Expr, scope: Scope, source: Source): NixString {
  const inner = unwrap(value, scope)
  const expr = inner.expr
  const raw = source.text.slice(value.start, value.end)
  const line = source.lines.lineOf(value.start)
  if (expr.kind !== 'string') return {raw, line, interpolated: false, expression: true}
  const resolved = resolveString(expr, inner.scope, source.text)
  return resolved.value === undefined
    ? {raw, line, interpolated: resolved.interpolated}
    : {value: resolved.value, raw, line, interpolated: resolved.interpolated}
}

/** The text of a string value with unresolved interpolations as written. */
export function readTemplate(value: Expr, scope: Scope, source: Source): string {
  const inner = unwrap(value, scope)
  if (inner.expr.kind !== 'string') return source.text.slice(inner.expr.start, inner.expr.end)
  const resolved = resolveString(inner.expr, inner.scope, source.text)
  return resolved.value ?? resolved.template
}

export function readBool(value: Expr, scope: Scope): boolean | undefined {
  const expr = unwrap(value, scope).expr
  if (expr.kind !== 'ref' || expr.names.length !== 1) return undefined
  if (expr.names[0] === 'true') return true
  if (expr.names[0] === 'false') return false
  return undefined
}

/** `enabled` / `disabled` (lib.<name>.enabled in many configs): `{ enable = true; }` and its opposite. */
export function readEnabledShorthand(value: Expr, scope: Scope): boolean | undefined {
  const expr = unwrap(value, scope).expr
  if (expr.kind !== 'ref') return undefined
  const last = expr.names[expr.names.length - 1]
  if (last === 'enabled') return true
  if (last === 'disabled') return false
  return undefined
}
