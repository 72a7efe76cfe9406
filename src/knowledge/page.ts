import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {packageRoot} from '../util/package-root.js'
import {readDataFile} from './data-file.js'

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
    text = readFileSync(join(knowledgeDir(), `${id}.md`), 'utf8')
  } catch {
    return undefined
  }
  const page = parsePage(id, text)
  cache.set(id, page)
  return page
}

export function parsePage(id: string, text: string): KnowledgePage {
  const m = /^---\n([\s\S]*?)\n---\n?([\s\S]*)$/.exec(text.replace(/\r\n/g, '\n'))
  const front = m ? parseFrontMatter(m[1]!) : {}
  const body = (m ? m[2]! : text).trim()
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)])
  return {
    id: String(front.id ?? id),
    title: String(front.title ?? id),
    severity: (['error', 'warning', 'info'].includes(String(front.severity)) ? front.severity : 'error') as KnowledgePage['severity'],
    symptoms: list(front.symptoms),
    signals: list(front.signals),
    applies: String(front.applies ?? ''),
    sources: list(front.sources),
    body,
    sections: sectionsOf(body),
  }
}

/**
 * The small YAML subset our pages use: `key: value` and `key:` followed by `- item` lines.
 * (No YAML library at start-up: explain and check stay fast.)
 */
function parseFrontMatter(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  let listKey: string | undefined
  for (const line of text.split('\n')) {
    const item = /^\s+-\s+(.*)/.exec(line)
    if (item && listKey) {
      ;(out[listKey] as string[]).push(unquote(item[1]!))
      continue
    }
    const kv = /^([A-Za-z_]+):\s*(.*)/.exec(line)
    if (!kv) continue
    listKey = undefined
    if (kv[2] === '') {
      listKey = kv[1]!
      out[listKey] = []
    } else out[kv[1]!] = unquote(kv[2]!)
  }
  return out
}

function unquote(v: string): string {
  const t = v.trim()
  return /^(['"]).*\1$/.test(t) ? t.slice(1, -1) : t
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

/** The fix for a finding, from its page, filled with the host's values. */
export function fixFor(id: string, values?: Record<string, string>): {nixos?: string; other?: string} {
  const page = loadPage(id)
  if (!page) return {}
  const fix: {nixos?: string; other?: string} = {}
  const nixos = page.sections.get(FIX_SECTIONS.nixos)
  const other = page.sections.get(FIX_SECTIONS.other)
  if (nixos) fix.nixos = fillPlaceholders(nixos, values)
  if (other) fix.other = fillPlaceholders(other, values)
  return fix
}
