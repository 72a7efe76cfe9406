#!/usr/bin/env node
import {execute, settings} from '../dist/bundle/run.js'

// It runs its bundle, never its TypeScript: under NODE_ENV test or development oclif would look for
// the help class's source and warn that it found none.
settings.enableAutoTranspile = false

await execute({dir: import.meta.url})
