// oclif's core, bundled as dist/bundle/run.cjs: bin/run.cjs takes execute and settings from it, and every
// command, the help class and the hook require it for the rest, so that all share one copy of it (see
// scripts/bundle.mjs).
export * from '@oclif/core'
// Packages oclif's core and our code both use: the commands take oclif's copies from here.
export {default as wrapAnsi} from 'wrap-ansi'
export {default as stringWidth} from 'string-width'
