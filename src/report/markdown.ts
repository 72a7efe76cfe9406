import {renderForum, type ForumInput, type Markup} from './forum.js'
import {unwrapParagraphs} from './prose.js'
import {renderGuestGroupMermaid} from './topology/mermaid.js'

/** GitHub's limit for an issue or comment body, in characters. */
export const MARKDOWN_LIMIT = 65_536

/** GitHub / Discourse / Reddit: CommonMark with <details> folds. */
export const markdownMarkup: Markup = {
  heading: (level, text) => `${'#'.repeat(level)} ${text}`,
  bold: (text) => `**${text}**`,
  code: (text) => {
    const ticks = '`'.repeat(longestRun(text, '`') + 1)
    return ticks.length > 1 || text.startsWith(' ') || text.endsWith(' ') ? `${ticks} ${text} ${ticks}` : `${ticks}${text}${ticks}`
  },
  codeBlock: (text, language = '') => {
    const fence = '`'.repeat(Math.max(3, longestRun(text, '`') + 1))
    return `${fence}${language}\n${text}\n${fence}`
  },
  fold: (summary, body) => `<details><summary>${html(summary)}</summary>\n\n${body}\n\n</details>`,
  list: (items) => items.map((i) => `- ${i}`).join('\n'),
  table: (rows) => {
    const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\n/g, ' ')).join(' | ')} |`
    return [line(rows[0]!), line(rows[0]!.map(() => '---')), ...rows.slice(1).map(line)].join('\n')
  },
  small: (text) => `<sub>${text}</sub>`,
  escape: (text) =>
    text
      .replace(/[\\*_[\]<>|]/g, '\\$&')
      .replace(/^([#+-])(?=\s)/, '\\$1')
      .replace(/^(\d+)\.(?=\s)/, '$1\\.'),
  fromMarkdown: unwrapParagraphs,
  marks: {
    severity: {error: '❌', warning: '⚠️', info: 'ℹ️'},
    status: {passed: '✅', failed: '❌', warned: '⚠️', skipped: '⏭️', crashed: '💥'},
  },
  // Folded, so it never stands between the reader and the findings.
  topology: (topology) => {
    const diagram = renderGuestGroupMermaid(topology)
    return diagram ? markdownMarkup.fold("The guest GPU's IOMMU group and its neighbours (diagram)", markdownMarkup.codeBlock(diagram, 'mermaid')) : ''
  },
}

export function renderMarkdown(input: ForumInput): string {
  // The size estimate before the raw sources is close, not exact: tighten until it fits.
  let sourceBudget = MARKDOWN_LIMIT
  for (;;) {
    const out = renderForum(input, markdownMarkup, {limit: MARKDOWN_LIMIT - 500, sourceBudget, command: 'vfio-doctor check --format markdown'})
    if (out.length <= MARKDOWN_LIMIT || sourceBudget === 0) return out
    sourceBudget = Math.max(0, Math.min(sourceBudget, MARKDOWN_LIMIT) - (out.length - MARKDOWN_LIMIT) - 1000)
  }
}

function longestRun(text: string, char: string): number {
  let longest = 0
  let run = 0
  for (const c of text) {
    run = c === char ? run + 1 : 0
    longest = Math.max(longest, run)
  }
  return longest
}

function html(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}
