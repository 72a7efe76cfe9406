/** Every regular expression of the project: literals in its source, found by the TypeScript parser, and the knowledge base's. */
import {readdirSync, readFileSync} from 'node:fs'
import {join, relative} from 'node:path'
import ts from 'typescript'
import {knownMessages} from '../../src/knowledge/messages.js'
import {SIGNALS_FILE as FREE_LOG_FILE, signalEntries as freeLogEntries} from '../../src/parse/free-log.js'
import {RULES, SIGNALS_FILE as KERNEL_LOG_FILE} from '../../src/parse/kernel-log/rules.js'

export interface RegexLiteral {
  /** file:line, from the project root */
  at: string
  source: string
  flags: string
}

export function regexLiterals(root: string, dir = 'src'): RegexLiteral[] {
  const found: RegexLiteral[] = []
  for (const file of readdirSync(join(root, dir), {recursive: true, encoding: 'utf8'})) {
    if (!file.endsWith('.ts')) continue
    const path = join(root, dir, file)
    const sf = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true)
    const visit = (node: ts.Node): void => {
      if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
        const text = node.getText(sf)
        const end = text.lastIndexOf('/')
        const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1
        found.push({at: `${relative(root, path)}:${line}`, source: text.slice(1, end), flags: text.slice(end + 1)})
      }
      ts.forEachChild(node, visit)
    }
    visit(sf)
  }
  return found
}

/** The source's literals, the known messages, and the patterns of both signal files. */
export function everyPattern(root: string): RegexLiteral[] {
  const freeLog = freeLogEntries().flatMap((e, i) =>
    [e.pattern, ...(e.optional ?? []), e.unless].filter((p): p is string => p !== undefined).map((source) => ({at: `${FREE_LOG_FILE} entry ${i + 1}`, source, flags: e.flags ?? 'i'})),
  )
  return [
    ...regexLiterals(root),
    ...knownMessages().map((m) => ({at: `knowledge/${m.id}.messages.yaml`, source: m.pattern.source, flags: m.pattern.flags})),
    ...RULES.map((r) => ({at: `${KERNEL_LOG_FILE} ${r.kind}`, source: r.pattern.source, flags: r.pattern.flags})),
    ...freeLog,
  ]
}
