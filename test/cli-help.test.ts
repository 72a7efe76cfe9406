/**
 * The bundle (oclif's core inside dist/bundle, commands found through oclif.manifest.json) must print
 * what oclif prints unbundled: bin/run.cjs is compared with oclif's core from node_modules running
 * tsc's output (dist/src) with no manifest, for every command's --help, the plugins' and the hook's.
 */
import {execFile} from 'node:child_process'
import {copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {cli, type CliResult} from './helpers/cli.js'
import {repoRoot} from './helpers/paths.js'

const unbundledRoot = mkdtempSync(join(tmpdir(), 'vfio-doctor-unbundled-'))
afterAll(() => rmSync(unbundledRoot, {recursive: true, force: true}))
const pjson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'))
pjson.oclif.commands = './dist/src/commands'
pjson.oclif.hooks = {command_not_found: './dist/src/hooks/command-not-found.js'}
writeFileSync(join(unbundledRoot, 'package.json'), JSON.stringify(pjson))
for (const name of ['dist', 'node_modules']) symlinkSync(join(repoRoot, name), join(unbundledRoot, name))

function unbundled(args: string[]): Promise<CliResult> {
  const {NODE_ENV: _vitest, ...personal} = process.env
  // Under -e, process.argv has no script path: the arguments start at 1.
  const script = `import {execute} from '@oclif/core'; await execute({dir: ${JSON.stringify(join(unbundledRoot, 'package.json'))}, args: process.argv.slice(1)})`
  return new Promise((resolve) => {
    execFile(process.execPath, ['--input-type=module', '-e', script, '--', ...args], {cwd: unbundledRoot, env: {...personal, NO_COLOR: '1'}}, (err, stdout, stderr) => {
      resolve({code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr})
    })
  })
}

const manifest = JSON.parse(readFileSync(join(repoRoot, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, unknown>}
const asked = [['--help'], ['help'], ['help', 'check'], ['autocomplete', '--help'], ['chek'], ...Object.keys(manifest.commands).map((id) => [id, '--help'])]

describe('the bundle prints what oclif prints unbundled', () => {
  it.each(asked.map((args) => [args.join(' '), args]))('vfio-doctor %s', async (_name, args) => {
    const [bundled, reference] = await Promise.all([cli(args), unbundled(args)])
    expect(reference.stdout.length + reference.stderr.length).toBeGreaterThan(0)
    expect(bundled).toEqual(reference)
  })
})

describe("oclif's debug output, which the bundle loads only when asked for", () => {
  it('DEBUG=oclif:* shows what oclif does, on stderr; without DEBUG nothing', async () => {
    const asked = await cli(['--version'], {DEBUG: 'oclif:*'})
    expect(asked.stderr).toMatch(/oclif:config loading core plugin from /)
    const quiet = await cli(['--version'])
    expect(quiet.stderr).toBe('')
    expect(quiet.stdout).toBe(asked.stdout)
  })
})

describe('what oclif requires but seldom calls, loaded on first use', () => {
  // NODE_DEBUG=module names every CommonJS module Node loads: the stand-ins require theirs that way.
  const run = async (args: string[]) => {
    const result = await cli(args, {NODE_DEBUG: 'module'})
    return {stdout: result.stdout, loaded: result.stderr.match(/^MODULE \d+: load "[^"]*node_modules\/[^"]*"/gm) ?? []}
  }

  it('a check reads no file in node_modules', async () => {
    const {stdout, loaded} = await run(['check', '--input', join(repoRoot, 'fixtures/seed-001-iso-permission')])
    expect(stdout).toContain('iso-permissions')
    expect(loaded).toEqual([])
  })

  it('help renders its templates with ejs, loaded from node_modules when asked for', async () => {
    const {stdout, loaded} = await run(['check', '--help'])
    expect(stdout).toContain('vfio-doctor check')
    expect(loaded.some((line) => line.includes('node_modules/ejs/'))).toBe(true)
  })
})

describe("the bundle's tinyglobby, loaded on its first glob", () => {
  it('without a manifest oclif finds the commands by their files, and runs them', async () => {
    const root = mkdtempSync(join(tmpdir(), 'vfio-doctor-no-manifest-'))
    try {
      // bin/run.cjs copied, not linked: Node runs a linked script from where it really is, by that manifest.
      mkdirSync(join(root, 'bin'))
      copyFileSync(join(repoRoot, 'bin/run.cjs'), join(root, 'bin/run.cjs'))
      for (const name of ['dist', 'node_modules', 'knowledge', 'schema', 'package.json']) symlinkSync(join(repoRoot, name), join(root, name))
      const listed = await new Promise<CliResult>((resolve) => {
        execFile(process.execPath, [join(root, 'bin/run.cjs'), 'list', '--json'], {cwd: root, env: {...process.env, DEBUG: 'oclif:config:*'}}, (err, stdout, stderr) =>
          resolve({code: err ? 1 : 0, stdout, stderr}),
        )
      })
      expect(listed.stderr).toMatch(/found commands \[\s+'capture',\s+'check'/)
      expect(JSON.parse(listed.stdout).checks.length).toBeGreaterThan(20)
    } finally {
      rmSync(root, {recursive: true, force: true})
    }
  })
})
