import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {parseNixConfig, type NixConfig, type NixString} from '../../src/parse/nix-config.js'
import {hasShared} from '../helpers/paths.js'
import {fencedNixBlocks, readSeed, SEED, UNFENCED, type Snippet} from './nix-seeds.js'

const values = (list: NixString[] | undefined): Array<string | undefined> | undefined => list?.map((s) => s.value)
const parse = (snippet: Snippet): NixConfig => parseNixConfig(snippet.text, snippet.seed)

describe.skipIf(!hasShared)('seed 000 (blog, 2025): the ```nix blocks', () => {
  const blocks = fencedNixBlocks(SEED.blog2025)

  it('finds the five blocks where the document has them', () => {
    expect(blocks.map((b) => [b.from, b.to])).toEqual([
      [70, 86],
      [137, 137],
      [260, 276],
      [329, 365],
      [386, 422],
    ])
  })

  it('reads every block without a warning', () => {
    for (const block of blocks) expect(parse(block).warnings, `lines ${block.from}-${block.to}`).toEqual([])
  })

  it('first module: libvirtd with OVMF and swtpm, violet in libvirtd and kvm', () => {
    const config = parse(blocks[0]!)
    expect(config.libvirtd).toEqual({enable: true, ovmf: true, swtpm: true})
    expect(config.userGroups).toEqual([
      {
        user: 'violet',
        userRaw: 'violet',
        line: 84,
        groups: [
          {value: 'libvirtd', raw: '"libvirtd"', line: 84, interpolated: false},
          {value: 'kvm', raw: '"kvm"', line: 84, interpolated: false},
        ],
      },
    ])
    expect(config.kernelParams).toBeUndefined()
  })

  it('the one-line IOMMU snippet', () => {
    expect(parse(blocks[1]!).kernelParams).toEqual([{value: 'intel_iommu=on', raw: '"intel_iommu=on"', line: 137, interpolated: false}])
  })

  it('final config: VFIO modules before the GPU drivers, in order, and the RX 580 ids', () => {
    for (const block of [blocks[2]!, blocks[3]!]) {
      const config = parse(block)
      expect(values(config.initrdKernelModules)).toEqual(['vfio_pci', 'vfio', 'vfio_iommu_type1', 'i915', 'amdgpu'])
      expect(values(config.kernelParams)).toEqual(['intel_iommu=on', 'vfio-pci.ids=1002:67df,1002:aaf0'])
    }
    const final = parse(blocks[3]!)
    expect(final.initrdKernelModules!.map((m) => m.line)).toEqual([334, 335, 336, 338, 339])
    expect(final.kernelParams!.map((p) => p.line)).toEqual([343, 345])
    expect(final.libvirtd).toEqual({enable: true, ovmf: true, swtpm: true})
    expect(final.userGroups.map((u) => [u.user, values(u.groups)])).toEqual([['violet', ['libvirtd', 'kvm']]])
  })

  it('"disabled" config: commented-out lines are not read', () => {
    const config = parse(blocks[4]!)
    expect(config.initrdKernelModules).toBeUndefined()
    expect(values(config.kernelParams)).toEqual(['intel_iommu=on'])
    expect(config.libvirtd).toEqual({enable: true, ovmf: true, swtpm: true})
  })
})

