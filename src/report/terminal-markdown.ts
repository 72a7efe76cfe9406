import {makeStyle} from './style.js'

/** Markdown for a terminal: headings bold, code blocks indented, **strong** and `code` styled. */
export function renderMarkdownForTerminal(markdown: string, color: boolean): string {
  const s = makeStyle(color)
  const out: string[] = []
  let inCode = false
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) {
      inCode = !inCode
      continue
    }
    if (inCode) {
      out.push(s.cyan(`    ${line}`))
      continue
    }
    const heading = /^(#{1,6})\s+(.*)/.exec(line)
    if (heading) {
      out.push(heading[1]!.length <= 1 ? s.bold(heading[2]!.toUpperCase()) : s.bold(heading[2]!))
      continue
    }
    out.push(line.replace(/\*\*([^*]+)\*\*/g, (_, t: string) => s.bold(t)).replace(/`([^`]+)`/g, (_, t: string) => s.cyan(t)))
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n') + '\n'
}
