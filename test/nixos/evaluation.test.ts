/**
 * A live NixOS host's option values read with Nix's own evaluator: one read-only
 * `nix-instantiate --eval` call, whose answer overrides the text reader's, and the text reader
 * alone where there is no answer (no Nix, no <nixpkgs>, a flake, a timeout).
 */
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import iommuParam from '../../checks/iommu-param.js'
import kernelModules from '../../checks/kernel-modules.js'
import {qemuUser} from '../../checks/lib/libvirt.js'
import {runChecks} from '../../src/engine/run-checks.js'
import {assembleFacts} from '../../src/facts/assemble.js'
import {parseEvaluatedOptions} from '../../src/parse/nix-evaluated.js'
import {execaRunner} from '../../src/sources/commands.js'
import {collectLive} from '../../src/sources/live/index.js'
import {nixEvaluation} from '../../src/sources/live/nix-evaluation.js'
import {nixEvalArgs} from '../../src/sources/nix-eval.js'
import type {Source} from '../../src/sources/types.js'
import {sourceSetFromFiles} from '../helpers/check-tester.js'
import {FakeRoot, scriptedRunner} from '../helpers/fake-root.js'
import {hasNix} from '../helpers/tools.js'

const INTEL_CPU = 'processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Core(TM) i7-9700K CPU @ 3.60GHz\nflags\t\t: fpu vme vmx\n'

/**
 * The configuration computes its kernel parameter, so the text reader cannot know it; its qemu
 * user is an interpolation the text reader leaves as written; a removed option throws.
 */
const COMPUTED_CONFIGURATION = `{ ... }:
let
  vendor = builtins.head [ "amd" ];
  iommu = v: "\${v}_iommu=on";
in {
  boot.kernelParams = [ (iommu vendor) "iommu=pt" ];
  boot.kernelModules = [ "kvm-intel" ];
  virtualisation.libvirtd = {
    enable = true;
    qemu.runAsRoot = false;
    qemu.verbatimConfig = ''
      user = "+\${toString (500 + 500)}"
    '';
    qemu.ovmf.enable = throw "The option virtualisation.libvirtd.qemu.ovmf has been removed";
  };
}
`

function nixosHost(configuration = COMPUTED_CONFIGURATION): FakeRoot {
  return new FakeRoot().file('proc/cpuinfo', INTEL_CPU).file('etc/os-release', 'ID=nixos\n').file('etc/nixos/configuration.nix', configuration)
}

const evaluated = (root: string) => `nix-instantiate ${nixEvalArgs(join(root, 'etc/nixos/configuration.nix')).join(' ')}`

describe('when it evaluates', () => {
  it('calls nix-instantiate once, with the reviewed read-only arguments, on a host with configuration.nix', async () => {
    const root = nixosHost()
    const run = scriptedRunner({})
    await collectLive({root: root.dir, run, user: 'vini'})
    expect(run.calls.filter((c) => c.startsWith('nix-instantiate'))).toEqual([evaluated(root.dir)])
  })

  it('does not evaluate a flake (that copies it into the store) and says the text was read', async () => {
    const root = nixosHost().file('etc/nixos/flake.nix', '{ outputs = { ... }: { }; }\n')
    const run = scriptedRunner({})
    const sources = await nixEvaluation({root: root.dir, run, libvirtUri: 'test:///default', user: 'vini'})
    expect(run.calls).toEqual([])
    expect(sources).toEqual([expect.objectContaining({kind: 'nixEval', status: 'missing', reason: expect.stringMatching(/flake.*Nix store.*read as text/)})])
  })

  it('gives no source at all on a host without a NixOS configuration', async () => {
    const run = scriptedRunner({})
    expect(await nixEvaluation({root: new FakeRoot().dir, run, libvirtUri: 'test:///default', user: 'vini'})).toEqual([])
    expect(run.calls).toEqual([])
  })

  it('keeps the reason Nix gave, and says the files were read as text', async () => {
    const root = nixosHost()
    const run = scriptedRunner({[evaluated(root.dir)]: {status: 'timeout', reason: 'nix-instantiate did not answer in time'}})
    const [source] = await nixEvaluation({root: root.dir, run, libvirtUri: 'test:///default', user: 'vini'})
    expect(source).toMatchObject({status: 'timeout', reason: "nix-instantiate did not answer in time; the configuration's files were read as text"})
  })
})

