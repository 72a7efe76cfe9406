import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {fixturesDir} from './paths.js'

/** The fixture hosts: each folder of fixtures/. */
export const fixtureHosts = readdirSync(fixturesDir).filter((n) => statSync(join(fixturesDir, n)).isDirectory()).sort()

/** The GPU a fixture names for the guest in its expected.json (`--gpu`), if any. */
export function fixtureGpu(host: string): string | undefined {
  const expected = join(fixturesDir, `${host}.expected.json`)
  return existsSync(expected) ? (JSON.parse(readFileSync(expected, 'utf8')) as {gpu?: string}).gpu : undefined
}
