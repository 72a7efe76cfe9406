/** `plan` on a configuration tree: the lines vfio.nix replaces, named by the file and line that define them, across imports. */
import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {buildPlan} from '../../src/plan/build.js'
import {sourceSetFromFiles} from '../helpers/check-tester.js'

const host = (file: string): string => readFileSync(new URL(`../../fixtures/seed-001-amd-host/${file}`, import.meta.url), 'utf8')

describe('plan on a tree of modules', () => {
  it('names the file and line of each option vfio.nix replaces or would conflict with', () => {
    const files = {
      'cpuinfo.txt': host('cpuinfo.txt'),
      'iommu-groups.txt': host('iommu-groups.txt'),
      'os-release.txt': host('os-release.txt'),
      'uname.txt': host('uname.txt'),
      'configuration.nix': '{ config, ... }:\n{\n  imports = [ ./old-vfio.nix ];\n  virtualisation.libvirtd.enable = true;\n  virtualisation.libvirtd.qemu.swtpm.enable = false;\n}\n',
      'old-vfio.nix': '{ ... }:\n{\n  boot.kernelModules = [ "vfio_virqfd" "vfio_pci" ];\n  boot.kernelParams = [ "amd_iommu=on" "vfio-pci.ids=1002:67df,1002:aaf0" ];\n}\n',
    }
    const plan = buildPlan(sourceSetFromFiles(files), {gpu: '0000:23:00.0'})
    const actions = plan.steps.find((s) => s.kind === 'host-config')!.actions
    expect(actions).toEqual(expect.arrayContaining([
      '  - old-vfio.nix line 3: "vfio_virqfd" (boot.kernelModules)',
      '  - old-vfio.nix line 4: "vfio-pci.ids=1002:67df,1002:aaf0" (boot.kernelParams)',
      '  - configuration.nix line 5: virtualisation.libvirtd.qemu.swtpm.enable = false (vfio.nix sets it to true; NixOS refuses two values)',
    ]))
    // The same value vfio.nix writes is no conflict.
    expect(actions.join('\n')).not.toContain('virtualisation.libvirtd.enable = true')
  })
})
