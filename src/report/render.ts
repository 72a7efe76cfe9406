import type {Facts} from '../facts/types.js'
import type {SourceSet} from '../sources/types.js'
import type {ForumInput} from './forum.js'
import type {FailOn, Report} from './model.js'
import {printable, printableText} from './printable.js'
import {DEFAULT_WIDTH} from '../util/terminal-width.js'

export const FORMATS = ['text', 'json', 'markdown', 'bbcode', 'junit', 'html'] as const
export type Format = (typeof FORMATS)[number]


export interface RenderOptions {
  format: Format
  set: SourceSet
  facts: Facts
  failOn: FailOn
  /** Text only. */
  color?: boolean
  verbose?: boolean
  /** Columns; DEFAULT_WIDTH when not given. */
  width?: number
  /**
   * Default true: every output can leave the machine (pasted, attached, kept in CI logs). `check`
   * turns it off for the text report a person reads on their own terminal, and for --no-redact.
   */
  redact?: boolean
}

/** One place that turns a report into any format; each renderer loads only when asked for. */
export async function renderReport(report: Report, options: RenderOptions): Promise<string> {
  // JSON escapes control characters itself and JUnit replaces them; the others are read in a terminal.
  if (options.format !== 'json' && options.format !== 'junit') {
    report = printable(report)
    options = {...options, set: {...options.set, sources: printable(options.set.sources)}}
  }
  const redact = options.redact ?? true
  switch (options.format) {
    case 'json':
      return (await import('./json.js')).renderJson(redact ? await redactedReport(report, options.set) : report)
    case 'junit':
      return (await import('./junit.js')).renderJunit(redact ? await redactedReport(report, options.set) : report, options.failOn)
    case 'markdown':
      return (await import('./markdown.js')).renderMarkdown(await forumInput(report, options.set, options.facts, redact))
    case 'bbcode':
      return (await import('./bbcode.js')).renderBbcode(await forumInput(report, options.set, options.facts, redact))
    case 'html':
      return (await import('./html.js')).renderHtml(await forumInput(report, options.set, options.facts, redact))
    default: {
      const [{renderText}, {summarizeFacts}] = await Promise.all([import('./text.js'), import('./facts-summary.js')])
      const textOptions = {color: options.color ?? false, verbose: options.verbose ?? false, width: options.width ?? DEFAULT_WIDTH}
      const facts = options.verbose ? printable(summarizeFacts(options.facts)) : []
      if (!redact) return renderText(report, textOptions, facts)
      const {redactorForReport, redactReport} = await import('../redact/index.js')
      const redactor = redactorForReport(report, options.set)
      const text = renderText(redactReport(report, redactor), textOptions, facts.map((f) => ({label: f.label, value: redactor.redact(f.value)})))
      const what = redactor.describe()
      return what === 'nothing' ? text : `${text}(redacted: ${what}; --no-redact keeps them)\n`
    }
  }
}

async function redactedReport(report: Report, set: SourceSet): Promise<Report> {
  const {redactorForReport, redactReport} = await import('../redact/index.js')
  return redactReport(report, redactorForReport(report, set))
}

/** What a forum post is made of, redacted with one set of pseudonyms when asked. */
export async function forumInput(report: Report, set: SourceSet, facts: Facts, redact: boolean): Promise<ForumInput> {
  const [{summarizeFacts}, {buildTopology, mapTopologyText}] = await Promise.all([import('./facts-summary.js'), import('./topology/model.js')])
  const factLines = printable(summarizeFacts(facts))
  const topology = mapTopologyText(buildTopology(facts, report.findings), printableText)
  if (!redact) return {report, sources: set.sources, facts: factLines, topology}
  const {redactorFor, redactReport, redactSourceSet} = await import('../redact/index.js')
  const redactor = redactorFor(set)
  const sources = redactSourceSet(set, redactor).sources
  const redacted = redactReport(report, redactor)
  const lines = factLines.map((f) => ({label: f.label, value: redactor.redact(f.value)}))
  return {report: redacted, sources, facts: lines, topology: mapTopologyText(topology, (text) => redactor.redact(text)), redacted: redactor.describe()}
}

/** The redacted Markdown report that --share uploads, and what its redaction replaced. */
export async function renderShareable(report: Report, set: SourceSet, facts: Facts): Promise<{markdown: string; redacted: string}> {
  const input = await forumInput(printable(report), {...set, sources: printable(set.sources)}, facts, true)
  return {markdown: (await import('./markdown.js')).renderMarkdown(input), redacted: input.redacted ?? 'nothing'}
}
