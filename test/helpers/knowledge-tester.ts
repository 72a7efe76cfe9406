/**
 * Knowledge pages against their checks: each page has the layout, cites seed documents that exist,
 * gets every placeholder from a real finding of its check, and its fix snippets are real: the Nix
 * parses with nix-instantiate and the libvirt XML validates against libvirt's RelaxNG schema.
 */
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {CHECKS} from '../../checks/index.js'
import type {Finding} from '../../src/engine/types.js'
import {fillPlaceholders, loadPage} from '../../src/knowledge/page.js'
import {runCase, type EvidenceFiles} from './check-tester.js'
import {seedsDir} from './paths.js'
import {expectNixParses, expectValidDomain, hasNix, hasXmllint} from './tools.js'

/** Evidence that makes `check` report the page's id, so the page can be filled with real values. */
export interface Representative {
  check: string
  files: EvidenceFiles
  gpu?: string
}

const DEVICE_ELEMENTS = new Set(['disk', 'hostdev', 'tpm', 'input', 'shmem', 'video', 'graphics', 'sound', 'audio', 'interface'])

export function findingFor(id: string, representative: Representative): Finding {
  const check = CHECKS.find((c) => c.id === representative.check)
  if (!check) throw new Error(`no check ${representative.check}`)
  const result = runCase(check, {name: id, files: representative.files, ...(representative.gpu ? {gpu: representative.gpu} : {})})
  const finding = result.findings.find((f) => f.id === id)
  if (!finding) throw new Error(`${representative.check} reported no ${id} (${result.status}: ${result.reason ?? result.findings.map((f) => f.id).join(', ')})`)
  return finding
}

export function codeBlocks(markdown: string, lang: string): string[] {
  return [...markdown.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!)
}

/** A fragment as a whole domain: device elements go in <devices>; an <os> is added when it has none. */
export function asDomain(fragment: string): string {
  const top: string[] = []
  const devices: string[] = []
  for (const el of topLevelElements(fragment)) (DEVICE_ELEMENTS.has(/^<([a-z]+)/.exec(el)![1]!) ? devices : top).push(el)
  const os = top.some((t) => t.startsWith('<os')) ? '' : "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
  return `<domain type='kvm'><name>t</name><memory>1048576</memory>${os}${top.join('\n')}<devices>${devices.join('\n')}</devices></domain>\n`
}

/** Top-level elements by tag depth (our fragments hold no comments or CDATA). */
function topLevelElements(fragment: string): string[] {
  const out: string[] = []
  let depth = 0
  let start = 0
  for (const tag of fragment.matchAll(/<(\/?)[a-zA-Z][^>]*?(\/?)>/g)) {
    if (depth === 0) start = tag.index
    if (tag[1]) depth--
    else if (!tag[2]) depth++
    if (depth === 0) out.push(fragment.slice(start, tag.index + tag[0].length))
  }
  return out
}

/** `skip` as in describe.skipIf: set it to !hasShared when the representatives come from ../shared. */
export function testKnowledgePages(title: string, table: Record<string, Representative>, {skip = false} = {}): void {
  describe.skipIf(skip)(title, () => {
    for (const [id, representative] of Object.entries(table)) {
      describe(id, () => {
        const page = loadPage(id)!
        it('has the page layout and cites seed documents that exist', () => {
          expect(page.id).toBe(id)
          expect(page.symptoms.length).toBeGreaterThan(0)
          expect(page.sources.length).toBeGreaterThan(0)
          expect([...page.sections.keys()]).toEqual(expect.arrayContaining(['Fix on NixOS', 'Fix on other distributions', 'Verify']))
          for (const source of page.sources.filter((s) => s.startsWith('seeds/'))) expect(existsSync(join(seedsDir, source.split(' ')[0]!.slice(6))), source).toBe(true)
        })
        it('gets every placeholder it uses from its check', () => {
          const used = new Set([...page.body.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]!))
          const values = findingFor(id, representative).values ?? {}
          expect([...used].filter((name) => !(name in values))).toEqual([])
        })
        it.runIf(hasNix)('has Nix that parses', () => {
          const values = findingFor(id, representative).values
          codeBlocks(page.body, 'nix').forEach((fragment, i) => {
            const filled = fillPlaceholders(fragment, values)
            // A snippet is either a whole module or the body of one (parsing checks variable names).
            const module = /^\s*\{[^}]*\}\s*:/.test(filled) ? filled : `{ config, lib, pkgs, ... }:\n{\n${filled}\n}\n`
            expectNixParses(module, `${id}-${i}`)
          })
        })
        it.runIf(hasXmllint)('has libvirt XML that validates against domain.rng', () => {
          const values = findingFor(id, representative).values
          codeBlocks(page.body, 'xml').forEach((fragment, i) => {
            expectValidDomain(asDomain(fillPlaceholders(fragment, values)), `${id}-${i}`)
          })
        })
      })
    }
  })
}
