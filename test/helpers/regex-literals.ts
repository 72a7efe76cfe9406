/** Every regular expression literal in the project's source, found by the TypeScript parser. */
import {readdirSync, readFileSync} from 'node:fs'
import {join, relative} from 'node:path'
import ts from 'typescript'

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
