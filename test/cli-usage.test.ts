/** Asking for what does not exist is bad usage (exit 2, one line, a did-you-mean), never "No issues found". */
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {cli} from './helpers/cli.js'
import {fixturesDir, repoRoot} from './helpers/paths.js'

const work = mkdtempSync(join(tmpdir(), 'vfio-doctor-usage-'))
afterAll(() => rmSync(work, {recursive: true, force: true}))
const folder = (name: string, files: Record<string, string>) => {
  const dir = join(work, name)
  mkdirSync(dir)
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text)
  return dir
}
const seed000 = join(fixturesDir, 'seed-000-boot-freeze')

describe('check: bad usage is exit 2 with one line', () => {
  it.each([
    ['an empty folder', () => ['--input', folder('empty', {})], /nothing to judge in .*: it is empty\. Gather the evidence with `sudo vfio-doctor capture DIR`/],
    ['only unrelated text', () => ['--input', folder('unrelated', {'notes.txt': 'my shopping list\neggs\nmilk\n'})], /none of its text is output vfio-doctor recognises/],
    ['--only an id that does not exist', () => ['--input', seed000, '--only', 'nope'], /--only nope: no check or failure mode has that id; `vfio-doctor list`/],
    ['--only a typo', () => ['--input', seed000, '--only', 'iommu-enabeld'], /did you mean iommu-enabled\?/],
    ['--skip a typo', () => ['--input', seed000, '--skip', 'gpu-rest-bug'], /--skip gpu-rest-bug: .*did you mean gpu-reset-bug\?/],
    ['--gpu that is no address', () => ['--input', seed000, '--gpu', 'zz'], /--gpu zz: not a PCI address/],
    ['--gpu not in the evidence', () => ['--input', seed000, '--gpu', '05:00.0'], /--gpu 05:00.0: no device at 0000:05:00.0 in the evidence \(did you mean 0000:01:00.0\?\)/],
  ])('%s', async (_name, args, message) => {
    const r = await cli(['check', ...args()])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(message)
  })
})

describe('check: never a false all-clear', () => {
  it('a lone "kvm: disabled by bios" in any file name is an error, exit 1', async () => {
    const r = await cli(['check', '--input', folder('kvm-off', {'paste.txt': '[   38.526047] kvm: disabled by bios\n'})])
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/KVM reports virtualization disabled by the firmware/)
    expect(r.stdout).toMatch(/kernel log line 1: kvm: disabled by bios/)
  })

  it('says which main areas the evidence could not judge, and how to gather them, instead of "No issues found"', async () => {
    const r = await cli(['check', '--input', folder('os-release-only', {'os-release': 'NAME=NixOS\nID=nixos\n'})])
    expect(r.stdout).not.toMatch(/No issues found/)
    expect(r.stdout.replace(/\s+/g, ' ')).toMatch(/No problem found in what could be judged, but the evidence says nothing of Host CPU, firmware and kernel, IOMMU, Device isolation\. Gather it with sudo vfio-doctor capture DIR/)
    // The shell line stays whole on a line of its own, to be copied.
    expect(r.stdout).toMatch(/^ {2}for c in 'cat \/proc\/cmdline' .* > evidence\.txt 2>&1$/m)
  })

  it('a domain alone is configuration: judged as such, and said so with the same way to gather the rest', async () => {
    const r = await cli(['check', '--input', folder('domain-only', {'vm.xml': "<domain type='kvm'><name>win10</name><os firmware='efi'><type>hvm</type></os><cpu mode='host-passthrough'/></domain>\n"})])
    expect(r.stdout).not.toMatch(/No issues found/)
    expect(r.stdout.replace(/\s+/g, ' ')).toMatch(/No problem found in what the configuration says; \d+ checks skipped \(-v shows why\)\. Judged from configuration alone: .* nor Host CPU, firmware and kernel, IOMMU, Device isolation beyond what the configuration says\./)
    expect(r.stdout).toMatch(/^ {2}for c in 'cat \/proc\/cmdline' .* > evidence\.txt 2>&1$/m)
  })
})

describe("oclif's own errors: one line in the tool's style, exit 2, with where to look", () => {
  it.each([
    ['a missing argument', ['explain'], /^vfio-doctor: missing 1 required arg: id, a failure mode's id, as `vfio-doctor list` shows them \(vfio-doctor explain --help\)$/],
    ['a number below its minimum', ['check', '--timeout', '0'], /^vfio-doctor: parsing --timeout: expected an integer greater than or equal to 1 but received: 0 \(vfio-doctor check --help\)$/],
    ['a word for a number', ['check', '--timeout', 'abc'], /^vfio-doctor: parsing --timeout: expected an integer but received: abc /],
    ['a value outside its choices', ['check', '--format', 'nope'], /^vfio-doctor: expected --format=nope to be one of: text, json, markdown, bbcode, junit, html, sarif, github, codequality \(vfio-doctor check --help\)$/],
    ['a flag that does not exist', ['groups', '--foo'], /^vfio-doctor: nonexistent flag: --foo \(vfio-doctor groups --help\)$/],
    ['a command typed wrong', ['chek'], /^vfio-doctor: no command "chek" \(did you mean check\?\); vfio-doctor --help lists them$/],
    ['a command nothing resembles', ['zzzzzz'], /^vfio-doctor: no command "zzzzzz"; vfio-doctor --help lists them$/],
    ['an argument to a command that takes none', ['check', 'extra'], /^vfio-doctor: check takes no argument "extra" \(vfio-doctor check --help shows its flags\)$/],
  ])('%s', async (_name, args, message) => {
    const r = await cli(args)
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1)
    expect(r.stderr.trimEnd()).toMatch(message)
  })
})

describe('help examples work for someone who installed the package', () => {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, {examples?: Array<string | {command: string}>}>}
  const examples = Object.entries(manifest.commands).flatMap(([id, c]) => (c.examples ?? []).map((e) => [id, typeof e === 'string' ? e : e.command] as const))

  it('the manifest has examples to judge', () => {
    expect(examples.length).toBeGreaterThan(10)
  })

  it.each(examples)('%s: %s names no path that only the repository has', (_id, example) => {
    expect(example).not.toMatch(/\b(fixtures|test|src)\//)
  })
})
