/**
 * checks/lib/kernel.ts, what several checks read: which kernel the host runs (or its NixOS
 * configuration selects), a module parameter's settings and which of them is in force, and the CPU
 * vendor when cpuinfo is missing. The check tables reach these through one check each; here each
 * branch is held directly, from real evidence formats.
 */
import {describe, expect, it} from 'vitest'
import {cpuVendorOf, isTrue, kernelVersion, moduleParam, nixEvidence, nixList, paramState, vendorBinding} from '../../checks/lib/kernel.js'
import {assembleFacts} from '../../src/facts/assemble.js'
import type {Facts} from '../../src/facts/types.js'
import {sourceSetFromFiles, type EvidenceFiles} from '../helpers/check-tester.js'

const facts = (files: EvidenceFiles): Facts => assembleFacts(sourceSetFromFiles(files), {})
const nix = (kernelPackages: string) => `{ pkgs, ... }: { boot.kernelPackages = ${kernelPackages}; }\n`
const NIXOS_2311 = 'ID=nixos\nVERSION_ID="23.11"\n'
const version = (files: EvidenceFiles) => {
  const v = kernelVersion(facts(files))
  return v && `${v.major}.${v.minor}`
}

describe('kernelVersion from a NixOS configuration', () => {
  it('reads a two-digit minor version (linuxPackages_6_12 is 6.12, not 6.1)', () => {
    expect(version({'configuration.nix': nix('pkgs.linuxPackages_6_12')})).toBe('6.12')
  })
  it('reads linuxKernel.packages.linux_6_6 as well as linuxPackages_6_6', () => {
    expect(version({'configuration.nix': nix('pkgs.linuxKernel.packages.linux_6_6')})).toBe('6.6')
  })
  it('a kernelPackages it cannot place (hardened) makes the kernel unknown, not the release default', () => {
    expect(version({'configuration.nix': nix('pkgs.linuxPackages_hardened'), 'os-release.txt': NIXOS_2311})).toBeUndefined()
  })
  it('one file of several setting an unplaceable kernelPackages is enough to drop the release default', () => {
    const files = {'configuration.nix': '{ ... }: { networking.hostName = "vm-host"; }\n', 'kernel.nix': nix('pkgs.linuxPackages_hardened'), 'os-release.txt': NIXOS_2311}
    expect(version(files)).toBeUndefined()
  })
  it('without kernelPackages, the release default (23.11: 6.1)', () => {
    expect(kernelVersion(facts({'configuration.nix': '{ ... }: { networking.hostName = "vm-host"; }\n', 'os-release.txt': NIXOS_2311}))).toMatchObject({major: 6, minor: 1, source: "NixOS 23.11's default kernel (6.1)"})
  })
  it("older NixOS put the whole version in VERSION_ID (20.09.4321.115dbbe82eb): its release is 20.09, whose default is 5.4", () => {
    expect(kernelVersion(facts({'os-release.txt': 'NAME=NixOS\nID=nixos\nVERSION="20.09.4321.115dbbe82eb (Nightingale)"\nVERSION_ID="20.09.4321.115dbbe82eb"\n'}))).toMatchObject({major: 5, minor: 4, source: "NixOS 20.09's default kernel (5.4)"})
  })
  it('a NixOS os-release without VERSION_ID gives no default', () => {
    expect(version({'os-release.txt': 'NAME=NixOS\nID=nixos\n'})).toBeUndefined()
  })
  it("the current generation's boot.json names the kernel it boots: that wins over the configuration's kernelPackages", () => {
    const bootJson = JSON.stringify({'org.nixos.bootspec.v1': {kernel: '/nix/store/0c4y2z8ixyq6n5xk1hb1d1l5xkjq4f2w-linux-6.6.32/bzImage', kernelParams: ['loglevel=4'], label: 'NixOS 24.05.20240601.abcdef0 (Linux 6.6.32)', system: 'x86_64-linux'}})
    expect(kernelVersion(facts({'current-system-boot.json': bootJson, 'configuration.nix': nix('pkgs.linuxPackages_6_1'), 'os-release.txt': NIXOS_2311}))).toMatchObject({major: 6, minor: 6, source: 'current-system-boot.json: the current generation boots Linux 6.6.32'})
  })
})

