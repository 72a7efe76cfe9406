// Bundles each command with what it imports into dist/bundle (shared code in chunks, npm packages
// left as they are): one file to load instead of ~140 keeps `check` close to Node's own start-up.
import {readdirSync} from 'node:fs'
import {build} from 'esbuild'

const commands = 'dist/src/commands'
await build({
  entryPoints: readdirSync(commands).filter((f) => f.endsWith('.js')).map((f) => `${commands}/${f}`),
  outdir: 'dist/bundle',
  entryNames: 'commands/[name]',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
})
