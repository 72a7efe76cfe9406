import {describe, expect, it} from 'vitest'
import check from '../../checks/vfio-load-order.js'
import {runCase, testCheck} from '../helpers/check-tester.js'
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
const IDS = '  boot.kernelParams = [ "vfio-pci.ids=1002:67df,1002:aaf0" ];\n'
const RX580_LINE = '0000:01:00.0 [1002:67df] Advanced Micro Devices, Inc. [AMD/ATI] Ellesmere [Radeon RX 470/480/570/570X/580/580X/590]: driver amdgpu'

testCheck(check, {
  valid: [
    {name: 'seed 000: vfio_pci, vfio, vfio_iommu_type1 before i915 and amdgpu', files: {'virtualisation.nix': seed000Nix}, passes: [/^boot\.initrd\.kernelModules loads no GPU driver for the guest card before vfio_pci$/]},
    {name: 'seed 000 with lspci -nnk: vfio-pci got the RX 580', files: {'virtualisation.nix': seed000Nix, 'cmdline.txt': seed000Cmdline, 'lspci-nnk.txt': rx580('vfio-pci', 'vfio-pci')}},
    {name: 'no configuration, lspci -nnk: vfio-pci got the RX 580', files: {'cmdline.txt': seed000Cmdline, 'lspci-nnk.txt': rx580('vfio-pci', 'vfio-pci')}, passes: [/^vfio-pci got 0000:01:00\.0 first$/]},
    {name: 'amdgpu before vfio_pci, but blacklisted', files: {'virtualisation.nix': `{\n  boot.initrd.kernelModules = [ "amdgpu" "vfio_pci" ];\n  boot.blacklistedKernelModules = [ "amdgpu" ];\n${IDS}}\n`, 'iommu-groups.txt': seed000Groups}},
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
      name: 'vfio_pci only in boot.kernelModules, and amdgpu and snd_hda_intel hold both functions',
      files: {'virtualisation.nix': `{\n  boot.initrd.kernelModules = [ "amdgpu" ];\n  boot.kernelModules = [ "vfio_pci" "vfio" "vfio_iommu_type1" ];\n${IDS}}\n`, 'cmdline.txt': seed000Cmdline, 'lspci-nnk.txt': rx580('amdgpu', 'snd_hda_intel')},
      findings: [{
        id: 'vfio-load-order',
        severity: 'error',
        subject: '0000:01:00.0',
        message: /^0000:01:00\.0 is bound to amdgpu; 0000:01:00\.1 is bound to snd_hda_intel, although the host hands them to vfio-pci: amdgpu and snd_hda_intel loaded first\. vfio_pci is not in boot\.initrd\.kernelModules \(only in boot\.kernelModules or boot\.initrd\.availableKernelModules, which load it later or on demand\), so amdgpu and snd_hda_intel get the card first\.$/,
        evidence: /kernel command line: vfio-pci\.ids=1002:67df,1002:aaf0\nvirtualisation\.nix line 4: boot\.kernelParams "vfio-pci\.ids=1002:67df,1002:aaf0"\nvirtualisation\.nix: boot\.initrd\.kernelModules = \[ "amdgpu" \]$/,
        fix: /"driver":"amdgpu snd_hda_intel","nixModules":"\\"vfio_pci\\" \\"vfio\\" \\"vfio_iommu_type1\\" \\"amdgpu\\""/,
      }],
    },
    {
      name: 'a configuration without boot.initrd.kernelModules, amdgpu holds the GPU',
      files: {'virtualisation.nix': `{\n${IDS}}\n`, 'cmdline.txt': seed000Cmdline, 'lspci-nnk.txt': rx580('amdgpu', 'vfio-pci')},
      findings: [{id: 'vfio-load-order', severity: 'error', subject: '0000:01:00.0', message: /^0000:01:00\.0 is bound to amdgpu, although the host hands it to vfio-pci: amdgpu loaded first\. vfio_pci is not in boot\.initrd\.kernelModules, so amdgpu gets the card first\.$/, evidence: /\nvirtualisation\.nix: no boot\.initrd\.kernelModules$/}],
    },
    {
      name: 'modprobe.d has the softdep, and amdgpu still holds the GPU: the initramfs lacks vfio-pci',
      files: {'modprobe-vfio.conf': 'options vfio-pci ids=1002:67df,1002:aaf0\nsoftdep amdgpu pre: vfio-pci\n', 'lspci-nnk.txt': rx580('amdgpu', 'vfio-pci')},
      findings: [{id: 'vfio-load-order', severity: 'error', subject: '0000:01:00.0', message: /amdgpu loaded first\. The softdeps are in place: vfio-pci is probably missing from the initramfs while the GPU driver is in it\.$/, evidence: new RegExp(`^${RX580_LINE.replace(/[[\]().]/g, '\\$&')}\nmodprobe-vfio\.conf line 1: options vfio-pci ids=1002:67df,1002:aaf0$`)}],
    },
    {
      name: "modprobe.d softdeps for other drivers, none for amdgpu",
      files: {'modprobe-vfio.conf': 'options vfio-pci ids=1002:67df,1002:aaf0\nsoftdep nouveau pre: vfio-pci\nsoftdep snd_hda_intel pre: vfio-pci\n', 'lspci-nnk.txt': rx580('amdgpu', 'vfio-pci')},
      findings: [{id: 'vfio-load-order', severity: 'error', subject: '0000:01:00.0', message: /The modprobe configuration has no `softdep amdgpu pre: vfio-pci`, so nothing makes vfio-pci load first\.$/, evidence: /\nmodprobe-vfio\.conf line 2: softdep nouveau pre: vfio-pci\nmodprobe-vfio\.conf line 3: softdep snd_hda_intel pre: vfio-pci$/}],
    },
    {
      name: 'neither configuration nor modprobe.d given: the general advice',
      files: {'cmdline.txt': seed000Cmdline, 'lspci-nnk.txt': rx580('amdgpu', 'vfio-pci')},
      findings: [{id: 'vfio-load-order', severity: 'error', subject: '0000:01:00.0', message: /amdgpu loaded first\. vfio-pci has to be loaded before it \(in the initrd \/ initramfs, ahead of the GPU driver\)\.$/}],
    },
    {
      name: 'an initrd list merged from two files puts amdgpu first',
      files: {'a.nix': '{\n  imports = [ ./b.nix ];\n  boot.initrd.kernelModules = [ "amdgpu" ];\n  boot.kernelParams = [ "vfio-pci.ids=1002:67df,1002:aaf0" ];\n}\n', 'b.nix': '{\n  boot.initrd.kernelModules = [ "vfio_pci" "vfio" ];\n}\n', 'iommu-groups.txt': seed000Groups},
      findings: [{id: 'vfio-load-order', severity: 'warning', message: /^boot\.initrd\.kernelModules loads amdgpu before vfio_pci \(NixOS loads them in the order written\), so amdgpu can take the guest card first\.$/, evidence: /^a\.nix line 3: boot\.initrd\.kernelModules = \[ "amdgpu" "vfio_pci" "vfio" \] \(merged from a\.nix, b\.nix\)$/}],
    },
    {
      name: 'nvidia and nouveau before vfio_pci for a GTX 1070',
      files: {'virtualisation.nix': '{\n  boot.initrd.kernelModules = [ "nvidia" "nouveau" "vfio_pci" ];\n  boot.kernelParams = [ "vfio-pci.ids=10de:1b81" ];\n}\n', 'lspci.txt': '01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1070] [10de:1b81] (rev a1)\n'},
      findings: [{id: 'vfio-load-order', severity: 'warning', message: /loads nvidia and nouveau before vfio_pci/, fix: /"driver":"nvidia nouveau".*"softdeps":"softdep nvidia pre: vfio-pci\\nsoftdep nouveau pre: vfio-pci"/}],
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

/** Inline evidence (no ../shared): an RX 580 and its audio function in `lspci -nnk`, the drivers given. */
const rx580Nnk = (gpu: string, audio: string) => `01:00.0 VGA compatible controller [0300]: Advanced Micro Devices, Inc. [AMD/ATI] Ellesmere [Radeon RX 470/480/570/570X/580/580X/590] [1002:67df] (rev e7)
\tSubsystem: Sapphire Technology Limited Nitro+ Radeon RX 580 4GB [1da2:e366]
\tKernel driver in use: ${gpu}
\tKernel modules: amdgpu
01:00.1 Audio device [0403]: Advanced Micro Devices, Inc. [AMD/ATI] Ellesmere HDMI Audio [Radeon RX 470/480 / 570/580/590] [1002:aaf0]
\tSubsystem: Sapphire Technology Limited Ellesmere HDMI Audio [Radeon RX 470/480 / 570/580/590] [1da2:aaf0]
\tKernel driver in use: ${audio}
\tKernel modules: snd_hda_intel
`
const CMDLINE = 'BOOT_IMAGE=/vmlinuz-linux root=UUID=0a3407de-014b-458b-b5c1-848e92a327a3 rw amd_iommu=on vfio-pci.ids=1002:67df,1002:aaf0'
const AMDGPU_FIRST = '{\n  boot.initrd.kernelModules = [ "amdgpu" "vfio_pci" "vfio" "vfio_iommu_type1" ];\n  boot.kernelParams = [ "vfio-pci.ids=1002:67df,1002:aaf0" ];\n}\n'
testCheck(check, {
  valid: [
    {
      name: 'nvme and xhci_pci before vfio_pci: not GPU drivers',
      files: {'virtualisation.nix': '{\n  boot.initrd.kernelModules = [ "nvme" "xhci_pci" "vfio_pci" "vfio" "vfio_iommu_type1" ];\n  boot.kernelParams = [ "vfio-pci.ids=1002:67df,1002:aaf0" ];\n}\n'},
      passes: [/^boot\.initrd\.kernelModules loads no GPU driver for the guest card before vfio_pci$/],
    },
  ],
  invalid: [
    {
      name: 'the configuration alone (no device list): amdgpu before vfio_pci, judged against every GPU driver',
      files: {'virtualisation.nix': AMDGPU_FIRST},
      findings: [{
        id: 'vfio-load-order',
        severity: 'warning',
        message: /^boot\.initrd\.kernelModules loads amdgpu before vfio_pci \(NixOS loads them in the order written\), so amdgpu can take the guest card first\.$/,
        evidence: /^virtualisation\.nix line 2: boot\.initrd\.kernelModules = \[ "amdgpu" "vfio_pci" "vfio" "vfio_iommu_type1" \]$/,
        fix: /^\{"driver":"amdgpu","nixModules":"\\"vfio_pci\\" \\"vfio\\" \\"vfio_iommu_type1\\" \\"amdgpu\\"","softdeps":"softdep amdgpu pre: vfio-pci"\}$/,
      }],
    },
    {
      name: 'an initrd entry from an option the text cannot resolve is skipped: amdgpu still comes first, and the fix leaves the entry out',
      files: {'virtualisation.nix': '{ config, ... }: {\n  boot.initrd.kernelModules = [ "amdgpu" "${config.hardware.gpu.initrdModule}" "vfio_pci" "vfio" "vfio_iommu_type1" ];\n  boot.kernelParams = [ "vfio-pci.ids=1002:67df,1002:aaf0" ];\n}\n'},
      findings: [{id: 'vfio-load-order', severity: 'warning', message: /^boot\.initrd\.kernelModules loads amdgpu before vfio_pci/, fix: /"nixModules":"\\"vfio_pci\\" \\"vfio\\" \\"vfio_iommu_type1\\" \\"amdgpu\\""/}],
    },
    {
      name: 'the same list, amdgpu holding the card: the cause names the order',
      files: {'virtualisation.nix': '{ config, ... }: {\n  boot.initrd.kernelModules = [ "amdgpu" "${config.hardware.gpu.initrdModule}" "vfio_pci" "vfio" "vfio_iommu_type1" ];\n  boot.kernelParams = [ "vfio-pci.ids=1002:67df,1002:aaf0" ];\n}\n', 'cmdline.txt': CMDLINE, 'lspci-nnk.txt': rx580Nnk('amdgpu', 'vfio-pci')},
      findings: [{id: 'vfio-load-order', severity: 'error', subject: '0000:01:00.0', message: /amdgpu loaded first\. boot\.initrd\.kernelModules lists amdgpu before vfio_pci\.$/, evidence: /\nvirtualisation\.nix: boot\.initrd\.kernelModules = \[ "amdgpu" "\$\{config\.hardware\.gpu\.initrdModule\}" "vfio_pci" "vfio" "vfio_iommu_type1" \]$/}],
    },
    {
      name: 'vfio_pci only in boot.initrd.availableKernelModules (loaded on demand), amdgpu holds the card',
      files: {'virtualisation.nix': '{\n  boot.initrd.kernelModules = [ "amdgpu" ];\n  boot.initrd.availableKernelModules = [ "vfio_pci" "vfio" "vfio_iommu_type1" ];\n}\n', 'cmdline.txt': CMDLINE, 'lspci-nnk.txt': rx580Nnk('amdgpu', 'vfio-pci')},
      findings: [{id: 'vfio-load-order', severity: 'error', subject: '0000:01:00.0', message: /vfio_pci is not in boot\.initrd\.kernelModules \(only in boot\.kernelModules or boot\.initrd\.availableKernelModules, which load it later or on demand\), so amdgpu gets the card first\.$/}],
    },
    {
      name: '`softdep amdgpu pre: vfio vfio-pci` (vfio-pci second in the list) is the softdep: the initramfs is the cause',
      files: {'modprobe-vfio.conf': 'options vfio-pci ids=1002:67df,1002:aaf0\nsoftdep amdgpu pre: vfio vfio-pci\n', 'lspci-nnk.txt': rx580Nnk('amdgpu', 'vfio-pci')},
      findings: [{
        id: 'vfio-load-order',
        severity: 'error',
        subject: '0000:01:00.0',
        message: /^0000:01:00\.0 is bound to amdgpu, although the host hands it to vfio-pci: amdgpu loaded first\. The softdeps are in place: vfio-pci is probably missing from the initramfs while the GPU driver is in it\.$/,
        fix: /^\{"driver":"amdgpu","nixModules":"\\"vfio_pci\\" \\"vfio\\" \\"vfio_iommu_type1\\"","softdeps":"softdep amdgpu pre: vfio-pci"\}$/,
      }],
    },
    {
      name: 'only the command line and lspci -nnk: the evidence is the card and the ids, no configuration line',
      files: {'cmdline.txt': CMDLINE, 'lspci-nnk.txt': rx580Nnk('amdgpu', 'vfio-pci')},
      findings: [{
        id: 'vfio-load-order',
        severity: 'error',
        subject: '0000:01:00.0',
        message: /amdgpu loaded first\. vfio-pci has to be loaded before it \(in the initrd \/ initramfs, ahead of the GPU driver\)\.$/,
        evidence: /^0000:01:00\.0 \[1002:67df\] Advanced Micro Devices, Inc\. \[AMD\/ATI\] Ellesmere \[Radeon RX 470\/480\/570\/570X\/580\/580X\/590\]: driver amdgpu\nkernel command line: vfio-pci\.ids=1002:67df,1002:aaf0$/,
      }],
    },
    {
      name: 'vfio_pci first in the initrd list, yet amdgpu holds the card: the list is not the cause, the general advice is',
      files: {'virtualisation.nix': '{\n  boot.initrd.kernelModules = [ "vfio_pci" "vfio" "vfio_iommu_type1" "amdgpu" ];\n  boot.kernelParams = [ "vfio-pci.ids=1002:67df,1002:aaf0" ];\n}\n', 'cmdline.txt': CMDLINE, 'lspci-nnk.txt': rx580Nnk('amdgpu', 'vfio-pci')},
      findings: [{id: 'vfio-load-order', severity: 'error', subject: '0000:01:00.0', message: /amdgpu loaded first\. vfio-pci has to be loaded before it \(in the initrd \/ initramfs, ahead of the GPU driver\)\.$/}],
    },
    {
      name: 'amdgpu in the initrd, kvm-amd (not vfio_pci) in boot.kernelModules: vfio_pci is nowhere',
      files: {'virtualisation.nix': '{\n  boot.initrd.kernelModules = [ "amdgpu" ];\n  boot.kernelModules = [ "kvm-amd" ];\n  boot.initrd.availableKernelModules = [ "nvme" "xhci_pci" ];\n  boot.kernelParams = [ "vfio-pci.ids=1002:67df,1002:aaf0" ];\n}\n', 'cmdline.txt': CMDLINE, 'lspci-nnk.txt': rx580Nnk('amdgpu', 'vfio-pci')},
      findings: [{id: 'vfio-load-order', severity: 'error', subject: '0000:01:00.0', message: /amdgpu loaded first\. vfio_pci is not in boot\.initrd\.kernelModules, so amdgpu gets the card first\.$/}],
    },
    {
      name: 'nvidia and nouveau in stage 1 without vfio_pci',
      files: {'virtualisation.nix': '{\n  boot.initrd.kernelModules = [ "nvidia" "nouveau" ];\n  boot.kernelParams = [ "vfio-pci.ids=10de:1b81,10de:10f0" ];\n}\n'},
      findings: [{id: 'vfio-load-order', severity: 'warning', message: /^boot\.initrd\.kernelModules loads nvidia and nouveau in stage 1 but not vfio_pci, so nvidia and nouveau takes the guest card before vfio-pci is loaded\.$/}],
    },
    {
      name: 'nvidia and nouveau before vfio_pci: both named twice',
      files: {'virtualisation.nix': '{\n  boot.initrd.kernelModules = [ "nvidia" "nouveau" "vfio_pci" ];\n  boot.kernelParams = [ "vfio-pci.ids=10de:1b81,10de:10f0" ];\n}\n'},
      findings: [{id: 'vfio-load-order', severity: 'warning', message: /^boot\.initrd\.kernelModules loads nvidia and nouveau before vfio_pci \(NixOS loads them in the order written\), so nvidia and nouveau can take the guest card first\.$/}],
    },
    {
      name: 'amdgpu first, with only nouveau blacklisted: the blacklist does not cover amdgpu',
      files: {'virtualisation.nix': '{\n  boot.initrd.kernelModules = [ "amdgpu" "vfio_pci" ];\n  boot.blacklistedKernelModules = [ "nouveau" ];\n  boot.kernelParams = [ "vfio-pci.ids=1002:67df,1002:aaf0" ];\n}\n'},
      findings: [{id: 'vfio-load-order', severity: 'warning', message: /loads amdgpu before vfio_pci/}],
    },
    {
      name: '`softdep amdgpu pre: vfio vfio_iommu_type1` names no vfio-pci, and snd_hda_intel has none: both missing softdeps named',
      files: {'modprobe-vfio.conf': 'options vfio-pci ids=1002:67df,1002:aaf0\nsoftdep amdgpu pre: vfio vfio_iommu_type1\n', 'lspci-nnk.txt': rx580Nnk('amdgpu', 'snd_hda_intel')},
      findings: [{
        id: 'vfio-load-order',
        severity: 'error',
        subject: '0000:01:00.0',
        message: /The modprobe configuration has no `softdep amdgpu pre: vfio-pci` or `softdep snd_hda_intel pre: vfio-pci`, so nothing makes vfio-pci load first\.$/,
        evidence: /\nmodprobe-vfio\.conf line 2: softdep amdgpu pre: vfio vfio_iommu_type1$/,
      }],
    },
  ],
  unknown: [
    {name: 'vfio-pci.ids in the configuration, no initrd list and no device list: no order to judge', files: {'virtualisation.nix': '{\n  boot.kernelParams = [ "vfio-pci.ids=1002:67df,1002:aaf0" ];\n}\n'}, reason: /^nothing shows the load order/},
    {name: 'the RX 580 on vfio-pci, but nothing here hands it to vfio-pci (libvirt may have): no order shown', files: {'lspci-nnk.txt': rx580Nnk('vfio-pci', 'vfio-pci')}, reason: /^nothing shows the load order/},
    {name: 'amdgpu in the initrd and nothing anywhere hands a card to vfio-pci: no order to judge', files: {'configuration.nix': '{\n  boot.initrd.kernelModules = [ "amdgpu" ];\n}\n'}, reason: /^nothing shows the load order/},
  ],
})

describe('vfio-load-order: a warning is not also a pass', () => {
  it('amdgpu first in the initrd: the warning, and no "loads no GPU driver" line', () => {
    const r = runCase(check, {name: '', files: {'virtualisation.nix': AMDGPU_FIRST}})
    expect(r.findings.map((f) => f.severity)).toEqual(['warning'])
    expect(r.passes).toEqual([])
  })
})