describe('moduleParam and paramState', () => {
  const MODPROBE = 'options kvm_amd nested=1\noptions kvm ignore_msrs=1 report_ignored_msrs=0\n'
  it('/sys/module (what the kernel runs with) wins over the configuration that says otherwise', () => {
    const f = facts({'kvm-params.txt': 'kvm.ignore_msrs=N\n', 'modprobe-kvm.conf': MODPROBE})
    expect(moduleParam(f, 'kvm', 'ignore_msrs').map((s) => s.where)).toEqual(['running', 'modprobe'])
    expect(paramState(moduleParam(f, 'kvm', 'ignore_msrs'))).toEqual({on: false, evidence: '/sys/module/kvm/parameters/ignore_msrs: N'})
  })
  it("another module's options line is not this module's parameter; '-' and '_' in module names are one", () => {
    const f = facts({'modprobe-kvm.conf': MODPROBE})
    expect(moduleParam(f, 'kvm', 'nested')).toEqual([])
    expect(moduleParam(f, 'kvm-amd', 'nested').map((s) => s.value)).toEqual(['1'])
  })
  it('the kernel command line: kvm-intel.nested=1 is kvm_intel\'s; a parameter without a value sets nothing', () => {
    const f = facts({'cmdline.txt': 'BOOT_IMAGE=/vmlinuz quiet kvm-intel.nested=1 kvm.ignore_msrs\n'})
    expect(moduleParam(f, 'kvm_intel', 'nested').map((s) => [s.where, s.value])).toEqual([['cmdline', '1']])
    expect(moduleParam(f, 'kvm', 'ignore_msrs')).toEqual([])
  })
  it('boot.kernelParams and boot.extraModprobeConfig, for this module only', () => {
    const config = '{ ... }: {\n  boot.kernelParams = [ "kvm.ignore_msrs=1" "amd_iommu=on" ];\n  boot.extraModprobeConfig = "options kvm_amd nested=0";\n}\n'
    const f = facts({'configuration.nix': config})
    expect(moduleParam(f, 'kvm', 'ignore_msrs').map((s) => [s.where, s.value])).toEqual([['nixos', '1']])
    expect(moduleParam(f, 'kvm_amd', 'nested').map((s) => s.value)).toEqual(['0'])
    expect(moduleParam(f, 'kvm', 'nested')).toEqual([])
  })
  it('isTrue reads a boolean as the kernel does: the whole value', () => {
    expect(['Y', 'y', '1', 'yes', 'on', 'true', ' Y\n'].map(isTrue)).toEqual([true, true, true, true, true, true, true])
    expect(['N', '0', '10', 'off', 'false', '2'].map(isTrue)).toEqual([false, false, false, false, false, false])
  })
})

describe('NixOS list entries as evidence, and the vendor binding behind them', () => {
  const f = facts({'configuration.nix': '{ lib, config, ... }:\nlet\n  platform = "intel";\n  gpu = "nvidia";\nin {\n  boot.kernelParams = [ "${platform}_iommu=on" "${gpu}-drm.modeset=1" "vfio-pci.ids=10de:1b81,10de:10f0" ];\n  boot.kernelModules = lib.mkIf config.virtualisation.libvirtd.enable [ "kvm-${platform}" ];\n}\n'})
  const entries = [...nixList(f, 'kernelParams'), ...nixList(f, 'kernelModules')]
  it('an interpolated entry shows what it resolves to, a conditional one the condition', () => {
    expect(entries.map(({config, entry}) => nixEvidence(config, entry))).toEqual([
      'configuration.nix line 6: "${platform}_iommu=on" (= intel_iommu=on)',
      'configuration.nix line 6: "${gpu}-drm.modeset=1" (= nvidia-drm.modeset=1)',
      'configuration.nix line 6: "vfio-pci.ids=10de:1b81,10de:10f0"',
      'configuration.nix line 7: "kvm-${platform}" (= kvm-intel) (only if config.virtualisation.libvirtd.enable)',
    ])
  })
  it('only a binding to "amd" or "intel" is a vendor binding', () => {
    expect(entries.map(({config, entry}) => vendorBinding(config, entry))).toEqual([{name: 'platform', value: 'intel'}, undefined, undefined, {name: 'platform', value: 'intel'}])
  })
  it('moduleParam keeps the whole value of a kernelParams entry', () => {
    expect(moduleParam(f, 'vfio-pci', 'ids')).toEqual([{value: '10de:1b81,10de:10f0', where: 'nixos', evidence: 'configuration.nix line 6: "vfio-pci.ids=10de:1b81,10de:10f0"'}])
  })
})

