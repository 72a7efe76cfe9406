/**
 * The part of JSON Schema (2020-12) that schema/report.schema.json uses, enough to validate our
 * own output without a dependency. A keyword it does not know is an error, so the schema cannot
 * grow a rule this validator silently ignores.
 */
type Schema = Record<string, unknown>

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', '$defs'])
const KNOWN = new Set([...ANNOTATIONS, 'type', 'const', 'enum', 'required', 'properties', 'additionalProperties', 'items', 'minimum', 'pattern', '$ref'])

export function validate(root: Schema, value: unknown): string[] {
  const errors: string[] = []
  const check = (schema: Schema, v: unknown, path: string): void => {
    for (const key of Object.keys(schema)) if (!KNOWN.has(key)) throw new Error(`unsupported keyword ${key} at ${path}`)
    if (typeof schema.$ref === 'string') {
      const target = schema.$ref.replace(/^#\//, '').split('/').reduce<unknown>((s, k) => (s as Schema)[k], root)
      if (!target) throw new Error(`unresolved $ref ${schema.$ref}`)
      check(target as Schema, v, path)
    }
    if (schema.type !== undefined) {
      const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string]
      if (!types.some((t) => typeOk(t, v))) errors.push(`${path}: expected ${types.join(' or ')}, got ${JSON.stringify(v)?.slice(0, 60)}`)
    }
    if ('const' in schema && v !== schema.const) errors.push(`${path}: expected ${JSON.stringify(schema.const)}`)
    if (schema.enum && !(schema.enum as unknown[]).includes(v)) errors.push(`${path}: ${JSON.stringify(v)} is not one of ${JSON.stringify(schema.enum)}`)
    if (typeof schema.minimum === 'number' && typeof v === 'number' && v < schema.minimum) errors.push(`${path}: ${v} < ${schema.minimum}`)
    if (typeof schema.pattern === 'string' && typeof v === 'string' && !new RegExp(schema.pattern, 'u').test(v)) errors.push(`${path}: ${JSON.stringify(v)} does not match ${schema.pattern}`)
    if (isObject(v)) {
      const props = (schema.properties ?? {}) as Record<string, Schema>
      for (const r of (schema.required ?? []) as string[]) if (!(r in v)) errors.push(`${path}: missing ${r}`)
      for (const [k, child] of Object.entries(v)) {
        if (props[k]) check(props[k], child, `${path}.${k}`)
        else if (schema.additionalProperties === false) errors.push(`${path}: unexpected property ${k}`)
      }
    }
    if (Array.isArray(v) && schema.items) v.forEach((item, i) => check(schema.items as Schema, item, `${path}[${i}]`))
  }
  check(root, value, '$')
  return errors
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function typeOk(type: string, v: unknown): boolean {
  switch (type) {
    case 'object':
      return isObject(v)
    case 'array':
      return Array.isArray(v)
    case 'integer':
      return Number.isInteger(v)
    case 'null':
      return v === null
    default:
      return typeof v === type
  }
}
