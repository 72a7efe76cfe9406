import check from '../../checks/kvm-msrs.js'
import {testCheck} from '../helpers/check-tester.js'
import {hasShared} from '../helpers/paths.js'
import {corpus, DMESG, seed001Module} from './host-data.js'

// Real lines: a 4.x host (tianocore/edk2#91), a 6.x AMD host (virt-manager/virt-manager#570), and
// KVM with ignore_msrs=1 and report_ignored_msrs at its default.
const UNHANDLED_4X = '[ 6044.472516] kvm [3412]: vcpu0, guest rIP: 0xfffff8019c8d6103 unhandled rdmsr: 0x611'
const UNHANDLED_6X = 'Sep 04 22:56:17 PC kernel: kvm_amd: kvm [67539]: vcpu3, guest rIP: 0xfffff8547ad7624d Unhandled WRMSR(0xc0010115) = 0x0'
const IGNORED = '[  289.713857] kvm: kvm [3657]: ignored rdmsr: 0x1ad data 0x0'
// What the Windows guest showed, as a person pastes it.
const BSOD = 'Your device ran into a problem and needs to restart.\nStop code: KMODE_EXCEPTION_NOT_HANDLED\n'
const THREAD_BSOD = 'Stop code: SYSTEM_THREAD_EXCEPTION_NOT_HANDLED\n'

testCheck(check, {
  valid: [
    {name: 'real guest log: "unchecked MSR access error" is a kernel reading its own MSR, not KVM', files: {'dmesg.txt': corpus(DMESG.kvmGuest)}},
    {name: 'real Proxmox passthrough host, no MSR lines', files: {'dmesg.txt': corpus(DMESG.proxmox5700u)}, passes: [/^no unhandled MSR access and no MSR-type stop code in the evidence$/]},
    {name: 'a stop code with kvm.ignore_msrs=1 already set (seed 001): some other cause', files: {'guest-bsod.txt': THREAD_BSOD, 'configuration.nix': seed001Module()}, passes: [/^kvm\.ignore_msrs is on \(configuration\.nix line 53: "kvm\.ignore_msrs=1"\)$/]},
    {name: 'ignored lines, with report_ignored_msrs=N now', files: {'dmesg.txt': IGNORED, 'kvm-params.txt': 'kvm.ignore_msrs=Y\nkvm.report_ignored_msrs=N\n'}, passes: [/^kvm\.ignore_msrs is on \(\/sys\/module\/kvm\/parameters\/ignore_msrs: Y\)$/]},
  ],
  invalid: [
    {
      name: 'KVM logs unhandled MSRs (4.x kernel) and nothing sets ignore_msrs',
      files: {'dmesg.txt': UNHANDLED_4X},
      findings: [{id: 'kvm-msr-crash', severity: 'warning', message: /MSRs it does not emulate \(0x611\); nothing sets kvm.ignore_msrs=1/}],
    },
    {
      name: '6.x "Unhandled WRMSR" lines and the guest stopped with KMODE_EXCEPTION_NOT_HANDLED',
      files: {'journal.txt': UNHANDLED_6X, 'guest-bsod.txt': BSOD},
      findings: [{id: 'kvm-msr-crash', severity: 'error', message: /KMODE_EXCEPTION_NOT_HANDLED and KVM logged unhandled MSR/, evidence: /guest-bsod.txt line 2/}],
    },
    {
      name: 'a stop code with ignore_msrs=N in /sys/module',
      files: {'guest-bsod.txt': THREAD_BSOD, 'kvm-params.txt': '/sys/module/kvm/parameters/ignore_msrs:N\n'},
      findings: [{id: 'kvm-msr-crash', severity: 'warning', message: /kvm.ignore_msrs is off \(\/sys\/module\/kvm\/parameters\/ignore_msrs: N\)/}],
    },
    {
      name: '"ignored rdmsr" lines: ignore_msrs is on, the lines are noise',
      files: {'dmesg.txt': IGNORED},
      findings: [{id: 'kvm-msr-crash', severity: 'info', message: /report_ignored_msrs=0 silences/, fix: /"msrs":"0x1ad"/}],
    },
  ],
  unknown: [
    {name: 'only a command line', files: {'cmdline.txt': 'root=/dev/sda1 kvm.ignore_msrs=1'}, reason: /the evidence has no kernel log, no qemu or libvirt log/},
  ],
}, {skip: !hasShared})
