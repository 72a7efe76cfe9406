/**
 * Walks the syntax tree and lists every option definition with its full attribute path, joining
 * nested sets with flat paths (`boot = { initrd.kernelModules = ...; }` is
 * `boot.initrd.kernelModules`), and the lexical scope its value sees.
 */
import type {Binding, Expr, KeySegment, LetExpr, StringExpr} from './ast.js'

/** Module-system wrappers whose last argument is the value (`lib.mkIf cond { ... }`). */
const VALUE_WRAPPERS = new Set(['mkIf', 'mkDefault', 'mkForce', 'mkOverride', 'mkBefore', 'mkAfter', 'mkOrder', 'mkOptionDefault', 'mkVMOverride'])

/** The module system's priorities (lower wins) and list orders (lower comes first), as lib/modules.nix sets them. */
export const DEFAULT_PRIORITY = 100
export const DEFAULT_ORDER = 1000
const PRIORITY: Record<string, number> = {mkForce: 50, mkVMOverride: 10, mkDefault: 1000, mkOptionDefault: 1500}
const ORDER: Record<string, number> = {mkBefore: 500, mkAfter: 1500}

/**
 * What the module system's wrappers said about a definition: its priority, its place in a merged
 * list, and the mkIf conditions that could not be decided where they were written.
 */
export interface Properties {
  priority: number
  order: number
  /** Conditions as written ("config.virtualisation.libvirtd.enable", "cfg.enable"). */
  conditions: string[]
  /** A literal `mkIf false` (or a decided condition) switched it off. */
  off?: boolean
}

export const NO_PROPERTIES: Properties = {priority: DEFAULT_PRIORITY, order: DEFAULT_ORDER, conditions: []}

/** Let bindings in force; a name bound to anything but a literal string is known to be unknown. */
export class Scope {
  constructor(
    private readonly parent: Scope | undefined,
    private readonly names: ReadonlyMap<string, string | undefined>,
  ) {}

  static readonly empty = new Scope(undefined, new Map())

  /** The literal string the innermost binding of `name` holds, if it holds one. */
  literal(name: string): string | undefined {
    for (let scope: Scope | undefined = this; scope; scope = scope.parent) {
      if (scope.names.has(name)) return scope.names.get(name)
    }
    return undefined
  }
}

export interface PathSegment {
  /** Undefined when the name is computed and could not be resolved. */
  name?: string
  /** As written: `violet`, `${user}`. */
  raw: string
}

export interface Definition {
  path: PathSegment[]
  value: Expr
  scope: Scope
  /** Offset of the binding. */
  start: number
  properties: Properties
}

export interface ResolvedString {
  /** Undefined when some interpolation is not a let-bound literal. */
  value?: string
  interpolated: boolean
  /** The text with interpolations as written (`f /dev/shm/x 0660 ${user} ...`). */
  template: string
}

export interface Collected {
  definitions: Definition[]
  /** Literal string let bindings, first binding of a name wins. */
  bindings: Map<string, string>
}

export function collectDefinitions(exprs: Expr[], text: string): Collected {
  const collector = new Collector(text)
  for (const expr of exprs) collector.walk(expr, [], Scope.empty, NO_PROPERTIES)
  return {definitions: collector.definitions, bindings: collector.bindings}
}

/**
 * Strip what does not change a value: parentheses, `with`, `let` (entering its scope), mkIf & co.
 * With `text`, the wrappers' priorities, orders and conditions are added to `properties`.
 */
export function unwrap(
  expr: Expr,
  scope: Scope,
  onLet?: (expr: LetExpr, scope: Scope) => Scope,
  wrappers?: {text: string; properties: Properties},
): {expr: Expr; scope: Scope; properties: Properties} {
  let properties = wrappers?.properties ?? NO_PROPERTIES
  for (;;) {
    if (expr.kind === 'paren') expr = expr.inner
    else if (expr.kind === 'with') expr = expr.body
    else if (expr.kind === 'let') {
      scope = onLet ? onLet(expr, scope) : letScope(expr, scope)
      expr = expr.body
    } else if (expr.kind === 'apply' && VALUE_WRAPPERS.has(functionName(expr.fn))) {
      if (wrappers) properties = wrapped(properties, functionName(expr.fn), expr.args, wrappers.text)
      expr = expr.args[expr.args.length - 1]!
    } else return {expr, scope, properties}
  }
}

/** One wrapper's effect: the innermost priority and order win, as they are the ones the module system sees last. */
function wrapped(properties: Properties, name: string, args: Expr[], text: string): Properties {
  const number = (arg: Expr | undefined) => (arg ? Number(text.slice(arg.start, arg.end).trim()) : Number.NaN)
  if (name === 'mkIf') {
    const condition = args.length === 2 ? text.slice(args[0]!.start, args[0]!.end).trim().replace(/^\((.*)\)$/s, '$1').trim() : ''
    if (condition === 'true') return properties
    if (condition === 'false') return {...properties, off: true}
    return {...properties, conditions: [...properties.conditions, condition || 'a condition']}
  }
  if (name === 'mkOverride' && args.length === 2 && Number.isFinite(number(args[0]))) return {...properties, priority: number(args[0])}
  if (name === 'mkOrder' && args.length === 2 && Number.isFinite(number(args[0]))) return {...properties, order: number(args[0])}
  if (PRIORITY[name] !== undefined) return {...properties, priority: PRIORITY[name]!}
  if (ORDER[name] !== undefined) return {...properties, order: ORDER[name]!}
  return properties
}

