import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {expect} from 'vitest'
import {corpusDir, hasShared} from './paths.js'

/**
 * The real tools the tests drive, and the assertions made with them (Nix that parses, domain XML
 * that validates against libvirt's schema, a diff that patch applies).
 */

/**
 * Whether tests may drive a real tool. Where it is missing, the tests that need it are skipped and
 * the run says which package brings it; in CI (.ci/run installs every one) a missing tool is an
 * error, never a quiet skip.
 */
export function realTool(command: string, debianPackage: string, args: string[] = ['--version']): boolean {
  if (spawnSync(command, args, {stdio: 'ignore'}).status === 0) return true
  if (process.env.CI === 'true') throw new Error(`CI needs ${command}: .ci/run installs Debian's ${debianPackage}`)
  process.stderr.write(`skipping the tests that drive ${command}: install Debian's ${debianPackage}\n`)
  return false
}

export const hasXmllint = realTool('xmllint', 'libxml2-utils')
export const hasNix = realTool('nix-instantiate', 'nix-bin')
export const hasPatch = realTool('patch', 'patch')
export const hasLspci = realTool('lspci', 'pciutils')
export const hasScript = realTool('script', 'bsdutils')
export const hasVirsh = realTool('virsh', 'libvirt-clients')

const work = mkdtempSync(join(tmpdir(), 'vfio-doctor-tools-'))

export function expectNixParses(text: string, label: string): void {
  if (!hasNix) return
  const file = join(work, `${label}.nix`)
  writeFileSync(file, text)
  const result = spawnSync('nix-instantiate', ['--parse', file], {encoding: 'utf8', env: {...process.env, NIX_CONFIG: 'build-users-group ='}})
  expect(result.status, `${text}\n${result.stderr}`).toBe(0)
}

/**
 * libvirt's domain.rng: ../shared's copy (libvirt 10.7.0) where it is, else the one libvirt installs
 * (/usr/share/libvirt/schemas, Debian's libvirt0, which libvirt-clients depends on).
 */
const SYSTEM_DOMAIN_SCHEMA = '/usr/share/libvirt/schemas/domain.rng'
const domainSchema = hasShared ? join(corpusDir, 'libvirt-schemas', 'domain.rng') : SYSTEM_DOMAIN_SCHEMA
const hasDomainSchema = process.env.CI === 'true' || existsSync(domainSchema)

export function expectValidDomain(xml: string, label: string): void {
  if (!hasXmllint || !hasDomainSchema) return
  const file = join(work, `${label}.xml`)
  writeFileSync(file, xml)
  const result = spawnSync('xmllint', ['--noout', '--relaxng', domainSchema, file], {encoding: 'utf8'})
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
