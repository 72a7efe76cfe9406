import {renderForum, type ForumInput, type Markup} from './forum.js'
import {unwrapParagraphs} from './prose.js'

/** FluxBB (the Arch Linux forums) refuses posts over 65,535 bytes; raw logs belong in a paste. */
const BBCODE_LIMIT = 60_000
const BBCODE_SOURCES = 20_000

/** FluxBB BBCode as the Arch Linux forums read it: [b], [color], [list], [code]; no tables, no folds. */
export const bbcodeMarkup: Markup = {
  heading: (_level, text) => `[b]${text}[/b]`,
  bold: (text) => `[b]${text}[/b]`,
  code: (text) => `\`${text}\``,
  codeBlock: (text) => `[code]${text.replace(/\[\/code\]/gi, '[/ code]')}[/code]`,
  fold: (summary, body) => `${summary}:\n${body}`,
  list: (items) => `[list]\n${items.map((i) => `[*]${i}[/*]`).join('\n')}\n[/list]`,
  table: (rows) => `[list]\n${rows.slice(1).map(([mark, area, check, result]) => `[*]${mark} [b]${check}[/b] (${area}): ${result}[/*]`).join('\n')}\n[/list]`,
  small: (text) => `[i]${text}[/i]`,
  escape: (text) => text,
  fromMarkdown: markdownToBbcode,
  // Words, not emoji (the forum's database may not take them), in virt-host-validate's terms.
  marks: {
    severity: {error: '[color=#cc0000]ERROR[/color]', warning: '[color=#cc6600]WARN[/color]', info: 'INFO'},
    status: {
      passed: '[color=#008000]PASS[/color]',
      failed: '[color=#cc0000]FAIL[/color]',
      warned: '[color=#cc6600]WARN[/color]',
      skipped: 'SKIP',
      crashed: '[color=#cc0000]CRASH[/color]',
    },
  },
}

export function renderBbcode(input: ForumInput): string {
  let sourceBudget = BBCODE_SOURCES
  for (;;) {
    const out = renderForum(input, bbcodeMarkup, {limit: BBCODE_LIMIT, sourceBudget, command: 'vfio-doctor check --format bbcode'})
    if (Buffer.byteLength(out) <= BBCODE_LIMIT || sourceBudget === 0) return out
    sourceBudget = Math.max(0, sourceBudget - (Buffer.byteLength(out) - BBCODE_LIMIT) - 1000)
  }
}

/** The Markdown our knowledge pages use: fences, headings, lists, **bold**, [links](url). */
export function markdownToBbcode(markdown: string): string {
  const out: string[] = []
  let code: string[] | undefined
  let list: string[] | undefined
  const flushList = () => {
    if (list) out.push(`[list]\n${list.map((i) => `[*]${i}[/*]`).join('\n')}\n[/list]`)
    list = undefined
  }
  for (const line of unwrapParagraphs(markdown).split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) {
      if (code) {
        out.push(`[code]${code.join('\n').replace(/\[\/code\]/gi, '[/ code]')}[/code]`)
        code = undefined
      } else {
        flushList()
        code = []
      }
      continue
    }
    if (code) {
      code.push(line)
      continue
    }
    const item = /^\s*(?:[-*+]|\d+\.)\s+(.*)/.exec(line)
    if (item) {
      ;(list ??= []).push(inline(item[1]!))
      continue
    }
    flushList()
    const heading = /^#{1,6}\s+(.*)/.exec(line)
    out.push(heading ? `[b]${inline(heading[1]!)}[/b]` : inline(line))
  }
  if (code) out.push(`[code]${code.join('\n')}[/code]`)
  flushList()
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trim()
}

function inline(text: string): string {
  return text
    .replace(/\*\*([^*]+)\*\*/g, '[b]$1[/b]')
    .replace(/\[([^\][]+)\]\((https?:\/\/[^()\s]+)\)/g, '[url=$2]$1[/url]')
}
