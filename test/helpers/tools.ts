import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {expect} from 'vitest'
import {corpusDir, hasShared} from './paths.js'

/**
 * The real tools the tests drive, and the assertions made with them (Nix that parses, domain XML
 * that validates against libvirt's schema, a diff that patch applies).
 */

/**
 * Whether tests may drive a real tool: it is installed here, or this is CI. .ci/run installs every
 * one (libvirt-clients, pciutils, libxml2-utils, nix-bin, patch, bsdutils),
 * so in CI a missing tool fails the tests that need it instead of skipping them.
 */
export function realTool(command: string, args: string[] = ['--version']): boolean {
  return process.env.CI === 'true' || spawnSync(command, args, {stdio: 'ignore'}).status === 0
}

export const hasXmllint = realTool('xmllint')
export const hasNix = realTool('nix-instantiate')
export const hasPatch = realTool('patch')
export const hasLspci = realTool('lspci')
export const hasScript = realTool('script')

const work = mkdtempSync(join(tmpdir(), 'vfio-doctor-tools-'))

export function expectNixParses(text: string, label: string): void {
  if (!hasNix) return
  const file = join(work, `${label}.nix`)
  writeFileSync(file, text)
  const result = spawnSync('nix-instantiate', ['--parse', file], {encoding: 'utf8', env: {...process.env, NIX_CONFIG: 'build-users-group ='}})
  expect(result.status, `${text}\n${result.stderr}`).toBe(0)
}

/** Against ../shared's copy of libvirt's domain.rng (not checked without ../shared). */
export function expectValidDomain(xml: string, label: string): void {
  if (!hasXmllint || !hasShared) return
  const file = join(work, `${label}.xml`)
  writeFileSync(file, xml)
  const result = spawnSync('xmllint', ['--noout', '--relaxng', join(corpusDir, 'libvirt-schemas', 'domain.rng'), file], {encoding: 'utf8'})
  expect(result.status, `${xml}\n${result.stderr}`).toBe(0)
}

/** patch turns the original into the rewritten text, byte for byte. */
export function expectPatchApplies(original: string, diff: string, rewritten: string, label: string): void {
  if (!hasPatch) return
  const file = join(work, `${label}-patched.xml`)
  writeFileSync(file, original)
  const result = spawnSync('patch', ['--quiet', '--no-backup-if-mismatch', file], {input: diff, encoding: 'utf8'})
  expect(result.status, `${diff}\n${result.stdout}${result.stderr}`).toBe(0)
  expect(readFileSync(file, 'utf8')).toBe(rewritten)
}
