// `npm run picture`: the README's picture, drawn by the tool itself. The built CLI draws a seed
// host's topology (`groups --format svg`) and Debian's Chromium (playwright-core, no browser
// download) renders it to docs/images/<host>.png.
import {execFileSync} from 'node:child_process'
import {existsSync, mkdirSync} from 'node:fs'
import {delimiter, dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {chromium} from 'playwright-core'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const host = process.argv[2] ?? 'seed-000-working'
const out = join(root, 'docs/images', `${host}.png`)
const svg = execFileSync(process.execPath, [join(root, 'bin/run.cjs'), 'groups', '--input', join(root, 'fixtures', host), '--format', 'svg'], {encoding: 'utf8'})

const executablePath = process.env.CHROMIUM ?? process.env.PATH.split(delimiter).map((dir) => join(dir, 'chromium')).find((file) => existsSync(file))
if (!executablePath) throw new Error("npm run picture needs Chromium on PATH (Debian's chromium) or CHROMIUM=/path/to/it")
const browser = await chromium.launch({executablePath})
try {
  const page = await browser.newPage({deviceScaleFactor: 2})
  await page.setContent(`<!DOCTYPE html><html><body style="margin:0">${svg}</body></html>`)
  mkdirSync(dirname(out), {recursive: true})
  await page.locator('svg').screenshot({path: out})
  console.log(`wrote ${out.slice(root.length + 1)}`)
} finally {
  await browser.close()
}
