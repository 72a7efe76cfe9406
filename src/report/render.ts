import type {Facts} from '../facts/types.js'
import type {SourceSet} from '../sources/types.js'
import type {ForumInput} from './forum.js'
import type {FailOn, Report} from './model.js'
import {LIVE_HOST_NAME, type HostReport} from './hosts.js'
import {ciPath} from './locations.js'
import {printable, printableSource, printableText} from './printable.js'
import {DEFAULT_WIDTH} from '../util/terminal-width.js'

export const FORMATS = ['text', 'json', 'markdown', 'bbcode', 'junit', 'html', 'sarif', 'github', 'codequality'] as const
export type Format = (typeof FORMATS)[number]

/** The formats CI reads: one document for every host of the run, rendered from the reports alone. */
const CI_FORMATS = new Set<Format>(['sarif', 'github', 'codequality'])

/** One host of a run with what its report was made from (redaction learns from the sources). */
export interface HostRun extends HostReport {
  set: SourceSet
  facts: Facts
}


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

/**
 * A run of one host or several: one host renders as it always has; several give each host its
 * section in text, Markdown and BBCode, its own report in JSON (`hosts[]`), its testsuite in JUnit
 * and its run in SARIF. Every host is redacted with its own pseudonyms.
 */
export async function renderRun(hosts: HostRun[], options: Omit<RenderOptions, 'set' | 'facts'>): Promise<string> {
  const redact = options.redact ?? true
  if (CI_FORMATS.has(options.format) || (hosts.length > 1 && (options.format === 'json' || options.format === 'junit'))) {
    const named = await Promise.all(hosts.map((h) => (redact ? redactedHost(h) : {...h, sourceText: sourceTexts(h.set, (o) => o)})))
    // JSON escapes control characters itself and JUnit replaces them; annotations go to a CI log as they are.
    const reports = CI_FORMATS.has(options.format) ? named.map((h) => ({...h, name: printable(h.name), root: printable(h.root), report: printable(h.report)})) : named
    switch (options.format) {
      case 'sarif':
        return (await import('./sarif.js')).renderSarif(reports)
      case 'github':
        return (await import('./github.js')).renderGithub(reports)
      case 'codequality':
        return (await import('./codequality.js')).renderCodequality(reports)
      case 'junit':
        return (await import('./junit.js')).renderJunitHosts(reports, options.failOn)
      default:
        return (await import('./json.js')).renderJsonHosts(reports)
    }
  }
  if (hosts.length === 1) return renderReport(hosts[0]!.report, {...options, set: hosts[0]!.set, facts: hosts[0]!.facts})
  const sections = await Promise.all(
    hosts.map(async (h) => {
      const name = redact ? (await redactedHost(h)).name : h.name
      return {name, body: await renderReport(h.report, {...options, set: h.set, facts: h.facts})}
    }),
  )
  const {hostSections} = await import('./host-sections.js')
  return hostSections(options.format, sections, hosts.map((h) => h.report))
}

/** A host's report, name and folder with the names its evidence gives away replaced. */
async function redactedHost(host: HostRun): Promise<HostReport> {
  const {redactorForReport, redactReport} = await import('../redact/index.js')
  const redactor = redactorForReport(host.report, host.set)
  const origin = (o: string) => redactor.redact(o)
  return {name: redactor.redact(host.name), root: redactor.redact(host.root), report: redactReport(host.report, redactor), sourceText: sourceTexts(host.set, origin)}
}

/**
 * A run's source texts by origin as the report names it (redacted, made printable or not: neither
 * moves a line), read by locations only for domain XML quoted without a line.
 */
function sourceTexts(set: SourceSet, named: (origin: string) => string): HostReport['sourceText'] {
  const byOrigin = new Map<string, Array<{text: string; firstLine: number}>>()
  for (const s of set.sources) {
    if (s.kind !== 'domainXml' || s.text === undefined) continue
    const key = printable(named(s.origin))
    byOrigin.set(key, [...(byOrigin.get(key) ?? []), {text: s.text, firstLine: s.recognised?.from ?? 1}])
  }
  return (origin) => byOrigin.get(origin) ?? []
}

/** One place that turns a report into any format; each renderer loads only when asked for. */
export async function renderReport(report: Report, options: RenderOptions): Promise<string> {
  if (CI_FORMATS.has(options.format)) {
    const {set, facts} = options
    const name = set.mode === 'live' ? LIVE_HOST_NAME : ciPath({name: '', root: set.root, report}, '.')
    return renderRun([{name, root: set.root, set, facts, report}], options)
  }
  // JSON escapes control characters itself and JUnit replaces them; the others are read in a terminal.
  if (options.format !== 'json' && options.format !== 'junit') {
    report = printable(report)
    options = {...options, set: {...options.set, sources: options.set.sources.map(printableSource)}}
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
  const quoted = report.findings.flatMap((f) => f.evidence)
  if (!redact) return {report, sources: set.sources, quoted, facts: factLines, topology}
  // Names are learnt from every source; a source's text is redacted only where a post shows it.
  const {redactorFor, redactReport, redactSourceLabels} = await import('../redact/index.js')
  const redactor = redactorFor(set)
  const sources = set.sources.map((s) => redactSourceLabels(s, redactor))
  const redacted = redactReport(report, redactor)
  const lines = factLines.map((f) => ({label: f.label, value: redactor.redact(f.value)}))
  const show = (text: string) => redactor.redact(text)
  return {report: redacted, sources, show, quoted, facts: lines, topology: mapTopologyText(topology, show), redacted: () => redactor.describe()}
}

/** The redacted Markdown report that --share uploads, and what its redaction replaced. */
export async function renderShareable(report: Report, set: SourceSet, facts: Facts): Promise<{markdown: string; redacted: string}> {
  const input = await forumInput(printable(report), {...set, sources: set.sources.map(printableSource)}, facts, true)
  return {markdown: (await import('./markdown.js')).renderMarkdown(input), redacted: input.redacted?.() ?? 'nothing'}
}
