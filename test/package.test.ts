/** The npm package as a user gets it: packed, installed into an empty folder, run from there. */
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readdirSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {fixturesDir, repoRoot} from './helpers/paths.js'
import {hasNix} from './helpers/tools.js'

describe('npm package', () => {
  it('packs, installs without dev dependencies, and runs check from the install', {timeout: 240_000}, () => {
    const dest = mkdtempSync(join(tmpdir(), 'vfio-doctor-pack-'))
    const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dest], {cwd: repoRoot, encoding: 'utf8'}))
    const files: string[] = packed[0].files.map((f: {path: string}) => f.path)
    // What runs, and nothing else: no tests, sources or fixtures.
    expect(files).toEqual(expect.arrayContaining(['bin/run.js', 'oclif.manifest.json', 'knowledge/iommu-firmware-off.md', 'dist/bundle/commands/check.js', 'package.json', 'README.md', 'LICENSE']))
    expect(files.filter((f) => /^(test|src|fixtures|scripts|dist\/src|dist\/checks)\//.test(f) || f.endsWith('.ts'))).toEqual([])

    const app = mkdtempSync(join(tmpdir(), 'vfio-doctor-install-'))
    writeFileSync(join(app, 'package.json'), '{"name":"try-vfio-doctor","private":true}')
    const tgz = join(dest, readdirSync(dest).find((f) => f.endsWith('.tgz'))!)
    execFileSync('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', tgz], {cwd: app, stdio: 'ignore'})
    const bin = join(app, 'node_modules/.bin/vfio-doctor')
    expect(execFileSync(bin, ['--version'], {encoding: 'utf8'})).toMatch(/^vfio-doctor\/\d+\.\d+\.\d+ /)
    // The help class is loaded by its path in package.json, and wraps with the runtime dependencies.
    expect(execFileSync(bin, ['check', '--help'], {encoding: 'utf8', env: {...process.env, COLUMNS: '60'}})).toMatch(/^Diagnose GPU passthrough: read the evidence, say what is\nwrong/)
    let out = ''
    try {
      out = execFileSync(bin, ['check', '--input', join(fixturesDir, 'seed-000-vtd-off'), '--format', 'json'], {encoding: 'utf8'})
    } catch (err) {
      out = (err as {stdout: string}).stdout // exit 1: the fixture has an error finding
    }
    expect(JSON.parse(out).findings.map((f: {id: string}) => f.id)).toContain('iommu-firmware-off')
  })
})

// flake.nix cannot be built here (no nixpkgs), so it is parsed; CI installs nix-bin, where it must run.
describe.runIf(hasNix)('flake.nix', () => {
  it('parses with nix-instantiate and offers the package, the app, the NixOS module and the checks', () => {
    const parsed = execFileSync('nix-instantiate', ['--parse', join(repoRoot, 'flake.nix')], {encoding: 'utf8', env: {...process.env, NIX_CONFIG: 'build-users-group ='}})
    for (const output of ['packages', 'apps', 'nixosModules', 'checks', 'buildNpmPackage', 'npmDepsHash', 'environment']) expect(parsed).toContain(output)
  })
})
