#!/usr/bin/env node
// CommonJS, like the bundle it loads: Node starts a CommonJS program without its ES module loader.
// The bundle's files compile with the code cache the build wrote for this Node.js, if it did
// (src/util/code-cache.cjs).
require('../dist/bundle/code-cache.cjs').useCodeCache()
// oclif's core checks the running Node.js against its own engines field with semver at import time;
// inside the bundle it cannot find that package.json, so the check only ever cost semver's loading.
// npm already holds Node.js to this package's engines field.
process.env.OCLIF_DISABLE_ENGINE_WARNING ??= '1'
const {execute, settings} = require('../dist/bundle/run.cjs')

// It runs its bundle, never its TypeScript: under NODE_ENV test or development oclif would look for
// the help class's source and warn that it found none.
settings.enableAutoTranspile = false

execute({dir: __filename})
