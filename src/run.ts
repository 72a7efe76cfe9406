// oclif's core, bundled as dist/bundle/run.cjs: bin/run.cjs takes execute and settings from it, and every
// command, the help class and the hook require it for the rest, so that all share one copy of it (see
// scripts/bundle.mjs).
export * from '@oclif/core'