describe("Nix's answer over the text reader's", () => {
  const withAnswer = async (answer: object, configuration?: string) => {
    const root = nixosHost(configuration)
    const run = scriptedRunner({[evaluated(root.dir)]: {status: 'ok', stdout: JSON.stringify(answer)}})
    return assembleFacts(await collectLive({root: root.dir, run, user: 'vini'}))
  }

  it('a computed kernel parameter is judged: amd_iommu=on on an Intel CPU', async () => {
    const textOnly = runChecks([iommuParam], assembleFacts(await collectLive({root: nixosHost().dir, run: scriptedRunner({}), user: 'vini'})))[0]!
    expect(textOnly.findings.filter((f) => f.id === 'iommu-param-wrong')).toEqual([])
    const facts = await withAnswer({kernelParams: ['amd_iommu=on', 'iommu=pt', 'loglevel=4'], kernelModules: null})
    const [result] = runChecks([iommuParam], facts)
    const wrong = result!.findings.find((f) => f.id === 'iommu-param-wrong')
    expect(wrong).toBeDefined()
    // The text reader's element (line 6, an expression) has no literal value to match: the evaluation is its place.
    expect(wrong?.evidence.join('\n')).toContain(`Nix's evaluation (nix-instantiate --eval /etc/nixos/configuration.nix): "amd_iommu=on"`)
  })

  it('an element the text shows keeps its file and line; one only nixpkgs adds names the evaluation', async () => {
    const facts = await withAnswer({kernelModules: ['kvm-intel', 'loop']})
    expect(facts.nixConfig![0]!.kernelModules!.map((m) => [m.value, m.file ?? facts.nixConfig![0]!.file, m.line])).toEqual([
      ['kvm-intel', '/etc/nixos/configuration.nix', 7],
      ['loop', "Nix's evaluation (nix-instantiate --eval /etc/nixos/configuration.nix)", 0],
    ])
  })

  it('a conditional definition the evaluation drops is gone, one it keeps is no longer conditional', async () => {
    const configuration = '{ config, lib, ... }: {\n  boot.kernelModules = lib.mkIf config.my.vfio.enable [ "vfio_virqfd" ];\n  boot.initrd.kernelModules = lib.mkIf config.my.vfio.enable [ "vfio_pci" ];\n}\n'
    const facts = await withAnswer({kernelModules: ['kvm-intel'], initrdKernelModules: ['vfio_pci']}, configuration)
    const [config] = facts.nixConfig!
    expect(config!.kernelModules!.map((m) => m.value)).toEqual(['kvm-intel'])
    expect(config!.initrdKernelModules).toEqual([expect.not.objectContaining({conditions: expect.anything()})])
    expect(config!.initrdKernelModules![0]).toMatchObject({value: 'vfio_pci', line: 3})
  })

  it('the kernel boot.kernelPackages gives decides vfio_virqfd, not the name of the package set', async () => {
    const configuration = '{ pkgs, ... }: {\n  boot.kernelPackages = pkgs.linuxPackages_latest;\n  boot.kernelModules = [ "vfio_virqfd" ];\n}\n'
    // The text alone: "latest" counts as 6.2 or later, where vfio_virqfd is gone.
    const [byName] = runChecks([kernelModules], await withAnswer({}, configuration))
    expect(byName!.findings.map((f) => f.id)).toEqual(['kernel-module-obsolete'])
    // A channel whose latest is 6.1 (NixOS 22.11's): vfio_virqfd still exists.
    const [old] = runChecks([kernelModules], await withAnswer({kernelVersion: '6.1.90'}, configuration))
    expect(old!.findings.map((f) => f.id)).not.toContain('kernel-module-obsolete')
    const [current] = runChecks([kernelModules], await withAnswer({kernelVersion: '6.12.4'}, configuration))
    expect(current!.findings.find((f) => f.id === 'kernel-module-obsolete')?.evidence).toContain('/etc/nixos/configuration.nix line 2: boot.kernelPackages gives Linux 6.12.4')
  })

  it("verbatimConfig's interpolation is resolved: qemu runs as uid 1000, named at the line that sets it", async () => {
    expect(qemuUser(await withAnswer({}))).toBeUndefined()
    const user = qemuUser(await withAnswer({libvirtdEnable: true, runAsRoot: false, verbatimConfig: 'user = "+1000"\n'}))
    expect(user).toMatchObject({name: '1000', uid: '1000'})
    expect(user!.how).toBe('/etc/nixos/configuration.nix line 12: virtualisation.libvirtd.qemu.verbatimConfig sets user = "+1000"')
  })

  it("extraModprobeConfig's interpolated ids are read as evaluated, at the line that writes them", async () => {
    const configuration = '{ ... }:\nlet ids = import ./ids.nix; in {\n  boot.extraModprobeConfig = "options vfio-pci ids=${ids}";\n}\n'
    const facts = await withAnswer({extraModprobeConfig: 'options vfio-pci ids=10de:1b80,10de:10f0\n'}, configuration)
    const [config] = facts.nixConfig!
    expect(config!.extraModprobeConfig).toMatchObject({value: 'options vfio-pci ids=10de:1b80,10de:10f0\n', line: 3, interpolated: false})
    expect(config!.extraModprobe?.options.map((o) => [o.module, o.params.ids])).toEqual([['vfio-pci', '10de:1b80,10de:10f0']])
  })

  it('an extraModprobeConfig only nixpkgs writes is placed at the evaluation', async () => {
    const facts = await withAnswer({extraModprobeConfig: 'options kvm ignore_msrs=1\n'})
    expect(facts.nixConfig![0]!.extraModprobeConfig).toMatchObject({evaluated: true, file: "Nix's evaluation (nix-instantiate --eval /etc/nixos/configuration.nix)"})
  })

  it('libvirtd evaluated off leaves no qemu account from its options', async () => {
    const facts = await withAnswer({libvirtdEnable: false, runAsRoot: true})
    expect(facts.nixConfig![0]!.libvirtd).toEqual({enable: false})
  })

  it('a capture keeps the answer: its file reads back as the evaluation', () => {
    const answer = JSON.stringify({kernelParams: ['amd_iommu=on'], kernelModules: ['kvm-intel']}, null, 2)
    const set = sourceSetFromFiles({'nixos-evaluated.json': answer, 'configuration.nix': COMPUTED_CONFIGURATION, 'cpuinfo.txt': INTEL_CPU})
    expect(set.sources.map((s) => s.kind).sort()).toEqual(['cpuinfo', 'nixConfig', 'nixEval'])
    expect(runChecks([iommuParam], assembleFacts(set))[0]!.findings.map((f) => f.id)).toContain('iommu-param-wrong')
  })

  it('an answer that is not the evaluation is ignored: the text stands', async () => {
    const facts = await withAnswer(['amd_iommu=on'])
    expect(facts.nixConfig![0]!.kernelParams!.map((p) => p.raw)).toEqual(['(iommu vendor)', '"iommu=pt"'])
  })
})