describe('cpuVendorOf without cpuinfo', () => {
  it("a cpuinfo of another vendor (VIA's CentaurHauls) is neither, whatever the log says", () => {
    const smpboot = '[    0.1] smpboot: CPU0: Intel(R) Core(TM) i7-7700HQ CPU @ 2.80GHz (family: 0x6, model: 0x9e, stepping: 0x9)\n'
    expect(cpuVendorOf(facts({'cpuinfo.txt': 'vendor_id\t: CentaurHauls\nmodel name\t: VIA Nano\nflags\t\t: fpu vmx\n', 'dmesg.txt': smpboot}))).toBeUndefined()
  })
  it("the firmware's IOMMU table: IVRS is AMD's, DMAR Intel's", () => {
    expect(cpuVendorOf(facts({'dmesg.txt': '[    0.012345] ACPI: IVRS 0x00000000BDF6E000 0000D0 (v02 AMD    AmdTable 00000001 AMD  00000001)\n'}))).toBe('amd')
    expect(cpuVendorOf(facts({'dmesg.txt': '[    0.012345] ACPI: DMAR 0x000000007A8AB000 0000A8 (v01 INTEL  KBL      00000001 INTL 00000001)\n'}))).toBe('intel')
  })
  it("the host bridge at 00:00.0 is the CPU maker's (ATI's ids were AMD's chipsets)", () => {
    expect(cpuVendorOf(facts({'lspci.txt': '00:00.0 Host bridge [0600]: Intel Corporation Xeon E3-1200 v6/7th Gen Core Processor Host Bridge/DRAM Registers [8086:591f] (rev 05)\n'}))).toBe('intel')
    expect(cpuVendorOf(facts({'lspci.txt': '00:00.0 Host bridge [0600]: Advanced Micro Devices, Inc. [AMD] Starship/Matisse Root Complex [1022:1480]\n'}))).toBe('amd')
    expect(cpuVendorOf(facts({'lspci.txt': '00:00.0 Host bridge [0600]: Advanced Micro Devices, Inc. [AMD/ATI] RS880 Host Bridge [1002:5a14]\n'}))).toBe('amd')
  })
  it('a host bridge elsewhere, or something else at 00:00.0, says nothing', () => {
    expect(cpuVendorOf(facts({'lspci.txt': '00:00.1 Host bridge [0600]: Intel Corporation Device [8086:591f]\n00:00.0 Non-Essential Instrumentation [1300]: Advanced Micro Devices, Inc. [AMD] Device [1022:1480]\n'}))).toBeUndefined()
  })
  it('reads the vendor from the kernel log\'s "smpboot: CPU0:" line', () => {
    const line = '[    0.164685] smpboot: CPU0: Intel(R) Core(TM) i7-7700HQ CPU @ 2.80GHz (family: 0x6, model: 0x9e, stepping: 0x9)\n'
    expect(cpuVendorOf(facts({'dmesg.txt': line}))).toBe('intel')
  })
})

describe('kernelVersion from Nix and the bootspec', () => {
  it("Nix's evaluated kernel version wins over reading the kernelPackages expression, and names the line that sets it", () => {
    const v = kernelVersion(facts({'configuration.nix': nix('pkgs.linuxPackages_latest'), 'nixos-evaluated.json': '{"kernelVersion": "6.12.4"}'}))
    expect(v).toEqual({major: 6, minor: 12, source: 'configuration.nix line 1: boot.kernelPackages gives Linux 6.12.4'})
  })
  it('a bootspec kernel with a two-digit minor (6.12.1) is 6.12', () => {
    const bootJson = JSON.stringify({'org.nixos.bootspec.v1': {kernel: '/nix/store/0c4y2z8ixyq6n5xk1hb1d1l5xkjq4f2w-linux-6.12.1/bzImage', label: 'NixOS 25.05.20250309.e3e32b6 (Linux 6.12.1)', system: 'x86_64-linux'}})
    expect(version({'current-system-boot.json': bootJson})).toBe('6.12')
  })
})

