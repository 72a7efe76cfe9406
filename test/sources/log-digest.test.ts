/**
 * A log too big to hold is read as a stream (sources/log-digest.ts): what the checks and the report
 * get from it must be what they get from the whole text, in constant memory.
 */
import fc from 'fast-check'
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {diagnose} from '../../src/engine/pipeline.js'
import {MessageScanner, scanMessages} from '../../src/knowledge/messages.js'
import {FreeLogScanner, scanFreeLog} from '../../src/parse/free-log.js'
import {KernelLogScanner, parseKernelLog} from '../../src/parse/kernel-log.js'
import {readEvidenceFolder} from '../../src/sources/evidence.js'
import {digestLog, STREAMED_KINDS} from '../../src/sources/log-digest.js'
import {LEARN_ANCHORS, learnNames, MONOTONIC_HOST, SYSLOG_HOST} from '../../src/redact/learn.js'
import {textParts} from '../../src/sources/text-parts.js'
import {renderReport} from '../../src/report/render.js'
import {devsetCasesDir, fixturesDir} from '../helpers/paths.js'

const work = mkdtempSync(join(tmpdir(), 'vfio-doctor-digest-'))
afterAll(() => rmSync(work, {recursive: true, force: true}))

const folders = [
  ...readdirSync(fixturesDir).map((n) => join(fixturesDir, n)),
  ...readdirSync(devsetCasesDir).map((n) => join(devsetCasesDir, n)),
].filter((d) => statSync(d).isDirectory())

/** Every evidence file of the repository: a log reader meets any text. */
const logs = folders.flatMap((dir) => readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')))

/** `text` cut into parts at line ends, about `size` characters each (the last without its line end, if the text has none). */
function partsOf(text: string, size: number): string[] {
  const parts: string[] = []
  let at = 0
  while (at < text.length) {
    const end = text.indexOf('\n', at + size)
    parts.push(text.slice(at, end < 0 ? text.length : end + 1))
    at = end < 0 ? text.length : end + 1
  }
  return parts
}

async function* asStream(parts: string[]): AsyncGenerator<string> {
  yield* parts
}

function findingsOf(set: Awaited<ReturnType<typeof readEvidenceFolder>>, gpu?: string): string[] {
  const {report} = diagnose(set, gpu ? {gpu} : {})
  return report.findings.map((f) => `${f.severity} ${f.id} ${f.subject ?? ''}\n  ${f.evidence.join('\n  ')}`).sort()
}

describe('readers fed in parts read what they read whole', () => {
  it(`the kernel log, free-form log and message readers, on ${logs.length} real logs cut every few lines`, () => {
    expect(logs.length).toBeGreaterThan(300)
    for (const text of logs) {
      for (const size of [1, 200]) {
        const kernel = new KernelLogScanner()
        const free = new FreeLogScanner('log')
        const messages = new MessageScanner()
        let first = 1
        for (const part of partsOf(text, size)) {
          kernel.feed(part)
          free.feed(part)
          messages.feed(part, 'log', first)
          first += part.split('\n').length - 1
        }
        expect(kernel.finish()).toEqual(parseKernelLog(text))
        expect(free.finish()).toEqual(scanFreeLog(text, 'log'))
        expect(messages.hits).toEqual(scanMessages([{kind: 'log', origin: 'log', status: 'ok', text}]))
      }
    }
  })

  it('a file read in parts of a few bytes is the file, multi-byte characters and CRLF included', async () => {
    const text = 'Grüße ✓ line one\r\n[    0.000000] DMAR: IOMMU enabled\n\nübrig ohne Zeilenende'
    const file = join(work, 'mixed.txt')
    writeFileSync(file, text)
    for (const size of [1, 2, 3, 7, 1024]) {
      const parts: string[] = []
      for await (const part of textParts(file, 0, size)) parts.push(part)
      expect(parts.join('')).toBe(text)
      expect(parts.slice(0, -1).every((p) => p.endsWith('\n'))).toBe(true)
    }
  })

  it('a line longer than 64 KiB is cut there, and the lines after it keep their numbers', async () => {
    const file = join(work, 'long-line.txt')
    writeFileSync(file, `a${'x'.repeat(200_000)}\nkvm: disabled by bios\n`)
    const parts: string[] = []
    for await (const part of textParts(file, 0, 4096)) parts.push(part)
    const lines = parts.join('').split('\n')
    expect(lines.length).toBe(3)
    expect(lines[0]!.length).toBe(64 * 1024)
    expect(lines[1]).toBe('kvm: disabled by bios')
  })

  it('any file, in parts of any size, is its lines with a BOM dropped, a line longer than 64 KiB and a part cut short', async () => {
    const file = join(work, 'any.txt')
    const line = fc.oneof(fc.string({maxLength: 20}).map((l) => l.replace(/\n/g, '')), fc.integer({min: 60_000, max: 140_000}).map((n) => 'y'.repeat(n)))
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(line, {maxLength: 6}), fc.constantFrom(2, 4096, 70_000, 1024 * 1024), async (bom, lines, size) => {
        const text = size < 100 ? lines.map((l) => l.slice(0, 100)).join('\n') : lines.join('\n')
        writeFileSync(file, `${bom ? '\uFEFF' : ''}${text}`)
        const parts: string[] = []
        for await (const part of textParts(file, 0, size)) parts.push(part)
        const read = parts.join('').split('\n')
        const written = text.split('\n')
        expect(read.length).toBe(written.length)
        read.forEach((line, i) => {
          expect(written[i]!.startsWith(line)).toBe(true)
          expect(line.length).toBeGreaterThanOrEqual(Math.min(written[i]!.length, 64 * 1024))
          expect(line.length).toBeLessThan(64 * 1024 + size)
        })
      }),
      {numRuns: 60},
    )
  })
})

