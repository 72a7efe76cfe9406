import {describe, expect, it} from 'vitest'
import check from '../../checks/kernel-modules.js'
import {runCase, testCheck} from '../helpers/check-tester.js'
import {hasShared} from '../helpers/paths.js'
import {corpus, CPUINFO, DMESG, seed001Module, seed003Config} from './host-data.js'

const intelCpu = corpus(CPUINFO.intel)
const amdCpu = corpus(CPUINFO.amd)
// systemd-modules-load's words for a module that is not there (Proxmox 8, kernel 6.x).
const VIRQFD_NOT_FOUND = "Jan 01 14:29:21 pve systemd-modules-load[463]: Failed to find module 'vfio_virqfd'"

testCheck(check, {
  valid: [
    {name: 'seed 003 on its own era: NixOS 21.11, kernel 5.10', files: {'configuration.nix': seed003Config(), 'uname.txt': '5.10.81\n', 'cpuinfo.txt': intelCpu}, passes: [/^5 module name\(s\) asked for, all loadable here$/]},
    {name: "seed 003 on NixOS 21.11 (os-release): that release's default kernel is 5.10", files: {'configuration.nix': seed003Config(), 'os-release.txt': 'ID=nixos\nVERSION_ID="21.11"\n'}},
    {name: 'seed 001 on an AMD CPU with kernel 5.15 (kvm-${platform} = kvm-amd)', files: {'configuration.nix': seed001Module(), 'uname.txt': '5.15.32\n', 'cpuinfo.txt': amdCpu}},
    {name: 'real Manjaro 5.10 log with vfio_virqfd loaded (still a module then)', files: {'dmesg.txt': corpus(DMESG.navi10Kernel510)}},
    {
      name: 'real log with "Module msr not found" from an unrelated program',
      files: {'dmesg.txt': corpus('dmesg/correabuscar__amdmsrtweaker-lnx__dmesg.txt')},
      passes: [/^no module passthrough uses is missing in the kernel log$/],
    },
    {
      name: "modprobe.d softdeps that load vfio-pci first (Arch wiki's way) on 6.8",
      files: {'modprobe-vfio.conf': 'softdep amdgpu pre: vfio-pci\nsoftdep snd_hda_intel pre: vfio-pci\n', 'uname.txt': '6.8.12\n'},
      passes: [/^1 module name\(s\) asked for, all loadable here$/],
    },
    {name: 'a modules-load= with no value asks for nothing', files: {'cmdline.txt': 'BOOT_IMAGE=/vmlinuz root=/dev/sda1 modules-load quiet', 'uname.txt': '6.2.0\n'}, skipped: /^no module lists/},
    {name: 'modules without vfio_virqfd on 6.12', files: {'configuration.nix': '{ boot.initrd.kernelModules = [ "vfio_pci" "vfio" "vfio_iommu_type1" ]; boot.kernelModules = [ "kvm-intel" ]; }', 'uname.txt': '6.12.18'}},
  ],
  invalid: [
    {
      name: 'seed 003 on kernel 6.12: vfio_virqfd in boot.kernelModules',
      files: {'configuration.nix': seed003Config(), 'uname.txt': '6.12.18\n', 'cpuinfo.txt': intelCpu},
      findings: [
        {
          id: 'kernel-module-obsolete',
          severity: 'warning',
          subject: 'vfio_virqfd',
          message: /Linux 6.2 merged vfio_virqfd into the vfio module and this host has running kernel 6.12.18/,
          evidence: /boot.kernelModules: configuration.nix line \d+: "vfio_virqfd"/,
          fix: /"modules":"\\"kvm-intel\\" \\"vfio_pci\\" \\"vfio_iommu_type1\\" \\"vfio\\""/,
        },
      ],
    },
    {
      name: 'seed 001 on an AMD CPU with kernel 6.12',
      files: {'configuration.nix': seed001Module(), 'uname.txt': '6.12.18', 'cpuinfo.txt': amdCpu},
      findings: [{id: 'kernel-module-obsolete', severity: 'warning', subject: 'vfio_virqfd', fix: /"modules":"\\"kvm-\$\{platform\}\\" \\"vfio_pci\\"/}],
    },
    {
      name: 'seed 001 on an Intel CPU, platform left at "amd": kvm-amd cannot load',
      files: {'configuration.nix': seed001Module(), 'uname.txt': '5.15.32', 'cpuinfo.txt': intelCpu},
      findings: [{id: 'kernel-module-obsolete', severity: 'warning', subject: 'kvm_amd', message: /kvm-amd is for AMD CPUs; this CPU is Intel.*platform = "amd" in configuration.nix: that should say "intel"/, fix: /"change":"load `kvm-intel` instead of `kvm-amd`"/}],
    },
    {
      name: 'vfio_virqfd in the initrd on 6.6: nixos-rebuild fails',
      files: {'configuration.nix': '{ boot.initrd.kernelModules = [ "vfio_pci" "vfio_virqfd" "vfio" "vfio_iommu_type1" ]; }', 'uname.txt': '6.6.52'},
      findings: [{id: 'kernel-module-obsolete', severity: 'error', subject: 'vfio_virqfd', message: /nixos-rebuild fails/, fix: /"option":"boot.initrd.kernelModules"/}],
    },
    {
      name: 'boot.kernelPackages = pkgs.linuxPackages_latest says the kernel when uname is missing',
      files: {'configuration.nix': '{ pkgs, ... }: { boot.kernelPackages = pkgs.linuxPackages_latest; boot.kernelModules = [ "vfio_virqfd" ]; }'},
      findings: [{id: 'kernel-module-obsolete', severity: 'warning', subject: 'vfio_virqfd', evidence: /boot.kernelPackages = pkgs.linuxPackages_latest/}],
    },
    {
      name: "seed 001 on NixOS 24.05 without boot.kernelPackages: the default kernel is 6.6",
      files: {'configuration.nix': seed001Module(), 'os-release.txt': 'ID=nixos\nVERSION_ID="24.05"\n', 'cpuinfo.txt': amdCpu},
      findings: [{id: 'kernel-module-obsolete', severity: 'warning', subject: 'vfio_virqfd', evidence: /NixOS 24.05's default kernel \(6.6\)/}],
    },
    {
      name: 'the journal says it: "Failed to find module \'vfio_virqfd\'"',
      files: {'journal.txt': VIRQFD_NOT_FOUND},
      findings: [{id: 'kernel-module-obsolete', severity: 'warning', subject: 'vfio_virqfd', evidence: /Failed to find module 'vfio_virqfd'/}],
    },
    {
      name: 'seed 003 with no kernel release in the evidence: vfio_virqfd is only a risk',
      files: {'configuration.nix': seed003Config()},
      findings: [{id: 'kernel-module-obsolete', severity: 'info', subject: 'vfio_virqfd', message: /does not say which kernel/}],
    },
    {
      name: 'vendor-reset asked for but not installed',
      files: {'journal.txt': "Mar 02 09:00:01 host systemd-modules-load[401]: Failed to find module 'vendor-reset'"},
      findings: [{id: 'kernel-module-obsolete', severity: 'warning', subject: 'vendor_reset', message: /not built or installed/}],
    },
    {
      name: 'a modprobe.d softdep with vfio_virqfd on 6.8',
      files: {'modprobe-vfio.conf': 'softdep vfio-pci pre: vfio vfio_virqfd post: vfio_iommu_type1\n', 'uname.txt': '6.8.12\n'},
      findings: [{id: 'kernel-module-obsolete', severity: 'warning', subject: 'vfio_virqfd', message: /^vfio_virqfd is asked for, but Linux 6\.2 merged vfio_virqfd into the vfio module and this host has running kernel 6\.8\.12: loading it fails at boot \("Failed to find module"\); the other modules still load\. Remove it; vfio provides it\.$/, evidence: /^running kernel 6\.8\.12\nmodprobe-vfio\.conf line 1: softdep vfio-pci pre: vfio vfio_virqfd post: vfio_iommu_type1$/}],
    },
    {
      name: 'rd.driver.pre=vfio-pci,vfio_virqfd on the kernel command line of 6.2.0',
      files: {'cmdline.txt': 'BOOT_IMAGE=/vmlinuz root=/dev/sda1 rd.driver.pre=vfio-pci,vfio_virqfd modules-load=vfio', 'uname.txt': '6.2.0\n'},
      findings: [{id: 'kernel-module-obsolete', severity: 'warning', subject: 'vfio_virqfd', evidence: /^running kernel 6\.2\.0\nkernel command line: [^\n]*rd\.driver\.pre=vfio-pci,vfio_virqfd/, fix: /"change":"remove `vfio_virqfd`"/}],
    },
    {
      name: 'modules-load=kvm_intel on an AMD CPU',
      files: {'cmdline.txt': 'BOOT_IMAGE=/vmlinuz root=/dev/sda1 modules-load=kvm_intel', 'cpuinfo.txt': amdCpu},
      findings: [{id: 'kernel-module-obsolete', severity: 'warning', subject: 'kvm_intel', message: /^kvm-intel is for Intel CPUs; this CPU is AMD \(AMD Ryzen 7 4800U with Radeon Graphics\), so it fails to load\. The module here is kvm-amd\.$/, evidence: /^cpuinfo: AMD Ryzen 7 4800U with Radeon Graphics\nkernel command line: /, fix: /"module":"kvm-intel".*"modules":"\\"kvm-amd\\"","change":"load `kvm-amd` instead of `kvm-intel`"/}],
    },
    {
      name: 'boot.kernelModules with both kvm-intel and kvm-amd on an AMD CPU: the fix does not add kvm-amd twice',
      files: {'configuration.nix': '{ boot.kernelModules = [ "kvm-intel" "kvm-amd" "vfio_pci" ]; }', 'cpuinfo.txt': amdCpu, 'uname.txt': '6.8.12\n'},
      findings: [{id: 'kernel-module-obsolete', severity: 'warning', subject: 'kvm_intel', evidence: /boot\.kernelModules: configuration\.nix line 1: "kvm-intel"$/, fix: /"modules":"\\"kvm-amd\\" \\"vfio_pci\\""/}],
    },
    {
      name: 'a module the configuration asks for and the journal cannot find (not a passthrough module)',
      files: {'configuration.nix': '{ boot.kernelModules = [ "i2c-dev" "ddcci" ]; }', 'journal.txt': "Mar 02 09:00:01 host systemd-modules-load[401]: Failed to find module 'ddcci'", 'uname.txt': '6.12.18\n'},
      findings: [{id: 'kernel-module-obsolete', severity: 'warning', subject: 'ddcci', message: /^The kernel cannot find module ddcci: the name is misspelt, or the module is not built or installed for kernel 6\.12\.18\.$/, evidence: /Failed to find module 'ddcci'\nboot\.kernelModules: configuration\.nix line 1: "ddcci"$/, fix: /"modules":"\\"i2c-dev\\"","change":"remove `ddcci`"/}],
    },
    {
      name: "kvmfr not found, nothing here asks for it by name (Looking Glass's module)",
      files: {'journal.txt': "Mar 02 09:00:01 host systemd-modules-load[401]: Failed to find module 'kvmfr'"},
      findings: [{id: 'kernel-module-obsolete', severity: 'warning', subject: 'kvmfr', message: /not built or installed for this kernel\.$/}],
    },
  ],
  unknown: [{name: 'only a cpuinfo', files: {'cpuinfo.txt': amdCpu}, reason: /no module lists/}],
}, {skip: !hasShared})

/** The 6.2 boundary from both sides, by the running kernel and by boot.kernelPackages (inline, no ../shared needed). */
const VIRQFD_MODULES = '{ pkgs, ... }: { boot.kernelModules = [ "vfio_pci" "vfio_virqfd" "vfio" "vfio_iommu_type1" ]; }'
const withPackages = (attr: string) => VIRQFD_MODULES.replace('{ boot', `{ boot.kernelPackages = pkgs.${attr}; boot`)
testCheck(check, {
  valid: [
    {name: 'uname 6.1.55: the last series with vfio_virqfd a module of its own', files: {'configuration.nix': VIRQFD_MODULES, 'uname.txt': '6.1.55\n'}},
    {name: 'boot.kernelPackages = pkgs.linuxPackages_6_1', files: {'configuration.nix': withPackages('linuxPackages_6_1')}},
    {name: 'uname 5.19.17: a lower major with a higher minor', files: {'configuration.nix': VIRQFD_MODULES, 'uname.txt': '5.19.17\n'}},
  ],
  invalid: [
    {
      name: 'uname 6.2.0: the first release without vfio_virqfd',
      files: {'configuration.nix': VIRQFD_MODULES, 'uname.txt': '6.2.0\n'},
      findings: [{id: 'kernel-module-obsolete', severity: 'warning', subject: 'vfio_virqfd', evidence: /running kernel 6\.2\.0/}],
    },
    {
      name: 'boot.kernelPackages = pkgs.linuxPackages_6_2',
      files: {'configuration.nix': withPackages('linuxPackages_6_2')},
      findings: [{id: 'kernel-module-obsolete', severity: 'warning', subject: 'vfio_virqfd', evidence: /linuxPackages_6_2/}],
    },
    {
      name: 'uname 7.0.1: a higher major with a lower minor',
      files: {'configuration.nix': VIRQFD_MODULES, 'uname.txt': '7.0.1\n'},
      findings: [{id: 'kernel-module-obsolete', severity: 'warning', subject: 'vfio_virqfd'}],
    },
  ],
})

/** Inline evidence (no ../shared): the log alone, cpuinfo without a model name, the other command-line keys. */
const VIRQFD_JOURNAL = "Jan 01 14:29:21 pve systemd-modules-load[463]: Failed to find module 'vfio_virqfd'"
testCheck(check, {
  valid: [
    {
      name: 'an entry whose interpolation cannot be resolved asks for no name: only vfio_pci is counted',
      files: {'configuration.nix': '{ config, ... }: { boot.kernelModules = [ "kvm-${config.hardware.cpu.vendor}" "vfio_pci" ]; }', 'uname.txt': '6.8.12\n'},
      passes: [/^1 module name\(s\) asked for, all loadable here$/],
    },
  ],
  invalid: [
    {
      name: 'only the journal says it (no module list, no kernel release): the log line is the evidence',
      files: {'journal.txt': VIRQFD_JOURNAL},
      findings: [{
        id: 'kernel-module-obsolete',
        severity: 'warning',
        subject: 'vfio_virqfd',
        message: /^vfio_virqfd is asked for, but Linux 6\.2 merged vfio_virqfd into the vfio module: loading it fails at boot \("Failed to find module"\); the other modules still load\. Remove it; vfio provides it\.$/,
        evidence: /^kernel log line 1: [^\n]*Failed to find module 'vfio_virqfd'$/,
        fix: /^\{"module":"vfio_virqfd","option":"boot\.kernelModules","modules":"","change":"remove `vfio_virqfd`"\}$/,
      }],
    },
    {
      name: 'uname says 6.1, yet the journal cannot find vfio_virqfd (a log from another boot): the log wins',
      files: {'cmdline.txt': 'BOOT_IMAGE=/vmlinuz root=/dev/sda1 modules-load=vfio_virqfd', 'uname.txt': '6.1.55\n', 'journal.txt': VIRQFD_JOURNAL},
      findings: [{id: 'kernel-module-obsolete', severity: 'warning', subject: 'vfio_virqfd', evidence: /^running kernel 6\.1\.55\nkernel command line: [^\n]*\nkernel log line 1: /}],
    },
    {
      name: 'a softdep without post: the evidence quotes the line as written',
      files: {'modprobe-vfio.conf': 'softdep amdgpu pre: vfio-pci vfio_virqfd\n', 'uname.txt': '6.8.12\n'},
      findings: [{id: 'kernel-module-obsolete', severity: 'warning', subject: 'vfio_virqfd', evidence: /^running kernel 6\.8\.12\nmodprobe-vfio\.conf line 1: softdep amdgpu pre: vfio-pci vfio_virqfd$/}],
    },
    {
      name: "systemd's rd.modules-load= in the initrd asks for vfio_virqfd on 6.5",
      files: {'cmdline.txt': 'BOOT_IMAGE=/vmlinuz-6.5.0 root=/dev/nvme0n1p2 rd.modules-load=vfio,vfio_iommu_type1,vfio_pci,vfio_virqfd', 'uname.txt': '6.5.0-41-generic\n'},
      findings: [{id: 'kernel-module-obsolete', severity: 'warning', subject: 'vfio_virqfd', evidence: /^running kernel 6\.5\.0-41-generic\nkernel command line: [^\n]*rd\.modules-load=vfio,vfio_iommu_type1,vfio_pci,vfio_virqfd$/}],
    },
    {
      name: '`grep vendor_id /proc/cpuinfo` (no model name) with kvm_intel on an AMD host: the vendor stands in',
      files: {'cpuinfo.txt': 'vendor_id\t: AuthenticAMD\n', 'cmdline.txt': 'BOOT_IMAGE=/vmlinuz root=/dev/sda1 modules-load=kvm_intel'},
      findings: [{id: 'kernel-module-obsolete', severity: 'warning', subject: 'kvm_intel', message: /^kvm-intel is for Intel CPUs; this CPU is AMD \(cpuinfo vendor\), so it fails to load\. The module here is kvm-amd\.$/, evidence: /^cpuinfo: amd\nkernel command line: /}],
    },
    {
      name: 'kvm-amd on an Intel CPU from a plain string (no let binding to blame)',
      files: {'configuration.nix': '{ boot.kernelModules = [ "kvm-amd" "vfio_pci" ]; }', 'cpuinfo.txt': 'vendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Core(TM) i7-8700K CPU @ 3.70GHz\n', 'uname.txt': '6.6.52\n'},
      findings: [{id: 'kernel-module-obsolete', severity: 'warning', subject: 'kvm_amd', message: /^kvm-amd is for AMD CPUs; this CPU is Intel \(Intel\(R\) Core\(TM\) i7-8700K CPU @ 3\.70GHz\), so it fails to load\. The module here is kvm-intel\.$/, fix: /^\{"module":"kvm-amd","option":"boot\.kernelModules","modules":"\\"kvm-intel\\" \\"vfio_pci\\"","change":"load `kvm-intel` instead of `kvm-amd`"\}$/}],
    },
  ],
})

describe('kernel-modules with findings of two kinds', () => {
  const INTEL = 'vendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Core(TM) i7-8700K CPU @ 3.70GHz\n'
  it.each([
    ['vfio_virqfd on 6.12 and kvm-amd on an Intel CPU', {'configuration.nix': '{ boot.kernelModules = [ "kvm-amd" "vfio_virqfd" ]; }', 'cpuinfo.txt': INTEL, 'uname.txt': '6.12.18\n'}, ['kvm_amd', 'vfio_virqfd']],
    ['kvm-amd on an Intel CPU, and vendor-reset not installed', {'configuration.nix': '{ boot.kernelModules = [ "kvm-amd" "vendor-reset" ]; }', 'cpuinfo.txt': INTEL, 'journal.txt': "Mar 02 09:00:01 host systemd-modules-load[401]: Failed to find module 'vendor-reset'"}, ['kvm_amd', 'vendor_reset']],
  ])('%s: both reported, and no "all loadable" line', (_, files, subjects) => {
    const r = runCase(check, {name: '', files})
    expect(r.findings.map((f) => f.subject).sort()).toEqual(subjects)
    expect(r.passes).toEqual([])
  })
})