describe.skipIf(!hasShared)('seed 003 (vini, 2021): the ```nix blocks', () => {
  const blocks = fencedNixBlocks(SEED.vini)
  const byStart = (line: number): NixConfig => parse(blocks.find((b) => b.from === line)!)

  it('finds the eight blocks and reads each without a warning', () => {
    expect(blocks.map((b) => b.from)).toEqual([56, 91, 138, 264, 290, 324, 374, 463])
    for (const block of blocks) expect(parse(block).warnings, `lines ${block.from}-${block.to}`).toEqual([])
  })

  it('IOMMU parameters (comments between elements skipped)', () => {
    expect(values(byStart(56).kernelParams)).toEqual(['intel_iommu=on', 'iommu=pt', 'pcie_aspm=off'])
  })

  it('host block: modules, blacklist, modprobe ids and the driver_override script', () => {
    const config = byStart(91)
    expect(values(config.kernelModules)).toEqual(['kvm-intel', 'vfio_pci', 'vfio_iommu_type1', 'vfio_virqfd', 'vfio'])
    expect(values(config.blacklistedKernelModules)).toEqual(['nvidia', 'nouveau'])
    expect(config.extraModprobeConfig).toEqual({
      value: 'options vfio-pci ids=10de:1b81',
      raw: '"options vfio-pci ids=10de:1b81"',
      line: 108,
      interpolated: false,
    })
    expect(config.bootCommands).toEqual([
      {
        option: 'boot.postBootCommands',
        line: 111,
        text: [
          'DEVS="0000:0f:00.0 0000:0f:00.1"',
          'for DEV in $DEVS; do',
          '  echo "vfio-pci" > /sys/bus/pci/devices/$DEV/driver_override',
          'done',
          'modprobe -i vfio-pci',
          '',
        ].join('\n'),
      },
    ])
  })

  it('libvirtd block: OVMF on, runAsRoot off', () => {
    expect(byStart(138).libvirtd).toEqual({enable: true, ovmf: true, runAsRoot: false})
  })

  it('shared memory files for Scream and Looking Glass', () => {
    expect(values(byStart(324).tmpfilesRules)).toEqual(['f /dev/shm/scream 0660 YOUR-USERNAME-HERE qemu-libvirtd -'])
    expect(values(byStart(374).tmpfilesRules)).toEqual(['f /dev/shm/looking-glass 0660 YOUR-USERNAME-HERE qemu-libvirtd -'])
  })

  it('final config: ${username} resolved from the let block', () => {
    const config = byStart(463)
    expect(config.bindings).toEqual(new Map([['username', 'vini']]))
    expect(config.tmpfilesRules).toEqual([
      {
        value: 'f /dev/shm/looking-glass 0660 vini qemu-libvirtd -',
        raw: '"f /dev/shm/looking-glass 0660 ${username} qemu-libvirtd -"',
        line: 514,
        interpolated: true,
      },
    ])
    expect(values(config.kernelParams)).toEqual(['intel_iommu=on', 'iommu=pt', 'pcie_aspm=off'])
    expect(values(config.kernelModules)).toEqual(['kvm-intel', 'vfio_pci', 'vfio_iommu_type1', 'vfio_virqfd', 'vfio'])
    expect(values(config.blacklistedKernelModules)).toEqual(['nvidia', 'nouveau'])
    expect(config.extraModprobeConfig?.value).toBe('options vfio-pci ids=10de:1b81')
    expect(config.bootCommands.map((c) => [c.option, c.line])).toEqual([['boot.postBootCommands', 493]])
    expect(config.bootCommands[0]!.text).toBe(
      'DEVS="0000:0f:00.0 0000:0f:00.1"\n\nfor DEV in $DEVS; do\n  echo "vfio-pci" > /sys/bus/pci/devices/$DEV/driver_override\ndone\nmodprobe -i vfio-pci\n',
    )
    expect(config.libvirtd).toEqual({enable: true, ovmf: true, runAsRoot: false})
    expect(config.userGroups).toEqual([])
  })
})

describe.skipIf(!hasShared)('seed 001 (pasted with lost lines): no let, unclosed brackets and strings', () => {
  const config = parse(UNFENCED.jakeHamilton())

  it('resolves ${platform} and ${user} from the bindings whose `let` was lost', () => {
    expect(config.bindings).toEqual(new Map([['user', 'my-user'], ['platform', 'amd']]))
    expect(config.kernelParams).toEqual([
      {value: 'amd_iommu=on', raw: '"${platform}_iommu=on"', line: 53, interpolated: true},
      {value: 'amd_iommu=pt', raw: '"${platform}_iommu=pt"', line: 53, interpolated: true},
      {value: 'kvm.ignore_msrs=1', raw: '"kvm.ignore_msrs=1"', line: 53, interpolated: false},
    ])
    expect(values(config.kernelModules)).toEqual(['kvm-amd', 'vfio_virqfd', 'vfio_pci', 'vfio_iommu_type1', 'vfio'])
    expect(values(config.tmpfilesRules)).toEqual(['f /dev/shm/looking-glass 0660 my-user qemu-libvirtd -'])
  })

  it('never guesses builtins.concatStringsSep', () => {
    expect(config.extraModprobeConfig).toEqual({
      raw: '"options vfio-pci ids=${builtins.concatStringsSep "," vfioIds}"',
      line: 54,
      interpolated: true,
    })
  })

  it('recovers libvirtd (ovmf = enabled) and the user after the lost closers', () => {
    expect(config.libvirtd).toEqual({enable: true, ovmf: true})
    expect(config.userGroups.map((u) => [u.user, u.userRaw, values(u.groups), u.line])).toEqual([
      ['my-user', '${user}', ['qemu-libvirtd', 'libvirtd', 'disk'], 82],
    ])
  })

  it('says what it repaired', () => {
    const text = config.warnings.join('\n')
    expect(text).toContain("line 44: bindings followed by 'in' without 'let'")
    expect(text).toContain('line 58: set opened on line 51 not closed before this line')
    expect(text).toContain("line 62: list opened on line 58 not closed (lost ']'?)")
    expect(text).toContain("line 70: indented string not closed (lost '';?)")
    expect(text).toContain('line 82: set opened on line 65 not closed before this line')
  })
})

