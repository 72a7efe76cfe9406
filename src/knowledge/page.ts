import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {packageRoot} from '../util/package-root.js'
import {parseYamlText, readBuilt, readDataFile} from './data-file.js'

/**
 * A knowledge page: knowledge/<id>.md, YAML front matter + Markdown body. The body's sections
 * "## Fix on NixOS" and "## Fix on other distributions" hold the fix, with {{placeholders}} that a
 * check fills with this host's values.
 */
export interface KnowledgePage {
  id: string
  title: string
  severity: 'error' | 'warning' | 'info'
  symptoms: string[]
  signals: string[]
  applies: string
  sources: string[]
  body: string
  /** Body sections by heading (without "## "). */
  sections: Map<string, string>
}

export const FIX_SECTIONS = {nixos: 'Fix on NixOS', other: 'Fix on other distributions'} as const

export function knowledgeDir(): string {
  return join(packageRoot(), 'knowledge')
}

export function knowledgeIds(): string[] {
  return readdirSync(knowledgeDir())
    .filter((f) => f.endsWith('.md') && f !== 'README.md')
    .map((f) => f.slice(0, -3))
    .sort()
}

const cache = new Map<string, KnowledgePage>()

export function loadPage(id: string): KnowledgePage | undefined {
  if (!/^[a-z0-9-]+$/.test(id)) return undefined
  const cached = cache.get(id)
  if (cached) return cached
  let text: string
  try {
    text = readPageText(id)
  } catch {
    return undefined
  }
  const page = toPage(id, frontMatterById()[id] ?? {}, splitPage(text).body)
  cache.set(id, page)
  return page
}

function readPageText(id: string): string {
  return readFileSync(join(knowledgeDir(), `${id}.md`), 'utf8')
}

/** A page's front matter as written: YAML, parsed to keys and values. */
export type FrontMatter = Record<string, unknown>

/** Where the build writes every page's front matter by id, relative to the package root. */
export const FRONT_MATTER_COMPILED = 'dist/bundle/front-matter.json'

let frontMatters: Record<string, FrontMatter> | undefined

/**
 * Every page's front matter by id. The build compiles it into one JSON file, so a run of the built
 * tool loads no YAML parser; from source (tests) the pages themselves are read.
 */
export function frontMatterById(): Record<string, FrontMatter> {
  frontMatters ??= readBuilt(FRONT_MATTER_COMPILED, () => Object.fromEntries(knowledgeIds().map((id) => [id, parseFrontMatter(id, readPageText(id))])))
  return frontMatters
}

/** The YAML between the page's `---` lines. Front matter that is not a YAML mapping is a bug in the knowledge base, so it throws. */
export function parseFrontMatter(id: string, text: string): FrontMatter {
  const {frontMatter} = splitPage(text)
  let front: unknown
  try {
    // With its opening "---" (YAML's own document start), so an error's line is the file's.
    front = parseYamlText(`---\n${frontMatter}`)
  } catch (err) {
    throw new Error(`knowledge/${id}.md: the front matter is not valid YAML: ${(err as Error).message}`)
  }
  if (front === null) return {}
  if (typeof front !== 'object' || Array.isArray(front)) throw new Error(`knowledge/${id}.md: the front matter is not a mapping of keys to values`)
  return front as FrontMatter
}

function splitPage(text: string): {frontMatter: string; body: string} {
  const m = /^---\n([\s\S]*?)\n---\n?([\s\S]*)$/.exec(text.replace(/\r\n/g, '\n'))
  return m ? {frontMatter: m[1]!, body: m[2]!.trim()} : {frontMatter: '', body: text.trim()}
}

/** A page's severity as its front matter gives it: error unless it names another. */
export function severityOf(front: FrontMatter | undefined): KnowledgePage['severity'] {
  return (['error', 'warning', 'info'].includes(String(front?.severity)) ? front!.severity : 'error') as KnowledgePage['severity']
}

/** A page's title and severity as its front matter gives them, for readers that need no more of it. */
export function headingOf(id: string, front: FrontMatter): Pick<KnowledgePage, 'title' | 'severity'> {
  return {title: String(front.title ?? id), severity: severityOf(front)}
}

function toPage(id: string, front: FrontMatter, body: string): KnowledgePage {
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)])
  return {
    id: String(front.id ?? id),
    ...headingOf(id, front),
    symptoms: list(front.symptoms),
    signals: list(front.signals),
    applies: String(front.applies ?? ''),
    sources: list(front.sources),
    body,
    sections: sectionsOf(body),
  }
}

function sectionsOf(body: string): Map<string, string> {
  const sections = new Map<string, string>()
  const parts = body.split(/^## /m)
  for (const part of parts.slice(1)) {
    const nl = part.indexOf('\n')
    const heading = (nl < 0 ? part : part.slice(0, nl)).trim()
    sections.set(heading, nl < 0 ? '' : part.slice(nl + 1).trim())
  }
  return sections
}

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g

/** Fills {{name}} placeholders; one without a value stays visible as <name>. */
export function fillPlaceholders(text: string, values: Record<string, string> = {}): string {
  return text.replace(PLACEHOLDER, (_, name: string) => values[name] ?? `<${name}>`)
}

export const PLACEHOLDERS_FILE = 'knowledge/placeholders.yaml'

/** What each placeholder stands for, in words. */
export const placeholderWords = (): Record<string, string> => readDataFile<Record<string, string>>(PLACEHOLDERS_FILE)

/** Every {{name}} as words in angle brackets, for a page read without a host: <your VM's name>. */
export function describePlaceholders(text: string): string {
  const words = placeholderWords()
  return text.replace(PLACEHOLDER, (_, name: string) => `<${words[name] ?? name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}>`)
}

export const SEED_DOCUMENTS_FILE = 'knowledge/seed-documents.yaml'

/** The documents pages cite by their seed file name, by that name. */
export const seedDocuments = (): Record<string, {title: string; where: string}> => readDataFile<Record<string, {title: string; where: string}>>(SEED_DOCUMENTS_FILE)

/**
 * A page's citations as a reader can follow them: "seeds/000_….txt" becomes the document's title
 * and address, "seed 000" its title. The seed files themselves are not shipped.
 */
export function citeForReaders(text: string): string {
  const documents = Object.entries(seedDocuments())
  const byNumber = (n: string) => documents.find(([file]) => file.startsWith(`${n}_`))?.[1]
  return text
    .replace(/\bseeds\/(\d{3})_[0-9a-f]{16}\.txt/g, (cited, n: string) => {
      const doc = byNumber(n)
      return doc ? `"${doc.title}" (${doc.where})` : cited
    })
    .replace(/\bseed (\d{3})\b/gi, (cited, n: string) => {
      const doc = byNumber(n)
      return doc ? `"${doc.title}"` : cited
    })
}

/** The fix for a finding, from its page, filled with the host's values. */
export function fixFor(id: string, values?: Record<string, string>): {nixos?: string; other?: string} {
  const page = loadPage(id)
  if (!page) return {}
  const fix: {nixos?: string; other?: string} = {}
  const nixos = page.sections.get(FIX_SECTIONS.nixos)
  const other = page.sections.get(FIX_SECTIONS.other)
  if (nixos) fix.nixos = citeForReaders(fillPlaceholders(nixos, values))
  if (other) fix.other = citeForReaders(fillPlaceholders(other, values))
  return fix
}
