/**
 * A NixOS configuration is a tree of modules: the same options split over configuration.nix, its
 * imports and a flake give the same findings as one file, and the module system's mkForce, mkBefore
 * and mkIf change the verdict the way NixOS would.
 */
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import vfioLoadOrder from '../../checks/vfio-load-order.js'
import vfioModules from '../../checks/vfio-modules.js'
import {diagnose} from '../../src/engine/pipeline.js'
import {readEvidenceFolder} from '../../src/sources/evidence.js'
import {testCheck, sourceSetFromFiles, type EvidenceFiles} from '../helpers/check-tester.js'

// Seed 001's AMD host (RX 480 at 23:00.x) with its options written out whole.
const host = (file: string): string => readFileSync(new URL(`../../fixtures/seed-001-amd-host/${file}`, import.meta.url), 'utf8')
const HOST: EvidenceFiles = {'cpuinfo.txt': host('cpuinfo.txt'), 'iommu-groups.txt': host('iommu-groups.txt'), 'os-release.txt': host('os-release.txt'), 'uname.txt': host('uname.txt')}

const ONE_FILE = `{ config, pkgs, lib, ... }:
{
  boot.initrd.availableKernelModules = [ "nvme" "xhci_pci" "ahci" "usbhid" ];
  boot.initrd.kernelModules = [ "amdgpu" ];
  boot.kernelModules = [ "kvm-amd" "vfio_virqfd" "vfio_pci" "vfio_iommu_type1" "vfio" ];
  boot.kernelParams = [ "amd_iommu=on" "amd_iommu=pt" "kvm.ignore_msrs=1" ];
  boot.extraModprobeConfig = "options vfio-pci ids=1002:67df,1002:aaf0";
  virtualisation.libvirtd.enable = true;
  virtualisation.libvirtd.qemu.ovmf.enable = true;
  users.users.my-user.extraGroups = [ "libvirtd" ];
}
`

const TREE: EvidenceFiles = {
  'flake.nix': `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-22.05";
  outputs = { self, nixpkgs, ... }: {
    nixosConfigurations.desktop = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./configuration.nix ];
    };
  };
}
`,
  'configuration.nix': `{ config, pkgs, ... }:
{
  imports = [ ./hardware-configuration.nix ./vfio.nix ];
  boot.initrd.kernelModules = [ "amdgpu" ];
  users.users.my-user.extraGroups = [ "libvirtd" ];
}
`,
  'hardware-configuration.nix': `{ config, lib, modulesPath, ... }:
{
  boot.initrd.availableKernelModules = [ "nvme" "xhci_pci" "ahci" "usbhid" ];
  boot.kernelModules = [ "kvm-amd" ];
}
`,
  'vfio.nix': `{ config, lib, ... }:
{
  boot.kernelModules = [ "vfio_virqfd" "vfio_pci" "vfio_iommu_type1" "vfio" ];
  boot.kernelParams = [ "amd_iommu=on" "amd_iommu=pt" "kvm.ignore_msrs=1" ];
  boot.extraModprobeConfig = "options vfio-pci ids=1002:67df,1002:aaf0";
  virtualisation.libvirtd = { enable = true; qemu.ovmf.enable = true; };
}
`,
}

const findingsOf = (files: EvidenceFiles) => diagnose(sourceSetFromFiles(files)).report.findings

describe('a configuration split over modules', () => {
  it('gives the findings of the same options in one file, each naming the file it came from', () => {
    const single = findingsOf({...HOST, 'configuration.nix': ONE_FILE})
    const tree = findingsOf({...HOST, ...TREE})
    const key = (f: {id: string; severity: string; subject?: string}) => `${f.severity} ${f.id} ${f.subject ?? ''}`
    expect(single.length).toBeGreaterThan(1)
    expect(tree.map(key).sort()).toEqual(single.map(key).sort())
    const pt = tree.find((f) => f.id === 'iommu-param-wrong' && f.severity === 'warning')
    expect(pt?.evidence.join('\n')).toMatch(/^vfio\.nix line 4: "amd_iommu=pt"/m)
  })
})

const IDS = '"vfio-pci.ids=1002:67df,1002:aaf0"'
const module = (body: string) => `{ config, lib, ... }:\n{\n${body}\n}\n`

