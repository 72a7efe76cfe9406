/**
 * Cross-check with Nix itself (Debian's nix-bin): the seed snippets Nix parses are the ones read
 * without a warning, the broken ones Nix rejects are the ones warned about, and every value the
 * parser claims to know is the value `nix-instantiate --eval` computes.
 */
import {hasNix} from '../helpers/tools.js'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {parseNixConfig, type NixConfig, type NixString} from '../../src/parse/nix-config.js'
import {hasShared} from '../helpers/paths.js'
import {fencedNixBlocks, SEED, UNFENCED, type Snippet} from './nix-seeds.js'


/** Corners of the grammar (free names a, b, c, f are bound around each). */
const VALID_SYNTAX = [
  'b.x or c',
  'x: y: x',
  '{ p ? 1, ... }@args: p',
  'rec { p = 1; q = p; }',
  '{ inherit a; inherit (b) x y; }',
  'assert a == 1; c',
  'if a > 0 then b else c',
  'b // { x = 1; } // b',
  '-1 + f -2',
  '!(a == c) && true || false -> true',
  'b.${"x"} or 1',
  '{ "${"n"}" = 1; ${"m"} = 2; "a b".c = 3; }',
  './hosts/${"n"}.nix',
  '<nixpkgs/nixos>',
  'http://example.org/a?b=c',
  '1.5e3 * 2 / 4',
  'b ? x.y',
  '[ (x: x) f ./p "s" \'\'i\'\' 1 b.c ]',
  'with b; [ a c ]',
  "''a ''${b} ''' ''\\t ${toString a}''",
  '"\\${a} $${b} ${toString a}"',
  'let p = 1; q = { r = p; }; in q.r',
  'let a-b = 1; in [ a-b ]',
  '{ a-b = 1; x\' = 2; }',
  'f -1',
  'a++[ 1 ]',
  'b.x.y or (b.z or 0)',
  '{ boot.kernelParams = [ "x" ]; } // (if a == 1 then {} else { y = 2; })',
  'builtins.concatStringsSep "," [ "a" ]',
  '/* c */ # c\n a',
]
const ARGS = '{ pkgs, lib, config, ... }:'

/** A file Nix can read: fragments get braces, bare sets get the usual module arguments. */
function asModule(text: string): string {
  const body = text.trim()
  if (/^\{[^{}]*\}\s*:/.test(body)) return text
  return body.startsWith('{') ? `${ARGS} ${text}` : `${ARGS} {\n${text}\n}`
}

const OPTIONS: Record<string, string> = {
  kernelParams: 'boot.kernelParams',
  kernelModules: 'boot.kernelModules',
  initrdKernelModules: 'boot.initrd.kernelModules',
  initrdAvailableKernelModules: 'boot.initrd.availableKernelModules',
  blacklistedKernelModules: 'boot.blacklistedKernelModules',
  tmpfilesRules: 'systemd.tmpfiles.rules',
  extraModprobeConfig: 'boot.extraModprobeConfig',
  postBootCommands: 'boot.postBootCommands',
}

/** What we claim to know, in the shape Nix prints; options with an unknown part are left out. */
function known(config: NixConfig): Record<string, unknown> {
  const list = (strings: NixString[] | undefined): unknown =>
    strings === undefined ? null : strings.every((s) => s.value !== undefined) ? strings.map((s) => s.value) : undefined
  const claims: Record<string, unknown> = {
    kernelParams: list(config.kernelParams),
    kernelModules: list(config.kernelModules),
    initrdKernelModules: list(config.initrdKernelModules),
    initrdAvailableKernelModules: list(config.initrdAvailableKernelModules),
    blacklistedKernelModules: list(config.blacklistedKernelModules),
    tmpfilesRules: list(config.tmpfilesRules),
    extraModprobeConfig: config.extraModprobeConfig ? config.extraModprobeConfig.value : null,
    postBootCommands: config.bootCommands.find((c) => c.option === 'boot.postBootCommands')?.text ?? null,
  }
  return Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined))
}

describe.skipIf(!hasNix)('against nix-instantiate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vfio-doctor-nix-'))
  afterAll(() => rmSync(dir, {recursive: true, force: true}))
  let count = 0
  const write = (text: string): string => {
    const file = join(dir, `snippet-${count++}.nix`)
    writeFileSync(file, text)
    return file
  }
  const nixParses = (snippet: Snippet): boolean => spawnSync('nix-instantiate', ['--parse', write(asModule(snippet.text))]).status === 0

  const wellFormed = [...fencedNixBlocks(SEED.blog2025), ...fencedNixBlocks(SEED.vini), UNFENCED.nixosWiki()]
  const broken = [UNFENCED.jakeHamilton(), UNFENCED.arroyoVfio(), UNFENCED.arroyoBlacklist(), UNFENCED.arroyoLibvirt()]
  const where = (s: Snippet): string => `${s.seed} lines ${s.from}-${s.to}`

  it.skipIf(!hasShared)('Nix parses the snippets read without a warning', () => {
    for (const snippet of wellFormed) {
      expect(nixParses(snippet), where(snippet)).toBe(true)
      expect(parseNixConfig(snippet.text, snippet.seed).warnings, where(snippet)).toEqual([])
    }
  })

  it.skipIf(!hasShared)('Nix rejects the snippets warned about', () => {
    for (const snippet of broken) {
      expect(nixParses(snippet), where(snippet)).toBe(false)
      expect(parseNixConfig(snippet.text, snippet.seed).warnings.length, where(snippet)).toBeGreaterThan(0)
    }
  })

  it('syntax Nix accepts is read without a warning', () => {
    for (const expr of VALID_SYNTAX) {
      const text = `let a = 1; b = {}; c = 3; f = x: x; in (${expr})`
      expect(spawnSync('nix-instantiate', ['--parse', write(text)]).status, expr).toBe(0)
      expect(parseNixConfig(text, 'valid.nix').warnings, expr).toEqual([])
    }
  })

  it.skipIf(!hasShared)('every value we claim to know is the value Nix evaluates', () => {
    let compared = 0
    for (const snippet of wellFormed) {
      const file = write(asModule(snippet.text))
      const fields = Object.entries(OPTIONS).map(([key, path]) => `${key} = m.${path} or null;`)
      const expr = `let m = import ${file} { pkgs = {}; lib = {}; config = {}; }; in { ${fields.join(' ')} }`
      const result = spawnSync('nix-instantiate', ['--eval', '--strict', '--json', '-E', expr], {encoding: 'utf8'})
      expect(result.status, `${where(snippet)}: ${result.stderr}`).toBe(0)
      const evaluated = JSON.parse(result.stdout) as Record<string, unknown>
      const claims = known(parseNixConfig(snippet.text, snippet.seed))
      for (const [key, value] of Object.entries(claims)) {
        expect(value, `${where(snippet)} ${key}`).toEqual(evaluated[key])
        if (value !== null) compared++
      }
    }
    expect(compared).toBeGreaterThanOrEqual(20)
  })
})
