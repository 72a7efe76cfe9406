// Bundles each command, the hook and run.js (what bin/run.js loads) with what they import, npm packages
// included, into dist/bundle: shared code goes into chunks, so run.js and the commands share one copy of
// oclif's core, and a package imported lazily (execa, listr2, cli-table3) is a chunk loaded only when
// its code runs. Node then opens a few files instead of ~200, which keeps start-up close to its own.
// The help plugin's command is bundled as one of ours; the autocomplete plugin's commands load its
// code from node_modules when they run (src/cli/plugin-command.ts).
import {readdirSync, writeFileSync} from 'node:fs'
import {resolve} from 'node:path'
import {build} from 'esbuild'

const commands = 'dist/src/commands'

/**
 * Packages the bundle takes from a file of ours (which requires the package itself), where an import
 * resolves to the project's own copy: string-width (ours, wrap-ansi 7's, cli-table3's; listr2's
 * packages keep their string-width 7) answering printable ASCII at once, debug loaded only when DEBUG
 * is set, tinyglobby loaded on its first glob.
 */
const REPLACED = {
  'string-width': {own: 'node_modules/string-width/index.js', by: 'src/util/string-width-fast.cjs'},
  debug: {own: 'node_modules/debug/src/index.js', by: 'src/util/debug-when-asked.cjs'},
  tinyglobby: {own: 'node_modules/tinyglobby/dist/index.cjs', by: 'src/util/tinyglobby-when-used.cjs'},
}
const replaceOwnCopies = {
  name: 'replace-own-copies',
  setup(build) {
    build.onResolve({filter: new RegExp(`^(${Object.keys(REPLACED).join('|')})$`)}, async (args) => {
      const replaced = REPLACED[args.path]
      if (args.pluginData === 'as-is' || args.importer === resolve(replaced.by)) return undefined
      const found = await build.resolve(args.path, {kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'as-is'})
      return found.path === resolve(replaced.own) ? {path: resolve(replaced.by)} : found
    })
  },
}
/**
 * Packages oclif's core requires as it loads but calls only for help templates (ejs), a spinner
 * (cli-spinners) or plugin patterns (minimatch): in their place the bundle has a stand-in that
 * requires the package, from where the importing package would find it, on first use. Left in
 * the bundle, each would be compiled on every start; semver is required only inside oclif's engine
 * check, which bin/run.js turns off, so it is simply left outside.
 */
const LOADED_WHEN_USED = ['ejs', 'cli-spinners', 'minimatch']
const loadWhenUsed = {
  name: 'load-when-used',
  setup(build) {
    build.onResolve({filter: new RegExp(`^(${LOADED_WHEN_USED.join('|')})$`)}, (args) => {
      if (args.namespace === 'when-used') return {path: args.path, external: true}
      const importer = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(args.importer)?.[1]
      if (!importer) throw new Error(`${args.path} imported from ${args.importer}: not a package's file`)
      return {path: args.path, namespace: 'when-used', pluginData: importer}
    })
    build.onLoad({filter: /.*/, namespace: 'when-used'}, (args) => ({
      loader: 'js',
      contents: `let loaded
const load = () => (loaded ??= require('node:module').createRequire(require.resolve(${JSON.stringify(args.pluginData)}))(${JSON.stringify(args.path)}))
// An interop helper asks __esModule before anything is used: that alone loads nothing.
module.exports = new Proxy({}, {get: (_, key) => (key === '__esModule' ? undefined : load()[key]), has: (_, key) => key in load()})
`,
    }))
  },
}
// What oclif's core loads only to run TypeScript sources in development (never in a built run).
const DEVELOPMENT_ONLY = ['typescript', 'ts-node', 'tsx', 'pnpapi']

await build({
  entryPoints: [
    ...readdirSync(commands, {recursive: true}).filter((f) => f.endsWith('.js')).map((f) => ({in: `${commands}/${f}`, out: `commands/${f.slice(0, -'.js'.length)}`})),
    // package.json names these as oclif's helpClass and its command_not_found hook.
    {in: 'dist/src/cli/help.js', out: 'help'},
    {in: 'dist/src/hooks/command-not-found.js', out: 'hooks/command-not-found'},
    {in: 'dist/src/run.js', out: 'run'},
  ],
  outdir: 'dist/bundle',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // V8 parses every byte of a module it loads, called or not: without white space and with shorter
  // syntax a check loads 781 KB instead of 1,088 KB, and takes 8-15% less CPU, ~2% less time (alternating runs). Names stay, so an
  // error's stack and the classes oclif reads by name are unchanged.
  minifyWhitespace: true,
  minifySyntax: true,
  external: [...DEVELOPMENT_ONLY, 'semver'],
  // oclif's core is CommonJS and calls require() (and require.resolve for plugins): an ES module has none.
  banner: {js: "import {createRequire as createRequireForBundle} from 'node:module'; const require = createRequireForBundle(import.meta.url);"},
  plugins: [replaceOwnCopies, loadWhenUsed],
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
