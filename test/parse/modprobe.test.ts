import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {moduleKey, parseModprobe} from '../../src/parse/modprobe.js'
import {parseNixConfig} from '../../src/parse/nix-config.js'
import {hasShared} from '../helpers/paths.js'
import {fencedNixBlocks, SEED} from './nix-seeds.js'

describe('parseModprobe: one command per line', () => {
  // Lines as people write them in /etc/modprobe.d/*.conf: the first and `options nouveau` are from
  // LucienBrule/vfio-toggle secrets/NOTES.md; the rest are the common vfio.conf forms (softdep
  // ordering, install-to-disable, driver_override install hooks) with made-up ids.
  const cases: Array<[string, Partial<ReturnType<typeof parseModprobe>>]> = [
    [
      'options vfio-pci ids=10de:2206,10de:1aef',
      {options: [{module: 'vfio-pci', params: {ids: '10de:2206,10de:1aef'}, origin: 't', line: 1}]},
    ],
    [
      'options vfio-pci ids=10de:1b81,10de:10f0 disable_vga=1',
      {options: [{module: 'vfio-pci', params: {ids: '10de:1b81,10de:10f0', disable_vga: '1'}, origin: 't', line: 1}]},
    ],
    ['options nouveau modeset=0', {options: [{module: 'nouveau', params: {modeset: '0'}, origin: 't', line: 1}]}],
    ['softdep amdgpu pre: vfio-pci', {softdeps: [{module: 'amdgpu', pre: ['vfio-pci'], post: [], origin: 't', line: 1}]}],
    [
      'softdep nvidia pre: vfio vfio-pci post: x',
      {softdeps: [{module: 'nvidia', pre: ['vfio', 'vfio-pci'], post: ['x'], origin: 't', line: 1}]},
    ],
    ['blacklist nouveau', {blacklist: [{module: 'nouveau', origin: 't', line: 1}]}],
    ['install nouveau /bin/false', {installs: [{module: 'nouveau', command: '/bin/false', origin: 't', line: 1}]}],
    [
      'install vfio-pci /usr/local/bin/vfio-pci-override.sh; /sbin/modprobe --ignore-install vfio-pci',
      {
        installs: [
          {
            module: 'vfio-pci',
            command: '/usr/local/bin/vfio-pci-override.sh; /sbin/modprobe --ignore-install vfio-pci',
            origin: 't',
            line: 1,
          },
        ],
      },
    ],
    ['options snd_hda_intel enable_msi', {options: [{module: 'snd_hda_intel', params: {enable_msi: ''}, origin: 't', line: 1}]}],
    ['options foo bar="a b" baz=1', {options: [{module: 'foo', params: {bar: 'a b', baz: '1'}, origin: 't', line: 1}]}],
  ]

  it.each(cases)('%s', (line, expected) => {
    const config = parseModprobe(line, 't')
    expect(config).toMatchObject({options: [], softdeps: [], blacklist: [], installs: [], ...expected})
    expect(config.warnings).toEqual([])
  })
})

describe('parseModprobe: files', () => {
  it('comments, blank lines, tabs and backslash continuations, as kmod reads them', () => {
    const config = parseModprobe(
      ['# VFIO', '', '  # indented comment', 'options\tvfio-pci \\', '    ids=10de:1b81,10de:10f0 \\', '    disable_vga=1', 'blacklist nouveau'].join('\n'),
      '/etc/modprobe.d/vfio.conf',
    )
    expect(config.options).toEqual([
      {module: 'vfio-pci', params: {ids: '10de:1b81,10de:10f0', disable_vga: '1'}, origin: '/etc/modprobe.d/vfio.conf', line: 4},
    ])
    expect(config.blacklist).toEqual([{module: 'nouveau', origin: '/etc/modprobe.d/vfio.conf', line: 7}])
    expect(config.warnings).toEqual([])
  })

  it('a # after a command is not a comment: modprobe passes it to the module', () => {
    const config = parseModprobe('options vfio-pci ids=10de:1b81 # my GPU', 't')
    expect(config.options[0]!.params).toEqual({ids: '10de:1b81', '#': '', my: '', GPU: ''})
    expect(config.warnings).toEqual(["line 1: '#' inside a line is not a comment for modprobe; the module gets it as a parameter"])
  })

  it('unknown commands and missing module names are warned about; alias and remove are ignored', () => {
    const config = parseModprobe(['alias pci:v000010DEd* nvidia', 'remove foo /bin/true', 'optoins vfio-pci ids=1', 'blacklist', 'softdep x vfio'].join('\n'), 't')
    expect(config).toMatchObject({options: [], blacklist: [], installs: [], softdeps: [{module: 'x', pre: [], post: []}]})
    expect(config.warnings).toEqual([
      "line 3: unknown command 'optoins' (modprobe ignores the line)",
      "line 4: 'blacklist' without a module name",
      "line 5: softdep module 'vfio' before any 'pre:' or 'post:'",
    ])
  })

  it('CRLF files read the same', () => {
    const text = 'options vfio-pci ids=10de:1b81\nsoftdep nvidia pre: vfio-pci\n'
    expect(parseModprobe(text.replace(/\n/g, '\r\n'), 't')).toEqual(parseModprobe(text, 't'))
  })

  it.skipIf(!hasShared)('reads the extraModprobeConfig of seed 003 (vini) as modprobe would', () => {
    const block = fencedNixBlocks(SEED.vini).find((b) => b.from === 463)!
    const nix = parseNixConfig(block.text, block.seed)
    const config = parseModprobe(nix.extraModprobeConfig!.value!, 'boot.extraModprobeConfig')
    expect(config.options).toEqual([{module: 'vfio-pci', params: {ids: '10de:1b81'}, origin: 'boot.extraModprobeConfig', line: 1}])
  })
})

describe('moduleKey', () => {
  it('dashes and underscores name the same module', () => {
    expect(moduleKey('vfio-pci')).toBe('vfio_pci')
    expect(moduleKey('vfio_pci')).toBe('vfio_pci')
    expect(moduleKey('snd-hda-intel')).toBe(moduleKey('snd_hda_intel'))
  })
})

describe('property: any text gives a result, quickly', () => {
  const words = fc.constantFrom('options', 'softdep', 'blacklist', 'install', 'pre:', 'post:', 'vfio-pci', 'ids=1', '"', '#', '\\', '\n', '\r\n', ' ', '\t', '=', '\0')

  it('arbitrary strings and modprobe-shaped soup never throw', () => {
    fc.assert(fc.property(fc.string({unit: 'binary', maxLength: 300}), (text) => void parseModprobe(text, 'f')), {numRuns: 500})
    fc.assert(fc.property(fc.array(words, {maxLength: 200}), (parts) => void parseModprobe(parts.join(''), 'f')), {numRuns: 1000})
  })

  it('a parameter named __proto__ stays a parameter', () => {
    const params = parseModprobe('options m __proto__=x constructor=y', 't').options[0]!.params
    expect(Object.keys(params)).toEqual(['__proto__', 'constructor'])
    expect(Object.getPrototypeOf(params)).toBe(Object.prototype)
  })

  it('a 10 MB single line, and 10 MB of continuations, in bounded time', () => {
    const size = 10 * 1024 * 1024
    for (const text of ['options m ' + 'a=1 '.repeat(size / 4), 'x'.repeat(size), '\\\n'.repeat(size / 2), '"'.repeat(size), 'softdep m pre: ' + 'a '.repeat(size / 2)]) {
      const started = performance.now()
      parseModprobe(text, 'big')
      expect(performance.now() - started).toBeLessThan(10_000)
    }
  }, 120_000)
})
