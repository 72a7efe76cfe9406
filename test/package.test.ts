/** The npm package as a user gets it: built by prepack, packed, installed globally into an empty prefix, run from there. */
import {execFileSync, spawnSync} from 'node:child_process'
import {cpSync, mkdtempSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {fixturesDir, repoRoot} from './helpers/paths.js'
import {hasNix} from './helpers/tools.js'

describe('npm package', () => {
  it('publishes package.json as written: npm corrects nothing (a "./" bin path was dropped)', () => {
    const result = spawnSync('npm', ['publish', '--dry-run', '--ignore-scripts', '--offline'], {cwd: repoRoot, encoding: 'utf8'})
    expect(result.status, result.stderr).toBe(0)
    expect(result.stderr).not.toMatch(/auto-corrected|errors corrected|invalid and removed/)
  })

  it('packs from a fresh build with only JSON on stdout, installs globally, and runs check from the install', {timeout: 300_000}, () => {
    // prepack rebuilds dist/, which other tests read: pack a copy of the tree instead.
    const tree = mkdtempSync(join(tmpdir(), 'vfio-doctor-tree-'))
    const leftOut = new Set(['node_modules', 'dist', '.git'].map((name) => join(repoRoot, name)))
    cpSync(repoRoot, tree, {recursive: true, filter: (path) => !leftOut.has(path) && !path.endsWith('.tgz')})
    symlinkSync(join(repoRoot, 'node_modules'), join(tree, 'node_modules'))

    const dest = mkdtempSync(join(tmpdir(), 'vfio-doctor-pack-'))
    const stdout = execFileSync('npm', ['pack', '--json', '--pack-destination', dest], {cwd: tree, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']})
    const [packed] = JSON.parse(stdout) as [{filename: string; files: {path: string}[]}]
    const files = packed.files.map((f) => f.path)
    // What runs, and nothing else: no tests, sources or fixtures.
    expect(files).toEqual(expect.arrayContaining(['bin/run.cjs', 'oclif.manifest.json', 'knowledge/iommu-firmware-off.md', 'dist/bundle/commands/check.cjs', 'package.json', 'README.md', 'LICENSE']))
    expect(files.filter((f) => /^(test|src|fixtures|scripts|dist\/src|dist\/checks)\//.test(f) || f.endsWith('.ts'))).toEqual([])

    const prefix = mkdtempSync(join(tmpdir(), 'vfio-doctor-prefix-'))
    execFileSync('npm', ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', join(dest, packed.filename)], {stdio: 'ignore'})
    const bin = join(prefix, 'bin/vfio-doctor')
    expect(execFileSync(bin, ['--version'], {encoding: 'utf8'})).toMatch(/^vfio-doctor\/\d+\.\d+\.\d+ /)
    // The help class is loaded by its path in package.json, and wraps with the runtime dependencies.
    expect(execFileSync(bin, ['check', '--help'], {encoding: 'utf8', env: {...process.env, COLUMNS: '60'}})).toMatch(/^Diagnose GPU passthrough: read the evidence, say what is\nwrong/)
    const check = spawnSync(bin, ['check', '--input', join(fixturesDir, 'seed-000-vtd-off'), '--format', 'json'], {encoding: 'utf8'})
    expect(check.status, check.stderr).toBe(1) // the fixture has an error finding
    expect(JSON.parse(check.stdout).findings.map((f: {id: string}) => f.id)).toContain('iommu-firmware-off')
  })
})

// flake.nix cannot be built here (no nixpkgs), so it is parsed; CI installs nix-bin, where it must run.
describe.runIf(hasNix)('flake.nix', () => {
  it('parses with nix-instantiate and offers the package, the app, the NixOS module and the checks', () => {
    const parsed = execFileSync('nix-instantiate', ['--parse', join(repoRoot, 'flake.nix')], {encoding: 'utf8', env: {...process.env, NIX_CONFIG: 'build-users-group ='}})
    for (const output of ['packages', 'apps', 'nixosModules', 'checks', 'buildNpmPackage', 'importNpmLock', 'module.nix']) expect(parsed).toContain(output)
  })
})