testCheck(vfioModules, {
  valid: [
    {name: 'mkForce over a list: another module forces boot.kernelParams, the vfio-pci ids are gone', files: {'vfio.nix': module(`  boot.kernelParams = [ ${IDS} ];`), 'hardware.nix': module('  boot.kernelParams = lib.mkForce [ "quiet" ];')}},
    {name: 'a literal mkIf false: the ids are no definition at all', files: {'vfio.nix': module(`  boot.kernelParams = lib.mkIf false [ ${IDS} ];`)}},
    {
      name: 'mkIf on an option the tree sets false (libvirtd off)',
      files: {'vfio.nix': module(`  boot.kernelParams = lib.mkIf config.virtualisation.libvirtd.enable [ ${IDS} ];`), 'configuration.nix': module('  virtualisation.libvirtd.enable = false;')},
    },
    {name: 'mkDefault loses to a plain definition elsewhere', files: {'vfio.nix': module(`  boot.kernelParams = lib.mkDefault [ ${IDS} ];`), 'configuration.nix': module('  boot.kernelParams = [ "quiet" ];')}},
  ],
  invalid: [
    {
      name: 'without the mkForce the lists concatenate: ids set, nothing loads vfio_pci',
      files: {'vfio.nix': module(`  boot.kernelParams = [ ${IDS} ];`), 'hardware.nix': module('  boot.kernelParams = [ "quiet" ];')},
      findings: [{id: 'vfio-modules-missing', severity: 'error', evidence: /^vfio\.nix line 3: "vfio-pci\.ids=/m}],
    },
    {name: 'a literal mkIf true holds', files: {'vfio.nix': module(`  boot.kernelParams = lib.mkIf true [ ${IDS} ];`)}, findings: [{id: 'vfio-modules-missing', severity: 'error'}]},
    {
      name: 'mkIf on an option the tree sets true (libvirtd on)',
      files: {'vfio.nix': module(`  boot.kernelParams = lib.mkIf config.virtualisation.libvirtd.enable [ ${IDS} ];`), 'configuration.nix': module('  virtualisation.libvirtd.enable = true;')},
      findings: [{id: 'vfio-modules-missing', severity: 'error'}],
    },
    {
      name: 'mkIf on something the text cannot decide: kept, and the evidence says it is conditional',
      files: {'vfio.nix': `{ config, lib, ... }:\nlet cfg = config.my.vfio; in {\n  config = lib.mkIf cfg.enable {\n    boot.kernelParams = [ ${IDS} ];\n  };\n}\n`},
      findings: [{id: 'vfio-modules-missing', severity: 'error', evidence: /vfio\.nix line 4: .*\(only if cfg\.enable\)/}],
    },
  ],
})

const initrd = (vfio: string): EvidenceFiles => ({
  'configuration.nix': module(`  imports = [ ./vfio.nix ];\n  boot.initrd.kernelModules = [ "amdgpu" ];`),
  'vfio.nix': module(`  boot.initrd.kernelModules = ${vfio};\n  boot.extraModprobeConfig = "options vfio-pci ids=1002:67df,1002:aaf0";`),
})

testCheck(vfioLoadOrder, {
  valid: [{name: 'mkBefore puts vfio_pci ahead of amdgpu written in another file', files: initrd('lib.mkBefore [ "vfio_pci" "vfio" "vfio_iommu_type1" ]')}],
  invalid: [
    {
      name: 'without mkBefore the merged list loads amdgpu first',
      files: initrd('[ "vfio_pci" "vfio" "vfio_iommu_type1" ]'),
      findings: [{id: 'vfio-load-order', severity: 'warning', message: /loads amdgpu before vfio_pci/, evidence: /^configuration\.nix line 4: .*\(merged from configuration\.nix, vfio\.nix\)/}],
    },
    {
      name: 'mkAfter on the vfio modules: amdgpu first',
      files: initrd('lib.mkAfter [ "vfio_pci" "vfio" "vfio_iommu_type1" ]'),
      findings: [{id: 'vfio-load-order', severity: 'warning'}],
    },
  ],
})

describe('a specialisation is a generation of its own', () => {
  const base = `{ config, lib, ... }:
{
  boot.kernelParams = [ "amd_iommu=on" ];
  specialisation.vfio.configuration = {
    system.nixos.tags = [ "vfio" ];
    boot.kernelParams = [ "vfio-pci.ids=1002:67df,1002:aaf0" ];
  };
}
`
  it('judges what it alone sets, naming it and the file and line', () => {
    const findings = findingsOf({'configuration.nix': base}).filter((f) => f.id === 'vfio-modules-missing')
    expect(findings.map((f) => [f.severity, f.message?.slice(0, 39), f.evidence[0]])).toEqual([
      ['error', 'specialisation vfio: vfio-pci is set up', 'configuration.nix (specialisation vfio) line 6: "vfio-pci.ids=1002:67df,1002:aaf0"'],
    ])
  })

  it('the same generation with vfio_pci loaded in the specialisation: nothing to report', () => {
    const fixed = base.replace('system.nixos.tags = [ "vfio" ];', 'boot.initrd.kernelModules = [ "vfio_pci" "vfio" "vfio_iommu_type1" ];')
    expect(findingsOf({'configuration.nix': fixed}).filter((f) => f.id === 'vfio-modules-missing')).toEqual([])
  })

  it('inheritParentConfig = false: the parent\'s options are not in it', () => {
    const alone = base.replace('specialisation.vfio.configuration = {', 'specialisation.vfio.inheritParentConfig = false;\n  specialisation.vfio.configuration = {').replace('boot.kernelParams = [ "amd_iommu=on" ];', 'boot.initrd.kernelModules = [ "vfio_pci" ];')
    // The parent loads vfio_pci, but the specialisation does not inherit it.
    expect(findingsOf({'configuration.nix': alone}).filter((f) => f.id === 'vfio-modules-missing').map((f) => f.message?.slice(0, 20))).toEqual(['specialisation vfio:'])
  })
})

describe('the real NixOS configurations of the development set and the fixtures', () => {
  const roots = ['../devset/cases', '../../fixtures'].map((dir) => new URL(dir, import.meta.url).pathname)
  const folders = roots.flatMap((root) => readdirSync(root).map((name) => join(root, name)).filter((dir) => statSync(dir).isDirectory() && readdirSync(dir).some((n) => n.endsWith('.nix'))))
  it.each(folders.map((f) => [f.split('/').slice(-2).join('/'), f]))('%s: read as a tree, judged, no check crashes', async (_, folder) => {
    const set = await readEvidenceFolder(folder)
    const {facts, report} = diagnose(set)
    expect(facts.nixConfig?.length).toBeGreaterThan(0)
    expect(report.checks.filter((c) => c.status === 'crashed')).toEqual([])
  })
})