describe.skipIf(!hasShared)('seed 002 (NixOS wiki): flat fragments without indentation', () => {
  const config = parse(UNFENCED.nixosWiki())

  it('reads them without a warning', () => {
    expect(config.warnings).toEqual([])
  })

  it('modules, parameters (trailing comments skipped), libvirtd and the extraUsers group', () => {
    expect(values(config.initrdKernelModules)).toEqual(['vfio_pci', 'vfio', 'vfio_iommu_type1', 'i915'])
    expect(config.initrdKernelModules!.map((m) => m.line)).toEqual([20, 21, 22, 23])
    expect(values(config.kernelParams)).toEqual(['intel_iommu=on', 'vfio-pci.ids=1002:67b0,1002:aac8,144d:a80a'])
    expect(config.libvirtd).toEqual({enable: true, ovmf: true, swtpm: true, runAsRoot: true})
    expect(config.userGroups.map((u) => [u.user, values(u.groups), u.line])).toEqual([['myUser', ['libvirtd'], 71]])
  })
})

describe.skipIf(!hasShared)('seed 004 (arroyo): fragments that lost their closing lines', () => {
  it('VFIO fragment: the lost kernelParams elements stay lost, the rest is read', () => {
    const config = parse(UNFENCED.arroyoVfio())
    expect(config.kernelParams).toEqual([])
    expect(values(config.initrdAvailableKernelModules)).toEqual(['vfio-pci'])
    expect(config.bootCommands).toEqual([
      {
        option: 'boot.initrd.preDeviceCommands',
        line: 99,
        text: [
          'DEVS="0000:00:02.0 0000:01:00.0 0000:01:00.1 0000:06:00.0"',
          'for DEV in $DEVS; do',
          '  echo "vfio-pci" > /sys/bus/pci/devices/$DEV/driver_override',
          'modprobe -i vfio-pci',
          '',
        ].join('\n'),
      },
    ])
    expect(config.kernelPackages).toBeUndefined() // commented out on line 104
    expect(config.warnings.join('\n')).toContain("line 98: list opened on line 96 not closed (lost ']'?)")
  })

  it('blacklist fragment: an empty, unclosed list', () => {
    const config = parse(UNFENCED.arroyoBlacklist())
    expect(config.blacklistedKernelModules).toEqual([])
    expect(config.warnings.length).toBeGreaterThan(0)
  })

  it('libvirtd fragment: enable read, the lost `};` reported', () => {
    const config = parse(UNFENCED.arroyoLibvirt())
    expect(config.libvirtd).toEqual({enable: true})
    expect(config.warnings.join('\n')).toContain('line 119: set opened on line 115 not closed before this line')
  })
})

