import {existsSync, readFileSync} from 'node:fs'
import {dirname, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

/** The repository root. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
/** ../shared, or VFIO_DOCTOR_SHARED (Stryker runs the tests in a copy of the repository elsewhere). */
const sharedDir = process.env.VFIO_DOCTOR_SHARED ?? resolve(repoRoot, '../shared')
/** ../shared/corpus: real public data, read in place and never copied into the repo. */
export const corpusDir = resolve(sharedDir, 'corpus')
export const seedsDir = resolve(sharedDir, 'seeds')
export const fixturesDir = resolve(repoRoot, 'fixtures')
export const devsetCasesDir = resolve(repoRoot, 'test/devset/cases')

/**
 * ../shared sits next to the repository in CI, not next to a fresh clone. Without it the tests that
 * read it are skipped (describe.skipIf(!hasShared)), and readShared gives '' so that the tables
 * those tests are built from still load.
 */
export const hasShared = existsSync(corpusDir) && existsSync(seedsDir)

export function readShared(path: string): string {
  return hasShared ? readFileSync(path, 'utf8') : ''
}

/** A file of a development-set case (test/devset/cases/NAME/FILE): real pasted evidence, in the repository. */
export function devsetFile(name: string, file: string): string {
  return readFileSync(resolve(repoRoot, 'test/devset/cases', name, file), 'utf8')
}
