/**
 * V8's code cache for the bundle (src/util/code-cache.cjs): the build's caches are taken by the Node.js
 * that built them, a file changed since its cache was written never runs its old code, and a cache V8
 * refuses only costs its reading.
 */
import {execFileSync} from 'node:child_process'
import {copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {repoRoot} from '../helpers/paths.js'

const LOADER = join(repoRoot, 'src/util/code-cache.cjs')

/** In a new process: calls `call` on the loader in `bundle`, requires `files`, prints what each printed and each cache's outcome. */
function inProcess(bundle: string, call: 'useCodeCache' | 'recordCodeCache', files: string[]): {printed: string[]; outcomes: Record<string, string>} {
  const program = `
const outcomes = require(${JSON.stringify(join(bundle, 'code-cache.cjs'))}).${call}()
const printed = ${JSON.stringify(files)}.map((f) => require(require('node:path').join(${JSON.stringify(bundle)}, f)))
console.log(JSON.stringify({printed, outcomes: Object.fromEntries([...(outcomes ?? [])].map(([k, v]) => [require('node:path').relative(${JSON.stringify(bundle)}, k), v]))}))`
  return JSON.parse(execFileSync(process.execPath, ['-e', program], {encoding: 'utf8'})) as {printed: string[]; outcomes: Record<string, string>}
}

const keyed = (body: string, key: string) => `${body}\n//# code-cache-key=${key}\n`

describe('the code cache', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vfio-doctor-code-cache-'))
  afterAll(() => rmSync(dir, {recursive: true, force: true}))
  const bundle = join(dir, 'bundle')
  mkdirSync(bundle)
  copyFileSync(LOADER, join(bundle, 'code-cache.cjs'))
  const cacheDir = join(bundle, 'code-cache', `${process.version}-${process.arch}`)

  it("is written for the files the build's runs load, then taken by the same Node.js", () => {
    writeFileSync(join(bundle, 'a.cjs'), keyed("module.exports = ['first'].map((w) => w + ' version')[0]", '0123456789abcdef'))
    expect(inProcess(bundle, 'recordCodeCache', ['a.cjs']).printed).toEqual(['first version'])
    expect(readdirSync(cacheDir)).toEqual(['a.cjs.0123456789abcdef'])
    expect(inProcess(bundle, 'useCodeCache', ['a.cjs'])).toEqual({printed: ['first version'], outcomes: {'a.cjs': 'accepted'}})
  })

  it('is not found for a file changed since, even to the same length (V8 would take it and run the old code)', () => {
    writeFileSync(join(bundle, 'a.cjs'), keyed("module.exports = ['other'].map((w) => w + ' version')[0]", 'fedcba9876543210'))
    expect(inProcess(bundle, 'useCodeCache', ['a.cjs'])).toEqual({printed: ['other version'], outcomes: {'a.cjs': 'absent'}})
  })

  it('refused by V8 (another build of V8, other flags, damage), costs nothing but its reading', () => {
    writeFileSync(join(cacheDir, 'a.cjs.fedcba9876543210'), Buffer.alloc(4096, 7))
    expect(inProcess(bundle, 'useCodeCache', ['a.cjs'])).toEqual({printed: ['other version'], outcomes: {'a.cjs': 'rejected'}})
  })

  it("leaves a file without a key to Node, and every file when there are no caches for this Node.js", () => {
    writeFileSync(join(bundle, 'plain.cjs'), "module.exports = 'plain'\n")
    expect(inProcess(bundle, 'useCodeCache', ['plain.cjs', 'a.cjs']).outcomes).toEqual({'a.cjs': 'rejected'})
    rmSync(join(bundle, 'code-cache'), {recursive: true})
    expect(inProcess(bundle, 'useCodeCache', ['plain.cjs', 'a.cjs'])).toEqual({printed: ['plain', 'other version'], outcomes: {}})
  })
})

describe.runIf(existsSync(join(repoRoot, 'dist/bundle/code-cache.cjs')))("the build's caches", () => {
  it('are taken for oclif and for a check, by the Node.js that built them', () => {
    const bundle = join(repoRoot, 'dist/bundle')
    const {outcomes} = inProcess(bundle, 'useCodeCache', ['run.cjs', 'commands/check.cjs'])
    expect(outcomes).toEqual({'run.cjs': 'accepted', 'commands/check.cjs': 'accepted'})
  })
})