describe('what a streamed log learns for redaction', () => {
  it('every line of a log in the repository that teaches a name holds a word the stream learns from, or is a syslog host', async () => {
    const unfound: string[] = []
    for (const dir of folders) {
      for (const source of (await readEvidenceFolder(dir)).sources) {
        if (!STREAMED_KINDS.has(source.kind) || !source.text) continue
        for (const line of source.text.split('\n')) {
          const {users, hosts, ssids} = learnNames([line])
          if (users.length + hosts.length + ssids.length === 0 || new RegExp(LEARN_ANCHORS.source, 'i').test(line)) continue
          const syslogHosts = [SYSLOG_HOST, MONOTONIC_HOST].flatMap((re) => [...line.matchAll(re)].map((m) => m[2]!))
          if (users.length + ssids.length > 0 || hosts.some((h) => !syslogHosts.some((s) => s === h || s.startsWith(`${h}.`)))) unfound.push(line)
        }
      }
    }
    expect(unfound).toEqual([])
  })
})

describe('stream independence: every log streamed gives the same findings and evidence', () => {
  for (const dir of folders) {
    it(dir.slice(dir.lastIndexOf('/', dir.lastIndexOf('/') - 1) + 1), async () => {
      const expected = `${dir}.expected.json`
      const gpu = existsSync(expected) ? (JSON.parse(readFileSync(expected, 'utf8')) as {gpu?: string}).gpu : undefined
      const streamed = await readEvidenceFolder(dir, {streamFrom: 0})
      expect(findingsOf(streamed, gpu)).toEqual(findingsOf(await readEvidenceFolder(dir), gpu))
    })
  }
})

describe('a big log', () => {
  const noise = (i: number) => `[${(i / 1000).toFixed(6).padStart(12)}] usb 1-4: new high-speed USB device number ${i % 100} using xhci_hcd\n`
  const lines = 120_000
  const decisive = 60_000
  const dir = mkdtempSync(join(work, 'big-'))
  const log: string[] = []
  for (let i = 1; i <= lines; i++) {
    if (i === 1) log.push('[    0.000000] Linux version 6.12.18 (nixbld@localhost) (gcc 13.3.0) #1-NixOS SMP\n')
    else if (i === decisive) log.push('[   60.000000] kvm: disabled by bios\n')
    else if (i === 100_000) log.push('[  100.000000] audit: exe="/home/quillfeather/bin/x"\n')
    else if (i === 100_001) log.push('[  100.000001] kvm: quillfeather was here\n')
    else log.push(noise(i))
  }
  writeFileSync(join(dir, 'dmesg.txt'), log.join(''))

  it('is read as a stream: no text held, every line counted, only a few kept', async () => {
    const set = await readEvidenceFolder(dir, {streamFrom: 1024 * 1024})
    const [source] = set.sources
    expect(source).toMatchObject({kind: 'kernelLog', status: 'ok', recognised: {from: 1, to: lines}})
    expect(source!.text).toBeUndefined()
    expect(source!.digest!.lineCount).toBe(lines)
    expect(source!.digest!.kept.length).toBeLessThan(200)
    expect(findingsOf(set)).toEqual(findingsOf(await readEvidenceFolder(dir)))
  })

  it('its excerpt shows the decisive line with its context, and a name learnt 40,000 lines away is redacted', async () => {
    const set = await readEvidenceFolder(dir, {streamFrom: 1024 * 1024})
    const {facts, report} = diagnose(set)
    expect(report.findings.map((f) => f.id)).toContain('cpu-virt-disabled')
    const markdown = await renderReport(report, {format: 'markdown', set, facts, failOn: 'error'})
    expect(markdown).toContain('kvm: disabled by bios')
    expect(markdown).toContain(noise(decisive - 1).trim())
    expect(markdown).toContain(noise(decisive + 1).trim())
    expect(markdown).toMatch(/dmesg\.txt · kernel log · \d+ lines of 120,000/)
    expect(markdown).toContain('kvm: ')
    expect(markdown).not.toContain('quillfeather')
  })

  it('reading it in 1 KiB or 1 MiB parts keeps the same', async () => {
    const file = join(dir, 'dmesg.txt')
    const section = {kind: 'kernelLog' as const, origin: 'dmesg.txt', from: 1}
    const small = await digestLog(textParts(file, 0, 1024), section)
    const large = await digestLog(textParts(file, 0, 1024 * 1024), section)
    expect(small).toEqual(large)
    expect(await digestLog(asStream(partsOf(log.join(''), 50_000)), section)).toEqual(large)
  })
})
