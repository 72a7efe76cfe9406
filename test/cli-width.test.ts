/**
 * Every command's text fits the terminal. On a pipe with COLUMNS=80 no line is wider than 80
 * columns as a terminal counts them, but a line of code, which is to be copied whole: a fenced line
 * of a fix or a knowledge page, a line of a file plan writes.
 */
import {cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import stringWidth from 'string-width'
import {describe, expect, it} from 'vitest'
import {describePlaceholders, loadPage} from '../src/knowledge/page.js'
import {cli} from './helpers/cli.js'
import {fixturesDir} from './helpers/paths.js'

const host = (name: string) => join(fixturesDir, name)
const work = mkdtempSync(join(tmpdir(), 'vfio-doctor-width-'))

/** The same host as seed 000, on Ubuntu: the plan shows the other distributions' files. */
const ubuntuHost = join(work, 'ubuntu')
cpSync(host('seed-000-boot-freeze'), ubuntuHost, {recursive: true})
writeFileSync(join(ubuntuHost, 'os-release.txt'), 'ID=ubuntu\nID_LIKE=debian\nPRETTY_NAME="Ubuntu 24.04 LTS"\n')

async function text(args: string[], columns: string | undefined = '80'): Promise<string> {
  const r = await cli(args, {COLUMNS: columns})
  expect(r.stderr).toBe('')
  return r.stdout
}

/** The lines wider than `width`, but the code lines. */
function tooWide(output: string, width: number, code: Set<string> = new Set()): string[] {
  return output.split('\n').filter((line) => stringWidth(line) > width && !code.has(line.trim()))
}

const widest = (output: string) => Math.max(...output.split('\n').map((line) => stringWidth(line)))

/** The lines inside the fenced blocks of a Markdown text, trimmed. */
function fencedLines(markdown: string): string[] {
  const lines: string[] = []
  let inCode = false
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) inCode = !inCode
    else if (inCode) lines.push(line.trim())
  }
  return lines
}

/** The code of a knowledge page. */
const pageCode = (id: string) => new Set(fencedLines(describePlaceholders(loadPage(id)!.body)))

/** The code of a report's fixes, from the same run as JSON. */
async function fixCode(args: string[]): Promise<Set<string>> {
  const report = JSON.parse((await cli([...args, '--format', 'json'])).stdout) as {findings: Array<{fix: {nixos?: string; other?: string}}>}
  return new Set(report.findings.flatMap((f) => fencedLines(`${f.fix.nixos ?? ''}\n${f.fix.other ?? ''}`)))
}

/** Every line of the files the same plan writes with --output. */
async function planCode(args: string[]): Promise<Set<string>> {
  const dir = join(mkdtempSync(join(work, 'plan-')), 'out')
  await text([...args, '--output', dir])
  const files = readdirSync(dir).filter((f) => f !== 'STEPS.md')
  return new Set(files.flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n')).map((l) => l.trim()))
}

describe('COLUMNS=80 on a pipe: every line fits, but code', () => {
  it.each([['seed-000-boot-freeze'], ['seed-000-vtd-off'], ['seed-003-looking-glass-shm-root-owned'], ['secrets-host']])('check --input %s', async (name) => {
    const args = ['check', '--input', host(name)]
    const code = await fixCode(args)
    expect(tooWide(await text(args), 80, code)).toEqual([])
    expect(tooWide(await text([...args, '--verbose']), 80, code)).toEqual([])
  })

  it('groups', async () => {
    expect(tooWide(await text(['groups', '--input', host('seed-000-boot-freeze')]), 80)).toEqual([])
  })

  it.each([
    ['seed 000 (NixOS)', ['--input', host('seed-000-boot-freeze')]],
    ['seed 003 with --vm: a diff', ['--input', host('seed-003-iso-in-home'), '--vm', 'win10', '--user', 'vini', '--looking-glass', '2560x1440']],
    ['seed 000 on Ubuntu: the other distributions', ['--input', ubuntuHost, '--looking-glass', '2560x1440', '--user', 'bob']],
  ])('plan, %s', async (_name, args) => {
    const code = await planCode(['plan', ...args])
    expect(tooWide(await text(['plan', ...args]), 80, code)).toEqual([])
  })

  it('list', async () => {
    expect(tooWide(await text(['list']), 80)).toEqual([])
  })

  it.each([['gpu-reset-bug'], ['looking-glass-shm'], ['iommu-firmware-off']])('explain %s', async (id) => {
    expect(tooWide(await text(['explain', id]), 80, pageCode(id))).toEqual([])
  })

  it.each([['check'], ['groups'], ['plan'], ['list'], ['explain'], ['capture']])('%s --help', async (command) => {
    expect(tooWide(await text([command, '--help']), 80)).toEqual([])
  })

  it('--help', async () => {
    expect(tooWide(await text(['--help']), 80)).toEqual([])
  })
})

describe('the width is COLUMNS, else 80 on a pipe', () => {
  const seed000 = ['--input', host('seed-000-boot-freeze')]

  it.each([
    ['check', () => fixCode(['check', ...seed000]), seed000],
    ['plan', () => planCode(['plan', ...seed000]), seed000],
    ['list', async () => new Set<string>(), []],
    ['explain', async () => pageCode('host-display-lost'), ['host-display-lost']],
    ['capture', async () => new Set<string>(), ['--help']],
  ])('%s: COLUMNS=60 and COLUMNS=120 lay the text out for 60 and 120 columns', async (command, codeOf, args) => {
    const code = await codeOf()
    const [narrow, wide] = [await text([command, ...args], '60'), await text([command, ...args], '120')]
    expect(tooWide(narrow, 60, code)).toEqual([])
    expect(tooWide(wide, 120, code)).toEqual([])
    expect(widest(wide)).toBeGreaterThan(80)
  })

  it('groups: a table from 100 columns, each device on its own lines under that', async () => {
    const wide = await text(['groups', ...seed000], '120')
    expect(wide).toMatch(/^┌/)
    expect(widest(wide)).toBeLessThanOrEqual(120)
    const narrow = await text(['groups', ...seed000], '60')
    expect(narrow).toMatch(/^group 0: /)
    expect(widest(narrow)).toBeLessThanOrEqual(60)
  })

  it('no COLUMNS on a pipe: 80 columns', async () => {
    for (const args of [['check', ...seed000], ['groups', ...seed000], ['list'], ['plan', '--help']]) {
      expect(await text(args, undefined), args.join(' ')).toBe(await text(args, '80'))
    }
  })
})
