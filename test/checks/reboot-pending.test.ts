import check from '../../checks/reboot-pending.js'
import {testCheck} from '../helpers/check-tester.js'
import {hasShared} from '../helpers/paths.js'
import {seed000} from './host-data.js'

// Seed 000's command line (the kernel log's "Command line:" as the document quotes it).
const s000 = seed000()
const SYSTEM = '/nix/store/c91cmpkrzsmai5kx426clw6mhfa2bfk5-nixos-system-lumine-25.05.20250309.e3e32b6\n'
const NEWER = '/nix/store/x7m3k2yq9p0v1d8ckzjw5lq3a0hh2n4b-nixos-system-lumine-25.05.20250309.e3e32b6\n'
const PARAMS = 'init=/nix/store/c91cmpkrzsmai5kx426clw6mhfa2bfk5-nixos-system-lumine-25.05.20250309.e3e32b6/init intel_iommu=on loglevel=4\n'

testCheck(check, {
  valid: [
    {
      name: 'seed 000 after the reboot: booted = current, intel_iommu=on on the command line',
      files: {'dmesg.txt': s000.dmesgVtdOn, 'current-system-target.txt': SYSTEM, 'booted-system-target.txt': SYSTEM, 'current-system-kernel-params.txt': PARAMS},
      passes: [/^the booted generation is the current one$/],
    },
  ],
  invalid: [
    {
      name: 'rebuilt with vfio-pci.ids and iommu=pt, not rebooted (seed 000 kernel command line)',
      files: {'dmesg.txt': s000.dmesgVtdOn, 'current-system-kernel-params.txt': PARAMS.replace('loglevel=4', 'iommu=pt vfio-pci.ids=1002:67df,1002:aaf0 loglevel=4'), 'current-system-target.txt': NEWER, 'booted-system-target.txt': SYSTEM},
      findings: [{id: 'reboot-pending', severity: 'error', message: /iommu=pt vfio-pci.ids=1002:67df,1002:aaf0/, fix: /"missing":"iommu=pt vfio-pci.ids=1002:67df,1002:aaf0"/}],
    },
    {
      name: 'a newer generation is current but not booted, without kernel-params files',
      files: {'current-system-target.txt': NEWER, 'booted-system-target.txt': SYSTEM},
      findings: [{id: 'reboot-pending', severity: 'info', message: /only change at boot/}],
    },
  ],
  unknown: [{name: 'no NixOS generation evidence', files: {'cmdline.txt': 'root=/dev/sda1 intel_iommu=on'}, reason: /nixSystem|generation|NixOS/}],
}, {skip: !hasShared})

