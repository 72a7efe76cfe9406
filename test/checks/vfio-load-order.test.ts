import check from '../../checks/vfio-load-order.js'
import {testCheck} from '../helpers/check-tester.js'
import {hasShared} from '../helpers/paths.js'
import {gtx1070Audio, lspci, lspciNnk, seed000Cmdline, seed000Groups, seed000Nix, seed002Lspci, seed002Nix, seed003Gtx1070} from './isolation-data.js'
import {seed003Nix} from './libvirt-data.js'

/** Seed 000's module with its initrd list rewritten ('' without ../shared). */
function seed000With(modules: string): string {
  if (!hasShared) return ''
  const out = seed000Nix.replace(/initrd\.kernelModules = \[[^\]]*\]/, `initrd.kernelModules = [ ${modules} ]`)
  if (out === seed000Nix) throw new Error('initrd.kernelModules not found')
  return out
}
const rx580 = (gpu: string, audio: string) => lspciNnk(seed000Groups, {'01:00.0': gpu, '01:00.1': audio})

testCheck(check, {
  valid: [
    {name: 'seed 000: vfio_pci, vfio, vfio_iommu_type1 before i915 and amdgpu', files: {'virtualisation.nix': seed000Nix}},
    {name: 'seed 000 with lspci -nnk: vfio-pci got the RX 580', files: {'virtualisation.nix': seed000Nix, 'cmdline.txt': seed000Cmdline, 'lspci-nnk.txt': rx580('vfio-pci', 'vfio-pci')}},
    {name: "seed 002: the wiki's initrd list (vfio modules, then i915)", files: {'configuration.nix': seed002Nix, 'lspci.txt': seed002Lspci}},
    {name: 'i915 before vfio_pci cannot take an AMD guest card', files: {'virtualisation.nix': seed000With('"i915" "vfio_pci" "vfio" "vfio_iommu_type1" "amdgpu"'), 'iommu-groups.txt': seed000Groups}},
    {
      name: 'seed 003: vfio_pci in boot.kernelModules with nvidia and nouveau blacklisted, the GTX 1070 on vfio-pci',
      files: {'configuration.nix': seed003Nix, 'lspci-nnk.txt': lspciNnk(`${seed003Gtx1070}\nIOMMU Group 1 01:00.1 ${gtx1070Audio}`, {'01:00.0': 'vfio-pci', '01:00.1': 'vfio-pci'})},
    },
  ],
  invalid: [
    {
      name: 'seed 000 with amdgpu moved before vfio_pci (configuration only)',
      files: {'virtualisation.nix': seed000With('"amdgpu" "vfio_pci" "vfio" "vfio_iommu_type1" "i915"'), 'iommu-groups.txt': seed000Groups},
      findings: [{id: 'vfio-load-order', severity: 'warning', message: /loads amdgpu before vfio_pci/, fix: /"nixModules":"\\"vfio_pci\\" \\"vfio\\" \\"vfio_iommu_type1\\" \\"amdgpu\\" \\"i915\\""/}],
    },
    {
      name: 'seed 000 with amdgpu first, and amdgpu holds the RX 580 although vfio-pci.ids names it',
      files: {'virtualisation.nix': seed000With('"amdgpu" "vfio_pci" "vfio" "vfio_iommu_type1" "i915"'), 'cmdline.txt': seed000Cmdline, 'lspci-nnk.txt': rx580('amdgpu', 'snd_hda_intel')},
      findings: [{id: 'vfio-load-order', severity: 'error', subject: '0000:01:00.0', message: /01:00\.0 is bound to amdgpu; 0000:01:00\.1 is bound to snd_hda_intel.*lists amdgpu before vfio_pci/, fix: /softdep amdgpu pre: vfio-pci\\nsoftdep snd_hda_intel pre: vfio-pci/}],
    },
    {
      name: 'vfio_pci only in boot.kernelModules while amdgpu is in the initrd',
      files: {'virtualisation.nix': '{\n  boot.initrd.kernelModules = [ "amdgpu" ];\n  boot.kernelModules = [ "vfio_pci" "vfio" "vfio_iommu_type1" ];\n  boot.kernelParams = [ "vfio-pci.ids=1002:67df,1002:aaf0" ];\n}\n', 'iommu-groups.txt': seed000Groups},
      findings: [{id: 'vfio-load-order', severity: 'warning', message: /loads amdgpu in stage 1 but not vfio_pci/}],
    },
    {
      name: 'Samsung NP350V5C (corpus lspci -nnk): vfio-pci.ids names the HD 7730M, amdgpu holds it, and modprobe.d has no softdep',
      files: {'lspci.txt': lspci.np350v5c, 'cmdline.txt': 'vfio-pci.ids=1002:682f\n', 'modprobe-vfio.conf': 'options vfio-pci ids=1002:682f\n'},
      findings: [{id: 'vfio-load-order', severity: 'error', subject: '0000:01:00.0', message: /no `softdep amdgpu pre: vfio-pci`/, fix: /"softdeps":"softdep amdgpu pre: vfio-pci"/}],
    },
    {
      name: 'the audio function lost to snd_hda_intel while the GPU got vfio-pci',
      files: {'cmdline.txt': seed000Cmdline, 'lspci-nnk.txt': rx580('vfio-pci', 'snd_hda_intel'), 'virtualisation.nix': seed000With('"vfio_pci" "vfio" "vfio_iommu_type1" "i915"')},
      findings: [{id: 'vfio-load-order', severity: 'error', subject: '0000:01:00.0', message: /01:00\.1 is bound to snd_hda_intel/}],
    },
  ],
  unknown: [
    {name: 'ids and a listing without drivers, no configuration', files: {'cmdline.txt': seed000Cmdline, 'iommu-groups.txt': seed000Groups}, reason: /nothing shows the load order/},
    {name: 'nothing at all', files: {'os-release.txt': 'ID=nixos\n'}},
  ],
}, {skip: !hasShared})
