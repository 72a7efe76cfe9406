import {dirname, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

/** The repository root. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
/** ../shared/corpus: real public data, read in place and never copied into the repo. */
export const corpusDir = resolve(repoRoot, '../shared/corpus')
export const seedsDir = resolve(repoRoot, '../shared/seeds')
export const fixturesDir = resolve(repoRoot, 'fixtures')
