// Bundles the CLI into dist/bundle as CommonJS, one file for each thing oclif loads:
// - run.cjs: oclif's core with what it requires, the one copy that bin/run.cjs and every command use;
// - commands/<id>.cjs, help.cjs, hooks/<name>.cjs: each with all of our code it imports, and
//   '@oclif/core' required from run.cjs;
// - vendor/<package>.cjs: the npm packages our code loads only when it needs them (execa for a live
//   run, listr2 for progress, cli-table3, markdown-it, diff), each required on first use.
// Node then reads three files for a check instead of ~45 ES modules: a CommonJS file is compiled and
// linked without the ES module loader's resolving and linking of every chunk, which had cost about a
// third of a check's start (docs/performance.md). Only oclif's plugin commands stay ES modules.
import {createHash} from 'node:crypto'
import {appendFileSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {dirname, relative, resolve} from 'node:path'
import {build} from 'esbuild'

const commands = 'dist/src/commands'

/**
 * Packages the bundle takes from a file of ours (which requires the package itself), where an import
 * resolves to the project's own copy: string-width (ours, wrap-ansi 7's, cli-table3's; listr2's
 * packages keep their string-width 7) answering printable ASCII at once; debug, loaded (from
 * node_modules) only when DEBUG is set; and wsl-utils, whose PowerShell half loads on first use.
 */
const REPLACED = {
  'string-width': {own: 'node_modules/string-width/index.js', by: 'src/util/string-width-fast.cjs'},
  debug: {own: 'node_modules/debug/src/index.js', by: 'src/util/debug-when-asked.cjs'},
  'wsl-utils': {own: 'node_modules/wsl-utils/index.js', by: 'src/util/wsl-utils-when-asked.mjs'},
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
 * What oclif's core requires as it loads but calls only for help templates (ejs), a spinner
 * (cli-spinners), plugin patterns (minimatch), finding commands without a manifest (tinyglobby, with
 * fdir and picomatch), a package.json without oclif's settings (lilconfig), reading a flag from
 * standard input (readline), a Windows shell (child_process) or its own timings (perf_hooks): in
 * their place the bundle has a stand-in that requires the module on first use, a package from where
 * the importing package would find it. Left in the bundle, each would be compiled on every start,
 * and each of those Node modules costs its compiling too; semver is required only inside oclif's
 * engine check, which bin/run.cjs turns off, so it is simply left outside.
 */
const LOADED_WHEN_USED = ['ejs', 'cli-spinners', 'minimatch', 'tinyglobby', 'lilconfig']
const BUILT_IN_WHEN_USED = ['node:readline', 'node:child_process', 'node:perf_hooks']
const loadWhenUsed = {
  name: 'load-when-used',
  setup(build) {
    build.onResolve({filter: new RegExp(`^(${[...LOADED_WHEN_USED, ...BUILT_IN_WHEN_USED].join('|')})$`)}, (args) => {
      if (args.namespace === 'when-used') return {path: args.path, external: true}
      const importer = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(args.importer)?.[1]
      if (args.path.startsWith('node:')) return importer === '@oclif/core' ? {path: args.path, namespace: 'when-used'} : undefined
      if (!importer) throw new Error(`${args.path} imported from ${args.importer}: not a package's file`)
      return {path: args.path, namespace: 'when-used', pluginData: importer}
    })
    build.onLoad({filter: /.*/, namespace: 'when-used'}, (args) => ({
      loader: 'js',
      contents: `let loaded
const load = () => (loaded ??= ${args.pluginData ? `require('node:module').createRequire(require.resolve(${JSON.stringify(args.pluginData)}))` : 'require'}(${JSON.stringify(args.path)}))
// An interop helper asks __esModule before anything is used: that alone loads nothing.
module.exports = new Proxy({}, {get: (_, key) => (key === '__esModule' ? undefined : load()[key]), has: (_, key) => key in load()})
`,
    }))
  },
}
/**
 * Edits to oclif's own code, each for a reason; the build fails when the text is no longer there (a
 * new oclif then needs a look). localeCompare's first call in a process loads ICU's collator, about
 * 8 ms of every start, and oclif sorted the command ids (ASCII) with it as it read the manifest.
 */
const OCLIF_EDITS = [
  {
    file: 'node_modules/@oclif/core/lib/config/plugin.js',
    find: '.sort((a, b) => a.id.localeCompare(b.id));',
    replace: '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));',
  },
]
const editOclif = {
  name: 'edit-oclif',
  setup(build) {
    const edits = new Map(OCLIF_EDITS.map((edit) => [resolve(edit.file), edit]))
    build.onLoad({filter: /@oclif\/core\/lib\/.*\.js$/}, (args) => {
      const edit = edits.get(args.path)
      if (!edit) return undefined
      const code = readFileSync(args.path, 'utf8')
      if (!code.includes(edit.find)) throw new Error(`${edit.file} no longer holds ${edit.find}: see OCLIF_EDITS in scripts/bundle.mjs`)
      return {contents: code.replace(edit.find, edit.replace), loader: 'js'}
    })
  },
}
// What oclif's core loads only to run TypeScript sources in development (never in a built run).
const DEVELOPMENT_ONLY = ['typescript', 'ts-node', 'tsx', 'pnpapi']

const OUT = 'dist/bundle'
/** What our code loads only when it needs it: each package is its own file (see the top). */
const VENDOR = ['execa', 'listr2', 'cli-table3', 'markdown-it', 'diff']

/** Options every file shares: CommonJS for Node 20, and small (V8 parses every byte of a file it loads). */
const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // Without white space and with shorter syntax, a check parses a third less code. Names stay, so an
  // error's stack and the classes oclif reads by name are unchanged.
  minifyWhitespace: true,
  minifySyntax: true,
  external: [...DEVELOPMENT_ONLY, 'semver'],
  // Our modules find the package's files from their own place (src/util/package-root.ts).
  define: {'import.meta.url': 'importMetaUrl'},
  banner: {js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;"},
  logLevel: 'warning',
  // The stand-ins require a package from where its importer would find it, at run time.
  logOverride: {'require-resolve-not-external': 'silent'},
}

/** Packages our code shares with oclif's core: src/run.ts exports run.cjs's copies under these names. */
const FROM_CORE = {'wrap-ansi': 'wrapAnsi', 'string-width': 'stringWidth'}

/**
 * In a file at `outfile`: '@oclif/core' is run.cjs; a FROM_CORE package is a module that takes run.cjs's
 * copy, and a VENDOR package one that requires its vendor file, so that `await import('execa')` loads
 * it then, and only then.
 */
const sharedFiles = (outfile) => ({
  name: 'shared-files',
  setup(build) {
    const from = (file) => {
      const path = relative(dirname(outfile), `${OUT}/${file}`)
      return path.startsWith('.') ? path : `./${path}`
    }
    build.onResolve({filter: /^@oclif\/core$/}, () => ({path: from('run.cjs'), external: true}))
    build.onResolve({filter: new RegExp(`^(${[...Object.keys(FROM_CORE), ...VENDOR].join('|')})$`)}, (args) =>
      args.importer.includes('/node_modules/') ? undefined : {path: args.path, namespace: 'elsewhere'},
    )
    build.onLoad({filter: /.*/, namespace: 'elsewhere'}, ({path}) => ({
      loader: 'js',
      contents: FROM_CORE[path]
        ? `module.exports = require(${JSON.stringify(from('run.cjs'))}).${FROM_CORE[path]}`
        : `module.exports = require(${JSON.stringify(from(`vendor/${path}.cjs`))})`,
    }))
    build.onResolve({filter: /\.cjs$/, namespace: 'elsewhere'}, (args) => ({path: args.path, external: true}))
  },
})

const builds = [
  // bin/run.cjs requires this first, so that the files after it compile with the build's code cache.
  {entryPoints: ['src/util/code-cache.cjs'], outfile: `${OUT}/code-cache.cjs`},
  // bin/run.cjs requires this for oclif's execute and settings; every command for the rest.
  {entryPoints: ['dist/src/run.js'], outfile: `${OUT}/run.cjs`, plugins: [replaceOwnCopies, loadWhenUsed, editOclif]},
  ...VENDOR.map((name) => ({
    stdin: {contents: `module.exports = require(${JSON.stringify(name)})`, resolveDir: '.', sourcefile: `${name}.cjs`},
    outfile: `${OUT}/vendor/${name}.cjs`,
    plugins: [replaceOwnCopies],
  })),
  // package.json names help.cjs as oclif's helpClass and the hook as its command_not_found hook.
  ...[
    ...readdirSync(commands).filter((f) => f.endsWith('.js')).map((f) => [`${commands}/${f}`, `commands/${f.slice(0, -'.js'.length)}.cjs`]),
    ['dist/src/cli/help.js', 'help.cjs'],
    ['dist/src/hooks/command-not-found.js', 'hooks/command-not-found.cjs'],
  ].map(([entry, out]) => ({entryPoints: [entry], outfile: `${OUT}/${out}`, plugins: [sharedFiles(`${OUT}/${out}`), replaceOwnCopies, loadWhenUsed]})),
]
await Promise.all(builds.map((options) => build({...common, ...options})))

for (const {outfile} of builds) {
  const content = readFileSync(outfile, 'utf8')
  // Node holds a file with one character beyond Latin-1 as two bytes a character, which made reading
  // and compiling a check's file 3 ms slower. esbuild escapes such characters in strings, not in
  // regular expressions: write those as \u escapes. (The vendor files are the packages' own code.)
  const wide = outfile.includes('/vendor/') ? null : /[^\x00-\xff]/.exec(content)
  if (wide) throw new Error(`${outfile}: "${wide[0]}" in the code (a regular expression?); write it as \\u${wide[0].charCodeAt(0).toString(16).padStart(4, '0')}`)
  // Each file ends with a key made from its content, by which src/util/code-cache.cjs finds the V8
  // code cache the build's last step writes for it: V8 itself checks a cache against its source's
  // length only.
  appendFileSync(outfile, `\n//# code-cache-key=${createHash('sha256').update(content).digest('hex').slice(0, 16)}\n`)
}

// oclif's plugin commands wait for their plugin's module at the top level, which CommonJS cannot: they
// stay ES modules, holding only src/cli/plugin-command.ts (the plugin brings its own oclif).
await build({
  ...common,
  entryPoints: readdirSync(`${commands}/autocomplete`).filter((f) => f.endsWith('.js')).map((f) => `${commands}/autocomplete/${f}`),
  outdir: `${OUT}/commands/autocomplete`,
  format: 'esm',
  define: {},
  banner: {},
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
