// What bin/run.js loads: oclif's core (and its settings), bundled into dist/bundle with the commands so that both share
// one copy of it (see scripts/bundle.mjs).
export {execute, settings} from '@oclif/core'
