// V8's code cache for the bundle's files. At start-up much of a check's time is V8 compiling code it
// runs once: each file's top level, then every function on its first call. The build runs the
// commands once (scripts/code-cache.mjs) and writes, for each file under dist/bundle, V8's cache of
// the code that ran; a later run compiles none of that again.
// - V8 accepts a cache only from the same V8 and flags, so the caches sit in a folder named for the
//   Node.js that wrote them, and any other Node.js never reads them.
// - V8 checks a cache against its source's length only: a file changed to the same length would run
//   its old code. So the build ends each file with a key made from its content (scripts/bundle.mjs),
//   and a cache is found by that key: a file with another key, or none, compiles without a cache.
// bin/run.cjs calls useCodeCache before it loads the bundle; the build's runs call recordCodeCache.
// CommonJS and not bundled with the rest: it must be in place before the bundle's first file loads.
const Module = require('node:module')
const {existsSync, mkdirSync, readFileSync, writeFileSync} = require('node:fs')
const {dirname, join, relative, sep} = require('node:path')
const vm = require('node:vm')

// The V8 flags every run of the bundle has, set here because V8 takes a cache only under the flags
// that made it, and both the build's runs and bin/run.cjs load this file first. A regular expression
// is compiled to machine code at its first use rather than first to bytecode and then again when it
// runs a second time: a check compiles a few hundred patterns, most of them more than once.
require('node:v8').setFlagsFromString('--no-regexp-tier-up')

const BUNDLE = __dirname
const CACHE_DIR = join(BUNDLE, 'code-cache', `${process.version}-${process.arch}`)
/** The last line of each of the bundle's files. */
const KEY_LINE = /\n\/\/# code-cache-key=([0-9a-f]{16})\n$/

/** Where the cache of this content of the file lives, if the content has a key. */
function cacheFileOf(filename, content) {
  const key = KEY_LINE.exec(content.slice(-64))?.[1]
  return key && join(CACHE_DIR, `${relative(BUNDLE, filename)}.${key}`)
}

/**
 * Compiles the bundle's files as Node.js would (the same wrapper, `this`, require and module), through
 * a vm.Script that can take and give a code cache. Other files are Node's own business.
 */
function compileBundleFiles(scriptFor) {
  const compile = Module.prototype._compile
  Module.prototype._compile = function (content, filename) {
    const file = filename.startsWith(BUNDLE + sep) && filename.endsWith('.cjs') ? cacheFileOf(filename, content) : undefined
    if (!file) return compile.call(this, content, filename)
    const wrapper = scriptFor(content, filename, file).runInThisContext({displayErrors: true})
    return wrapper.call(this.exports, this.exports, Module.createRequire(filename), this, filename, dirname(filename))
  }
}

const scriptOf = (content, filename, cachedData) =>
  new vm.Script(Module.wrap(content), {filename, cachedData, importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER})

/**
 * Compile the bundle's files with this Node.js's caches, when the build wrote them. Returns what
 * became of each file's cache as it loads ('accepted', 'rejected' by V8, or 'absent').
 */
function useCodeCache() {
  const outcomes = new Map()
  if (!existsSync(CACHE_DIR)) return outcomes
  compileBundleFiles((content, filename, file) => {
    let cachedData
    try {
      cachedData = readFileSync(file)
    } catch {
      // A file none of the build's runs loaded, or changed since: compiled as without a cache.
    }
    const script = scriptOf(content, filename, cachedData)
    outcomes.set(filename, cachedData === undefined ? 'absent' : script.cachedDataRejected ? 'rejected' : 'accepted')
    return script
  })
  return outcomes
}

/** For the build: as the process exits, write each bundle file's cache of all the code that ran. */
function recordCodeCache() {
  const scripts = new Map()
  compileBundleFiles((content, filename, file) => {
    const script = scriptOf(content, filename)
    scripts.set(file, script)
    return script
  })
  process.on('exit', () => {
    for (const [file, script] of scripts) {
      mkdirSync(dirname(file), {recursive: true})
      writeFileSync(file, script.createCachedData())
    }
  })
}

module.exports = {useCodeCache, recordCodeCache}