describe('parseEvaluatedOptions', () => {
  it.each([
    ['not JSON', 'error: file nixpkgs/nixos was not found'],
    ['an array', '["amd_iommu=on"]'],
    ['an object with none of the options', '{"foo": 1}'],
    ['past the size limit', `{"kernelParams": ["${'x'.repeat(1 << 20)}"]}`],
  ])('%s gives undefined', (_, text) => expect(parseEvaluatedOptions(text)).toBeUndefined())

  it('keeps the values of the right type and leaves the rest to the text reader', () => {
    expect(parseEvaluatedOptions('{"kernelParams": ["a", 1], "kernelModules": ["kvm-amd"], "runAsRoot": "yes", "swtpm": true, "kernelVersion": null}')).toEqual({kernelModules: ['kvm-amd'], swtpm: true})
  })
})

describe.skipIf(!hasNix)('with the real nix-instantiate', () => {
  // Quiet a warning this machine's nix.conf gives (no nixbld group): it is not the evaluation's.
  const env = {NIX_CONFIG: 'build-users-group ='}

  it('without <nixpkgs> the evaluation fails with Nix\'s own message, and the text reader stands', async () => {
    const root = nixosHost()
    const [source] = await nixEvaluation({root: root.dir, run: execaRunner(30_000, {...env, NIX_PATH: ''}), libvirtUri: 'test:///default', user: 'vini'})
    expect(source).toMatchObject({kind: 'nixEval', status: 'error', reason: expect.stringMatching(/nixpkgs\/nixos.*not found.*read as text$/)})
    const facts = assembleFacts({mode: 'live', root: root.dir, sources: [source as Source, ...sourceSetFromFiles({'configuration.nix': COMPUTED_CONFIGURATION}).sources]})
    expect(facts.nixConfig![0]!.kernelParams!.map((p) => p.raw)).toEqual(['(iommu vendor)', '"iommu=pt"'])
  })

  it('evaluates the configuration through <nixpkgs/nixos>: computed values, a removed option as null', async () => {
    const root = nixosHost()
    // Stands for nixpkgs' nixos/default.nix, whose module system is not on this machine: it calls the
    // configuration's function and takes its attributes as the config. It proves the expression,
    // the arguments and the JSON, not NixOS's merging (the text reader's tests and NixOS do that).
    const stub = join(root.dir, 'stub-nixpkgs')
    mkdirSync(join(stub, 'nixos'), {recursive: true})
    writeFileSync(join(stub, 'nixos/default.nix'), '{ configuration }: { config = import configuration { }; }\n')
    const [source] = await nixEvaluation({root: root.dir, run: execaRunner(30_000, {...env, NIX_PATH: `nixpkgs=${stub}`}), libvirtUri: 'test:///default', user: 'vini'})
    expect(source).toMatchObject({kind: 'nixEval', status: 'ok'})
    expect(parseEvaluatedOptions(source!.text!)).toEqual({
      kernelParams: ['amd_iommu=on', 'iommu=pt'],
      kernelModules: ['kvm-intel'],
      libvirtdEnable: true,
      runAsRoot: false,
      verbatimConfig: 'user = "+1000"\n',
    })
    const facts = assembleFacts({mode: 'live', root: root.dir, sources: [source as Source, ...sourceSetFromFiles({'configuration.nix': COMPUTED_CONFIGURATION, 'cpuinfo.txt': INTEL_CPU}).sources]})
    expect(runChecks([iommuParam], facts)[0]!.findings.map((f) => f.id)).toContain('iommu-param-wrong')
    expect(qemuUser(facts)).toMatchObject({name: '1000', uid: '1000'})
  })
})
