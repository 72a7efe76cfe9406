/**
 * One self-contained HTML file to attach where a forum takes files: the forum report (findings,
 * evidence, fixes, checks by area, host facts, the evidence read) in HTML, with the topology picture
 * inline. No script, no external asset: styles are inline, the picture is SVG in the page, and
 * folded parts are <details>, which print open in browsers that allow it. Written as well-formed
 * XML (polyglot HTML) so that an XML parser can check it.
 */
import MarkdownIt from 'markdown-it'
import {renderForum, type ForumInput, type Markup} from './forum.js'
import {unwrapParagraphs} from './prose.js'
import {renderTopologySvg} from './topology/svg.js'
import {xmlAttr, xmlClean, xmlText} from './xml-text.js'

/** Characters the evidence may take: an attachment, not a post, yet a 50 MB log stays excerpted. */
const HTML_LIMIT = 2_000_000

// Raw HTML in a page's Markdown is shown as text (html: false): fixes carry the host's values.
const markdown = new MarkdownIt({html: false, xhtmlOut: true, linkify: false, typographer: false})

const severityMark = (word: string, cls: string) => `<span class="mark ${cls}">${word}</span>`

export const htmlMarkup: Markup = {
  heading: (level, text) => `<h${level}>${text}</h${level}>`,
  bold: (text) => `<strong>${text}</strong>`,
  code: (text) => `<code>${xmlText(text)}</code>`,
  codeBlock: (text, language) => `<pre><code${language ? ` class="language-${xmlAttr(language)}"` : ''}>${xmlText(text)}</code></pre>`,
  fold: (summary, body) => `<details><summary>${xmlText(summary)}</summary>\n${body}\n</details>`,
  list: (items) => `<ul>\n${items.map((i) => `<li>${i}</li>`).join('\n')}\n</ul>`,
  table: (rows) => {
    const [head, ...body] = rows
    const row = (cells: string[], tag: 'th' | 'td') => `<tr>${cells.map((c) => `<${tag}>${c}</${tag}>`).join('')}</tr>`
    return `<table>\n<thead>${row(head!, 'th')}</thead>\n<tbody>\n${body.map((r) => row(r, 'td')).join('\n')}\n</tbody>\n</table>`
  },
  small: (text) => `<p class="foot"><small>${text}</small></p>`,
  escape: xmlText,
  paragraph: (text) => `<p>${text}</p>`,
  fromMarkdown: (text) => `<div class="fix">${xmlClean(markdown.render(unwrapParagraphs(text)))}</div>`,
  marks: {
    severity: {error: severityMark('ERROR', 'error'), warning: severityMark('WARN', 'warning'), info: severityMark('INFO', 'info')},
    status: {
      passed: severityMark('PASS', 'passed'),
      failed: severityMark('FAIL', 'error'),
      warned: severityMark('WARN', 'warning'),
      skipped: severityMark('SKIP', 'skipped'),
      crashed: severityMark('CRASH', 'error'),
    },
  },
  topology: (topology) =>
    `<figure class="topology">\n${renderTopologySvg(topology)}<figcaption>PCI topology and IOMMU groups: each box is an IOMMU group, which goes to a VM whole or not at all; colour and shape give the driver.</figcaption>\n</figure>`,
}

const STYLE = `
:root { color-scheme: light; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1a1a1a; background: #ffffff; margin: 0; }
main { max-width: 1200px; margin: 0 auto; padding: 24px; }
h1 { font-size: 1.5em; margin: 0 0 8px; }
h2 { font-size: 1.25em; margin: 32px 0 8px; border-bottom: 1px solid #dddddd; }
h3 { font-size: 1.05em; margin: 28px 0 4px; }
code, pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 13px; }
code { background: #f3f3f3; padding: 0 3px; border-radius: 3px; }
pre { background: #f6f8fa; border: 1px solid #e1e4e8; padding: 8px 10px; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
pre code { background: none; padding: 0; }
details { margin: 6px 0; }
summary { cursor: pointer; color: #0b4f9c; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { border: 1px solid #dddddd; padding: 4px 6px; text-align: left; vertical-align: top; }
.mark { display: inline-block; font-size: 12px; font-weight: bold; padding: 0 6px; border-radius: 8px; color: #ffffff; background: #555555; }
.mark.error { background: #b71c1c; }
.mark.warning { background: #8a5a00; }
.mark.info, .mark.skipped { background: #546e7a; }
.mark.passed { background: #2e7d32; }
figure.topology { margin: 16px 0; overflow-x: auto; }
figure.topology svg { display: block; max-width: none; height: auto; }
figcaption { font-size: 13px; color: #555555; }
.foot { color: #555555; margin-top: 32px; }
@media print {
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  details > summary { list-style: none; color: #1a1a1a; font-weight: bold; }
  details::details-content { content-visibility: visible; display: block; }
  figure.topology { overflow: visible; }
  figure.topology svg { max-width: 100%; }
  h3, pre, figure { break-inside: avoid; }
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
`

export function renderHtml(input: ForumInput): string {
  const body = renderForum(input, htmlMarkup, {limit: HTML_LIMIT, command: 'vfio-doctor check --format html', topologyFirst: true})
  const title = /<h1>([^<]*)<\/h1>/.exec(body)?.[1] ?? 'vfio-doctor report'
  return [
    '<!DOCTYPE html>',
    '<html xmlns="http://www.w3.org/1999/xhtml" lang="en">',
    '<head>',
    '<meta charset="utf-8"/>',
    '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
    `<title>${title}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    body.trimEnd(),
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n')
}