describe('moduleParam: which setting is in force', () => {
  it('without /sys/module, the last configuration setting wins (modprobe.d after the command line)', () => {
    const f = facts({'cmdline.txt': 'BOOT_IMAGE=/vmlinuz root=/dev/sda1 kvm.ignore_msrs=0\n', 'modprobe-kvm.conf': 'options kvm ignore_msrs=1\n'})
    expect(paramState(moduleParam(f, 'kvm', 'ignore_msrs'))).toEqual({on: true, evidence: 'modprobe-kvm.conf line 1: options kvm ignore_msrs=1'})
  })
  it("boot.extraModprobeConfig: this module's line without the parameter sets nothing; the evidence names the option", () => {
    const f = facts({'configuration.nix': '{ ... }: {\n  boot.extraModprobeConfig = "options kvm ignore_msrs=1";\n}\n'})
    expect(moduleParam(f, 'kvm', 'report_ignored_msrs')).toEqual([])
    expect(moduleParam(f, 'kvm', 'ignore_msrs')).toEqual([{value: '1', where: 'nixos', evidence: 'configuration.nix line 2: boot.extraModprobeConfig: options kvm ignore_msrs=1'}])
  })
})

describe('nixEvidence and vendorBinding, the edge cases', () => {
  it('an interpolation nothing resolves shows no "(= ...)"', () => {
    const f = facts({'configuration.nix': '{ config, ... }: { boot.kernelModules = [ "kvm-${config.hardware.cpu.vendor}" ]; }\n'})
    expect(nixList(f, 'kernelModules').map(({config, entry}) => nixEvidence(config, entry))).toEqual(['configuration.nix line 1: "kvm-${config.hardware.cpu.vendor}"'])
  })
  it('a binding written with spaces inside ${ } is still the vendor binding', () => {
    const f = facts({'configuration.nix': '{ ... }:\nlet\n  platform = "amd";\nin {\n  boot.kernelModules = [ "kvm-${ platform }" ];\n}\n'})
    expect(nixList(f, 'kernelModules').map(({config, entry}) => vendorBinding(config, entry))).toEqual([{name: 'platform', value: 'amd'}])
  })
  it('evidence quotes at most 200 characters of an entry', () => {
    const ids = Array.from({length: 20}, (_, i) => `10de:${(0x1b80 + i).toString(16)}`).join(',')
    const f = facts({'configuration.nix': `{ boot.kernelParams = [ "vfio-pci.ids=${ids}" ]; }\n`})
    const [evidence] = nixList(f, 'kernelParams').map(({config, entry}) => nixEvidence(config, entry))
    expect(evidence).toBe(`configuration.nix line 1: ${`"vfio-pci.ids=${ids}"`.slice(0, 200)}`)
  })
})

describe('cpuVendorOf from the kernel log, without an ACPI table line', () => {
  it('an AMD "smpboot: CPU0:" line', () => {
    expect(cpuVendorOf(facts({'dmesg.txt': '[    0.316057] smpboot: CPU0: AMD Ryzen 9 5950X 16-Core Processor (family: 0x19, model: 0x21, stepping: 0x0)\n'}))).toBe('amd')
  })
  it("the Intel IOMMU driver's own lines (a `dmesg | grep DMAR` that starts after the table)", () => {
    expect(cpuVendorOf(facts({'dmesg.txt': '[    0.469814] DMAR: Intel(R) Virtualization Technology for Directed I/O\n'}))).toBe('intel')
    expect(cpuVendorOf(facts({'dmesg.txt': '[    0.009863] DMAR: dmar0: reg_base_addr fed90000 ver 1:0 cap 1c0000c40660462 ecap 19e2ff0505e\n'}))).toBe('intel')
  })
})
