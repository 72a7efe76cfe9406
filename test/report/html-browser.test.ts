/**
 * A real browser reads every fixture host's HTML report: Debian's headless Chromium, driven by
 * playwright-core (no browser download). It loads with no console error and no request, the page is
 * no wider than the window, the guest GPU's node is on the first screen (written as a PNG), and in
 * print the folded parts are shown. Mermaid's own bundle draws the Markdown reports' diagrams.
 */
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {delimiter, join} from 'node:path'
import {pathToFileURL} from 'node:url'
import type {Browser} from 'playwright-core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {diagnose} from '../../src/engine/pipeline.js'
import {renderReport} from '../../src/report/render.js'
import {readEvidenceFolder} from '../../src/sources/evidence.js'
import {fixtureGpu, fixtureHosts} from '../helpers/fixture-hosts.js'
import {fixturesDir, repoRoot} from '../helpers/paths.js'
import {realTool} from '../helpers/tools.js'

const hasChromium = realTool('chromium', 'chromium')
/** Where PATH finds it: /usr/bin on Debian, a store path on NixOS. */
const chromiumPath = hasChromium ? process.env.PATH!.split(delimiter).map((dir) => join(dir, 'chromium')).find((file) => existsSync(file)) : undefined
const hosts = fixtureHosts
const VIEWPORT = {width: 1280, height: 1000}
/** Where the PNGs go, to be looked at. */
const pngDir = join(tmpdir(), 'vfio-doctor-html-png')

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Buffer): {width: number; height: number} {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  return {width: png.readUInt32BE(16), height: png.readUInt32BE(20)}
}

describe.runIf(hasChromium)('the HTML report in headless Chromium', () => {
  let browser: Browser
  beforeAll(async () => {
    const {chromium} = await import('playwright-core')
    browser = await chromium.launch({executablePath: chromiumPath!})
    mkdirSync(pngDir, {recursive: true})
  }, 60_000)
  afterAll(async () => browser?.close())

  it.each(hosts)('%s', async (host) => {
    const gpu = fixtureGpu(host)
    const set = await readEvidenceFolder(join(fixturesDir, host))
    const {facts, report} = diagnose(set, gpu ? {gpu} : {})
    const html = await renderReport(report, {format: 'html', set, facts, failOn: 'error'})
    const file = join(pngDir, `${host}.html`)
    writeFileSync(file, html)

    const page = await browser.newPage({viewport: VIEWPORT})
    const problems: string[] = []
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`)
    })
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
    page.on('request', (r) => {
      if (r.url() !== pathToFileURL(file).href) problems.push(`request: ${r.url()}`)
    })
    await page.goto(pathToFileURL(file).href, {waitUntil: 'load'})

    const size = (await page.evaluate('({width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight})')) as {width: number; height: number}
    expect(size.width, 'no wider than the window: a wide picture scrolls in its own frame').toBeLessThanOrEqual(VIEWPORT.width)
    expect(size.height).toBeGreaterThan(300)
    // The first screen: what a person sees on opening the file.
    const png = await page.screenshot({path: join(pngDir, `${host}.png`)})
    expect(pngSize(png)).toEqual(VIEWPORT)

    const guests = (facts.guestGpus ?? []).filter((a) => html.includes(`data-address="${a}"`))
    for (const address of guests) {
      const box = await page.locator(`g.fn[data-address="${address}"]`).boundingBox()
      expect(box, address).not.toBeNull()
      expect(box!.x).toBeGreaterThanOrEqual(0)
      expect(box!.y).toBeGreaterThanOrEqual(0)
      expect(box!.x + box!.width, `${address} within the window's width`).toBeLessThanOrEqual(VIEWPORT.width)
      expect(box!.y + box!.height, `${address} on the first screen`).toBeLessThanOrEqual(VIEWPORT.height)
    }

    // Folded on screen, shown in print.
    const folded = page.locator('details:not([open]) pre').first()
    if ((await folded.count()) > 0) {
      expect(await folded.isVisible()).toBe(false)
      await page.emulateMedia({media: 'print'})
      expect(await folded.isVisible()).toBe(true)
    }
    await page.close()
    expect(problems).toEqual([])
  }, 60_000)

  it("Mermaid (as GitHub runs it) draws every fixture host's Markdown diagram", async () => {
    const page = await browser.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.setContent('<!DOCTYPE html><html><body></body></html>')
    await page.addScriptTag({path: join(repoRoot, 'node_modules/mermaid/dist/mermaid.min.js')})
    await page.evaluate('mermaid.initialize({startOnLoad: false, securityLevel: "strict"})')
    let drawn = 0
    for (const host of hosts) {
      const gpu = fixtureGpu(host)
      const set = await readEvidenceFolder(join(fixturesDir, host))
      const {facts, report} = diagnose(set, gpu ? {gpu} : {})
      const markdown = await renderReport(report, {format: 'markdown', set, facts, failOn: 'error'})
      const diagram = /```mermaid\n([\s\S]*?)\n```/.exec(markdown)?.[1]
      if (!diagram) continue
      const svg = (await page.evaluate(`mermaid.render('d${drawn}', ${JSON.stringify(diagram)}).then((r) => r.svg)`)) as string
      expect(svg, host).toContain('GUEST GPU')
      expect(svg, host).toMatch(/IOMMU group \d+/)
      drawn++
    }
    await page.close()
    expect(errors).toEqual([])
    expect(drawn).toBeGreaterThanOrEqual(10)
  }, 120_000)

  it('wrote a PNG for every host', () => {
    expect(hosts.filter((h) => readFileSync(join(pngDir, `${h}.png`)).length < 1000)).toEqual([])
  })
})