describe('hand-written cases', () => {
  const read = (text: string): NixConfig => parseNixConfig(text, 'test.nix')

  it('let/in: literal bindings resolve interpolations, anything else stays unknown', () => {
    const config = read(`{ config, ... }:
let
  platform = "amd";
  ids = config.vfio.ids;
in {
  boot.kernelParams = [ "\${platform}_iommu=on" "vfio-pci.ids=\${ids}" "\${platform}-\${ids}" ];
}`)
    expect(config.kernelParams).toEqual([
      {value: 'amd_iommu=on', raw: '"${platform}_iommu=on"', line: 6, interpolated: true},
      {raw: '"vfio-pci.ids=${ids}"', line: 6, interpolated: true},
      {raw: '"${platform}-${ids}"', line: 6, interpolated: true},
    ])
    expect(config.bindings).toEqual(new Map([['platform', 'amd']]))
    expect(config.warnings).toEqual([])
  })

  it('inner bindings and function arguments shadow outer ones', () => {
    const config = read(`let p = "amd"; in {
  boot.kernelParams = let p = "intel"; in [ "\${p}_iommu=on" ];
  boot.kernelModules = (p: [ "kvm-\${p}" ]) "x";
}`)
    expect(values(config.kernelParams)).toEqual(['intel_iommu=on'])
    expect(config.kernelModules).toEqual([{raw: '(p: [ "kvm-${p}" ]) "x"', line: 3, interpolated: false, expression: true}])
  })

  it('function calls are never evaluated', () => {
    const config = read(`{ lib, ... }: let ids = [ "10de:1b81" ]; in {
  boot.kernelParams = [ ("vfio-pci.ids=" + lib.concatStringsSep "," ids) ];
  boot.extraModprobeConfig = "options vfio-pci ids=\${builtins.concatStringsSep "," ids}";
}`)
    expect(config.kernelParams).toEqual([
      {raw: '("vfio-pci.ids=" + lib.concatStringsSep "," ids)', line: 2, interpolated: false, expression: true},
    ])
    expect(config.extraModprobeConfig?.value).toBeUndefined()
    expect(config.extraModprobeConfig?.interpolated).toBe(true)
  })

  it('comments: # and /* */ are skipped, but not inside strings', () => {
    const config = read(`{
  # boot.kernelParams = [ "commented" ];
  /* boot.kernelModules = [ "block" ];
     boot.blacklistedKernelModules = [ "nouveau" ]; */
  boot.kernelParams = [ "a#b" /* inline */ "c/*d*/" ]; # trailing
}`)
    expect(values(config.kernelParams)).toEqual(['a#b', 'c/*d*/'])
    expect(config.kernelModules).toBeUndefined()
    expect(config.blacklistedKernelModules).toBeUndefined()
    expect(config.warnings).toEqual([])
  })

  it("'' strings: indentation stripped as Nix does, ''${ ''' and ''\\ escapes", () => {
    const config = read(`{
  boot.postBootCommands = ''
      echo ''\${HOME} '''quoted''' ''\\t
        nested
    '';
  boot.initrd.preDeviceCommands = ''  one line'';
}`)
    expect(config.bootCommands).toEqual([
      {option: 'boot.postBootCommands', line: 2, text: "echo ${HOME} ''quoted'' \t\n  nested\n"},
      {option: 'boot.initrd.preDeviceCommands', line: 6, text: 'one line'},
    ])
  })

  it('"" strings: escapes, and a literal $${', () => {
    const config = read('{ boot.kernelParams = [ "a\\"b\\\\c\\${d}" "e$${f}" "g\\nh" ]; }')
    expect(values(config.kernelParams)).toEqual(['a"b\\c${d}', 'e$${f}', 'g\nh'])
    expect(config.kernelParams!.every((p) => !p.interpolated)).toBe(true)
  })

  it('nested sets and flat paths combine, in the order written', () => {
    const config = read(`{
  boot = {
    initrd = { kernelModules = [ "a" ]; };
    initrd.availableKernelModules = [ "x" ];
  };
  boot.initrd.kernelModules = [ "b" ];
  "boot".initrd."kernelModules" = [ "c" ];
}`)
    expect(values(config.initrdKernelModules)).toEqual(['a', 'b', 'c'])
    expect(values(config.initrdAvailableKernelModules)).toEqual(['x'])
  })

  it('users.users.${user}: resolved from let, else user stays undefined', () => {
    const config = read(`{ name, ... }: let user = "vini"; in {
  users.users.\${user}.extraGroups = [ "libvirtd" ];
  users.users."\${name}".extraGroups = [ "kvm" ];
  users.users.alice = { isNormalUser = true; extraGroups = [ "input" ]; };
  users.extraUsers.bob.extraGroups = [ "qemu-libvirtd" ];
}`)
    expect(config.userGroups.map((u) => [u.user, u.userRaw, values(u.groups), u.line])).toEqual([
      ['vini', '${user}', ['libvirtd'], 2],
      [undefined, '${name}', ['kvm'], 3],
      ['alice', 'alice', ['input'], 4],
      ['bob', 'bob', ['qemu-libvirtd'], 5],
    ])
    expect('user' in config.userGroups[1]!).toBe(false)
  })

  it('ovmf: `.enable = true`, `= { enable = true; }`, `= enabled`, and the last one written wins', () => {
    expect(read('{ virtualisation.libvirtd.qemu.ovmf.enable = true; }').libvirtd).toEqual({ovmf: true})
    expect(read('{ virtualisation.libvirtd.qemu.ovmf = { enable = true; }; }').libvirtd).toEqual({ovmf: true})
    expect(read('{ virtualisation.libvirtd = { enable = true; qemu.ovmf = enabled; }; }').libvirtd).toEqual({enable: true, ovmf: true})
    expect(read('{ virtualisation.libvirtd.qemu = { ovmf = lib.my.disabled; swtpm.enable = false; }; }').libvirtd).toEqual({
      ovmf: false,
      swtpm: false,
    })
    expect(read('{ virtualisation.libvirtd.enable = cfg.vm; virtualisation.libvirtd.onBoot = "ignore"; }').libvirtd).toEqual({})
  })

  it('module form: config = mkIf ...; mkForce, mkMerge and ++ concatenate', () => {
    const config = read(`{ config, lib, pkgs, ... }: {
  options.vfio.enable = lib.mkEnableOption "VFIO";
  config = lib.mkIf config.vfio.enable {
    boot.kernelParams = [ "intel_iommu=on" ] ++ lib.optional config.x "iommu=pt";
    boot.initrd.kernelModules = lib.mkMerge [ [ "vfio_pci" ] (lib.mkBefore [ "vfio" ]) ];
    virtualisation.libvirtd.enable = lib.mkForce true;
    boot.kernelPackages = pkgs.linuxPackages_5_15;
  };
}`)
    // The mkIf condition is not decided by this file: every value keeps it.
    const conditions = ['config.vfio.enable']
    expect(config.kernelParams).toEqual([
      {value: 'intel_iommu=on', raw: '"intel_iommu=on"', line: 4, interpolated: false, conditions},
      {raw: 'lib.optional config.x "iommu=pt"', line: 4, interpolated: false, expression: true, conditions},
    ])
    // As written; mkBefore's order (500) is on the value, and the tree's merge puts it first.
    expect(config.initrdKernelModules?.map((m) => [m.value, m.order])).toEqual([['vfio_pci', undefined], ['vfio', 500]])
    expect(config.libvirtd).toEqual({enable: true})
    expect(config.kernelPackages).toEqual({value: 'pkgs.linuxPackages_5_15', raw: 'pkgs.linuxPackages_5_15', line: 7, interpolated: false, conditions})
    expect(config.warnings).toEqual([])
  })

  it('priorities and conditions: mkForce, mkDefault, mkOverride, mkIf true/false, mkMerge parts', () => {
    const config = read(`{ lib, ... }: {
  boot.kernelParams = lib.mkForce [ "a" ];
  boot.kernelModules = lib.mkOverride 900 [ "b" ];
  boot.blacklistedKernelModules = lib.mkIf false [ "nouveau" ];
  boot.initrd.kernelModules = lib.mkIf true (lib.mkAfter [ "c" ]);
  boot.initrd.availableKernelModules = lib.mkMerge [ (lib.mkDefault [ "d" ]) [ "e" ] ];
}`)
    expect(config.kernelParams?.map((m) => m.priority)).toEqual([50])
    expect(config.kernelModules?.map((m) => m.priority)).toEqual([900])
    expect(config.blacklistedKernelModules).toBeUndefined()
    expect(config.initrdKernelModules?.map((m) => [m.value, m.order, m.conditions])).toEqual([['c', 1500, undefined]])
    expect(config.initrdAvailableKernelModules?.map((m) => [m.value, m.priority])).toEqual([['d', 1000], ['e', undefined]])
  })

  it('extraModprobeConfig written twice is joined like types.lines', () => {
    const config = read(`{
  boot.extraModprobeConfig = "options vfio-pci ids=10de:1b81";
  boot.extraModprobeConfig = ''
    softdep nvidia pre: vfio-pci
  '';
}`)
    expect(config.extraModprobeConfig?.value).toBe('options vfio-pci ids=10de:1b81\nsoftdep nvidia pre: vfio-pci\n')
    expect(config.extraModprobeConfig?.line).toBe(2)
  })

  it.skipIf(!hasShared)('CRLF reads the same as LF', () => {
    const lf = readSeed(SEED.vini)
    const crlf = lf.replace(/\n/g, '\r\n')
    for (const block of fencedNixBlocks(SEED.vini)) {
      const text = block.text.replace(/\n/g, '\r\n')
      expect(parseNixConfig(text, 'x')).toEqual(parseNixConfig(block.text, 'x'))
    }
    expect(parseNixConfig(crlf, 'x')).toEqual(parseNixConfig(lf, 'x'))
  })

  it.skipIf(!hasShared)('prose around a config is warned about, not fatal', () => {
    const config = read(readSeed(SEED.blog2025))
    expect(config.warnings.length).toBeGreaterThan(0)
    expect(config.warnings.length).toBeLessThanOrEqual(51)
  })
})