/** Inline evidence (no ../shared): the generation's kernel from its boot.json, and /proc/cmdline read directly. */
const bootJson = (kernel: string) => JSON.stringify({'org.nixos.bootspec.v1': {kernel: `/nix/store/0c4y2z8ixyq6n5xk1hb1d1l5xkjq4f2w-linux-${kernel}/bzImage`, kernelParams: ['loglevel=4'], label: `NixOS 25.05.20250309.e3e32b6 (Linux ${kernel})`, system: 'x86_64-linux'}})
const CMDLINE = `BOOT_IMAGE=(hd0,gpt1)//kernels/abc-linux-6.6.63-bzImage ${PARAMS.trim()} quiet splash`
testCheck(check, {
  valid: [
    {
      name: "a flag (quiet) in the generation's kernel-params is on the running command line",
      files: {'cmdline.txt': CMDLINE, 'current-system-kernel-params.txt': PARAMS.replace('loglevel=4', 'loglevel=4 quiet'), 'current-system-target.txt': SYSTEM, 'booted-system-target.txt': SYSTEM},
      passes: [/^the booted generation is the current one$/],
    },
    {
      name: 'only /run/current-system given: nothing says another generation was booted',
      files: {'cmdline.txt': CMDLINE, 'current-system-kernel-params.txt': PARAMS, 'current-system-target.txt': SYSTEM},
      passes: [/^the booted generation is the current one$/],
    },
    {name: "the generation's boot.json names the running kernel", files: {'current-system-boot.json': bootJson('6.6.63'), 'uname.txt': '6.6.63\n'}},
    {name: 'a zen kernel, booted: the same release with its suffix', files: {'current-system-boot.json': bootJson('6.13.2-zen1'), 'uname.txt': '6.13.2-zen1\n'}},
  ],
  invalid: [
    {
      name: 'rebuilt with a newer kernel (boot.json says 6.12.1), still running 6.6.63',
      files: {'current-system-boot.json': bootJson('6.12.1'), 'uname.txt': '6.6.63\n', 'current-system-target.txt': NEWER, 'booted-system-target.txt': SYSTEM},
      findings: [{
        id: 'reboot-pending',
        severity: 'error',
        message: /^The current generation boots Linux 6\.12\.1, but the running kernel is 6\.6\.63: reboot into it \(the modules and the initrd are built for the new kernel\)\.$/,
        evidence: new RegExp(`^/run/current-system -> ${NEWER.trim()}\n/run/booted-system -> ${SYSTEM.trim()}\ncurrent-system-boot\\.json: kernel 6\\.12\\.1\nrunning kernel: 6\\.6\\.63$`),
        fix: /^\{"missing":""\}$/,
      }],
    },
    {
      name: 'the boot.json alone (no /run/*-system targets): the evidence is the two kernels',
      files: {'current-system-boot.json': bootJson('6.12.1'), 'uname.txt': '6.6.63\n'},
      findings: [{id: 'reboot-pending', severity: 'error', evidence: /^current-system-boot\.json: kernel 6\.12\.1\nrunning kernel: 6\.6\.63$/}],
    },
    {
      name: 'another generation booted, no kernel-params files: the message says the parameters were not compared',
      files: {'current-system-target.txt': NEWER, 'booted-system-target.txt': SYSTEM},
      findings: [{id: 'reboot-pending', severity: 'info', message: /^The booted generation is not the current one: without the kernel-params files the parameters cannot be compared, and kernel modules, the initrd and vfio-pci ids only change at boot\.$/}],
    },
    {
      name: 'a rebuild that added iommu=pt, not rebooted: the evidence quotes both lists',
      files: {'cmdline.txt': CMDLINE, 'current-system-kernel-params.txt': PARAMS.replace('loglevel=4', 'iommu=pt loglevel=4'), 'current-system-target.txt': NEWER, 'booted-system-target.txt': SYSTEM},
      findings: [{
        id: 'reboot-pending',
        severity: 'error',
        message: /^The current generation sets iommu=pt, which the running kernel did not boot with: reboot into it\.$/,
        evidence: new RegExp(`^/run/current-system -> ${NEWER.trim()}\n/run/booted-system -> ${SYSTEM.trim()}\ncurrent generation's kernel-params: init=\\S+ intel_iommu=on iommu=pt loglevel=4\n/proc/cmdline: BOOT_IMAGE=`),
      }],
    },
    {
      name: "a newer generation whose only new parameter is its own init= path: the parameters match, the initrd may not",
      files: {'cmdline.txt': CMDLINE, 'current-system-kernel-params.txt': PARAMS.replaceAll('c91cmpkrzsmai5kx426clw6mhfa2bfk5', 'x7m3k2yq9p0v1d8ckzjw5lq3a0hh2n4b'), 'current-system-target.txt': NEWER, 'booted-system-target.txt': SYSTEM},
      findings: [{
        id: 'reboot-pending',
        severity: 'info',
        message: /^The booted generation is not the current one: the kernel parameters match, but kernel modules, the initrd and vfio-pci ids only change at boot\.$/,
        evidence: new RegExp(`^/run/current-system -> ${NEWER.trim()}\n/run/booted-system -> ${SYSTEM.trim()}$`),
        fix: /^\{"missing":""\}$/,
      }],
    },
  ],
})
