// Bundles each command with what it imports into dist/bundle (shared code in chunks, npm packages
// left as they are): one file to load instead of ~140 keeps `check` close to Node's own start-up.
import {readdirSync, writeFileSync} from 'node:fs'
import {build} from 'esbuild'

const commands = 'dist/src/commands'
await build({
  entryPoints: [
    ...readdirSync(commands).filter((f) => f.endsWith('.js')).map((f) => ({in: `${commands}/${f}`, out: `commands/${f.slice(0, -'.js'.length)}`})),
    // package.json names these as oclif's helpClass and its command_not_found hook.
    {in: 'dist/src/cli/help.js', out: 'help'},
    {in: 'dist/src/hooks/command-not-found.js', out: 'hooks/command-not-found'},
  ],
  outdir: 'dist/bundle',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
})

// The known messages, compiled once here so that a run reads JSON and never loads a YAML parser.
const {COMPILED, toMessages, yamlEntries} = await import('../dist/src/knowledge/messages.js')
const entries = yamlEntries()
for (const [id, list] of Object.entries(entries)) toMessages(id, list)
writeFileSync(COMPILED, JSON.stringify(entries))

// The data files likewise; every signal entry is compiled first, so a malformed one fails the build.
const {compiledPath} = await import('../dist/src/knowledge/data-file.js')
const kernel = await import('../dist/src/parse/kernel-log/rules.js')
const free = await import('../dist/src/parse/free-log.js')
const page = await import('../dist/src/knowledge/page.js')
for (const [file, data, check] of [
  [kernel.SIGNALS_FILE, kernel.signalEntries(), (entries) => entries.forEach(kernel.toRule)],
  [free.SIGNALS_FILE, free.signalEntries(), (entries) => entries.forEach(free.toRule)],
  [page.PLACEHOLDERS_FILE, page.placeholderWords(), () => {}],
  [page.SEED_DOCUMENTS_FILE, page.seedDocuments(), () => {}],
]) {
  check(data)
  writeFileSync(compiledPath(file), JSON.stringify(data))
}
// And the pages' front matter: a page whose front matter is not YAML fails the build.
writeFileSync(page.FRONT_MATTER_COMPILED, JSON.stringify(page.frontMatterById()))