describe('property: any text gives a result, quickly', () => {
  const seeds = Object.values(SEED).map(readSeed)
  const snippets = [
    ...fencedNixBlocks(SEED.blog2025),
    ...fencedNixBlocks(SEED.vini),
    ...Object.values(UNFENCED).map((make) => make()),
  ].map((s) => s.text)
  const nixish = fc.constantFrom(
    '{', '}', '[', ']', '(', ')', '"', "''", '${', '=', ';', ':', '.', ',', '?', '@', '...', '#', '/*', '*/',
    '\n', ' ', '\\', '$', 'let', 'in', 'with', 'rec', 'inherit', 'if', 'then', 'else', 'or',
    'boot', 'kernelParams', 'users', 'x', '"a"', './p', '<nixpkgs>', 'http://h', '++', '//', '!', '-', '1',
  )
  const wellFormed = (config: NixConfig): void => {
    expect(Array.isArray(config.warnings)).toBe(true)
    expect(Array.isArray(config.userGroups)).toBe(true)
    expect(config.bindings).toBeInstanceOf(Map)
  }

  it('arbitrary strings', () => {
    fc.assert(fc.property(fc.string({unit: 'binary', maxLength: 400}), (text) => wellFormed(parseNixConfig(text, 'f'))), {numRuns: 500})
  })

  it('Nix-shaped token soup', () => {
    fc.assert(fc.property(fc.array(nixish, {maxLength: 300}), (parts) => wellFormed(parseNixConfig(parts.join(''), 'f'))), {numRuns: 1000})
  })

  it.skipIf(!hasShared)('every seed and snippet cut at any point, with CRLF and NUL bytes', () => {
    const texts = [...seeds, ...snippets]
    fc.assert(
      fc.property(fc.nat(texts.length - 1), fc.double({min: 0, max: 1, noNaN: true}), fc.boolean(), fc.nat(50), (which, at, crlf, nuls) => {
        let text = texts[which]!
        text = text.slice(0, Math.floor(text.length * at))
        if (crlf) text = text.replace(/\n/g, '\r\n')
        for (let k = 0; k < nuls; k++) {
          const p = (k * 7919) % (text.length + 1)
          text = text.slice(0, p) + '\0' + text.slice(p)
        }
        wellFormed(parseNixConfig(text, 'f'))
      }),
      {numRuns: 300},
    )
  })

  it('a 10 MB single line of each pathological shape, in bounded time', () => {
    const size = 10 * 1024 * 1024
    const shapes = ['a', '[', '{', '(', '"${', "''${", '${', 'x = ', 'a.', '!', '<', '\\', 'x: ', "'' ", '" ', '/*', '-', 'let ', '{ a, ', '"']
    for (const shape of shapes) {
      const text = shape.repeat(Math.ceil(size / shape.length)).slice(0, size)
      const started = performance.now()
      wellFormed(parseNixConfig(text, 'big'))
      expect(performance.now() - started, `shape ${JSON.stringify(shape)}`).toBeLessThan(10_000)
    }
  }, 120_000)
})
