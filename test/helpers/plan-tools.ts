/** The real tools a plan's output must satisfy: nix-instantiate, xmllint with libvirt's schema, patch. */
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {expect} from 'vitest'
import {corpusDir} from './paths.js'

export const hasXmllint = spawnSync('xmllint', ['--version']).status === 0
export const hasNix = spawnSync('nix-instantiate', ['--version']).status === 0
export const hasPatch = spawnSync('patch', ['--version']).status === 0
const work = mkdtempSync(join(tmpdir(), 'vfio-doctor-plan-'))

export function expectNixParses(text: string, label: string): void {
  if (!hasNix) return
  const file = join(work, `${label}.nix`)
  writeFileSync(file, text)
  const result = spawnSync('nix-instantiate', ['--parse', file], {encoding: 'utf8', env: {...process.env, NIX_CONFIG: 'build-users-group ='}})
  expect(result.status, `${text}\n${result.stderr}`).toBe(0)
}

export function expectValidDomain(xml: string, label: string): void {
  if (!hasXmllint) return
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