/** `lib.mkMerge [ a b ]`: the merged values, else undefined. */
export function mergedValues(expr: Expr): Expr[] | undefined {
  if (expr.kind !== 'apply' || functionName(expr.fn) !== 'mkMerge' || expr.args.length !== 1) return undefined
  const list = expr.args[0]!.kind === 'paren' ? expr.args[0]!.inner : expr.args[0]!
  return list.kind === 'list' ? list.items : undefined
}

export function resolveString(expr: StringExpr, scope: Scope, text: string): ResolvedString {
  let value: string | undefined = ''
  let template = ''
  let interpolated = false
  for (const part of expr.parts) {
    if ('text' in part) {
      template += part.text
      if (value !== undefined) value += part.text
      continue
    }
    interpolated = true
    template += text.slice(part.start, part.end)
    const literal = part.expr.kind === 'ref' && part.expr.names.length === 1 ? scope.literal(part.expr.names[0]!) : undefined
    value = literal !== undefined && value !== undefined ? value + literal : undefined
  }
  return {value, interpolated, template}
}

function functionName(fn: Expr): string {
  return fn.kind === 'ref' ? fn.names[fn.names.length - 1]! : ''
}

function letScope(expr: LetExpr, parent: Scope): Scope {
  const names = new Map<string, string | undefined>()
  for (const name of expr.inherits) names.set(name, undefined)
  for (const binding of expr.bindings) {
    const first = binding.path[0]
    if (first?.kind !== 'name') continue
    names.set(first.name, binding.path.length === 1 ? literalString(binding.value) : undefined)
  }
  return new Scope(parent, names)
}

function literalString(expr: Expr): string | undefined {
  while (expr.kind === 'paren') expr = expr.inner
  if (expr.kind !== 'string') return undefined
  let value = ''
  for (const part of expr.parts) {
    if (!('text' in part)) return undefined
    value += part.text
  }
  return value
}

class Collector {
  readonly definitions: Definition[] = []
  readonly bindings = new Map<string, string>()

  constructor(private readonly text: string) {}

  walk(expr: Expr, prefix: PathSegment[], scope: Scope, properties: Properties): void {
    const inner = unwrap(expr, scope, (letExpr, parent) => this.enterLet(letExpr, parent), {text: this.text, properties})
    const value = inner.expr
    if (value.kind === 'attrs') {
      for (const binding of value.bindings) this.define(binding, prefix, inner.scope, inner.properties)
    } else if (value.kind === 'lambda') {
      this.walk(value.body, prefix, new Scope(inner.scope, new Map(value.params.map((name) => [name, undefined]))), inner.properties)
    } else if (value.kind === 'ops' && value.operators.every((operator) => operator === '//')) {
      for (const operand of value.operands) this.walk(operand, prefix, inner.scope, inner.properties)
    } else {
      for (const merged of mergedValues(value) ?? []) this.walk(merged, prefix, inner.scope, inner.properties)
    }
  }

  private enterLet(expr: LetExpr, parent: Scope): Scope {
    const scope = letScope(expr, parent)
    for (const binding of expr.bindings) {
      const first = binding.path[0]
      const literal = literalString(binding.value)
      if (first?.kind === 'name' && binding.path.length === 1 && literal !== undefined && !this.bindings.has(first.name)) {
        this.bindings.set(first.name, literal)
      }
    }
    return scope
  }

  private define(binding: Binding, prefix: PathSegment[], scope: Scope, properties: Properties): void {
    let segments = binding.path.map((segment) => this.segment(segment, scope))
    // A module's `config = { ... }` holds option definitions at the top.
    if (prefix.length === 0 && segments[0]?.name === 'config') segments = segments.slice(1)
    const path = [...prefix, ...segments]
    const inner = unwrap(binding.value, scope, (letExpr, parent) => this.enterLet(letExpr, parent), {text: this.text, properties})
    if (isContainer(inner.expr)) this.walk(inner.expr, path, inner.scope, inner.properties)
    // `mkIf false` is no definition at all, as NixOS sees it.
    else if (!inner.properties.off) this.definitions.push({path, value: inner.expr, scope: inner.scope, start: binding.start, properties: inner.properties})
  }

  private segment(segment: KeySegment, scope: Scope): PathSegment {
    if (segment.kind === 'name') return {name: segment.name, raw: segment.name}
    if (segment.kind === 'string') {
      const resolved = resolveString(segment.expr, scope, this.text)
      return {name: resolved.value, raw: resolved.template}
    }
    const raw = this.text.slice(segment.start, segment.end)
    const expr = segment.expr
    if (expr.kind === 'ref' && expr.names.length === 1) return {name: scope.literal(expr.names[0]!), raw}
    if (expr.kind === 'string') return {name: resolveString(expr, scope, this.text).value, raw}
    return {raw}
  }
}

/** A value holding further option definitions rather than being one. */
function isContainer(expr: Expr): boolean {
  if (expr.kind === 'attrs') return true
  if (expr.kind === 'ops') return expr.operators.every((operator) => operator === '//')
  const merged = mergedValues(expr)
  return merged !== undefined && merged.length > 0 && merged.every((item) => isContainer(unwrap(item, Scope.empty).expr))
}
