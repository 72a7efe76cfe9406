import check from '../../checks/host-virtual.js'
import {testCheck} from '../helpers/check-tester.js'
import {devsetFile, hasShared} from '../helpers/paths.js'
import {corpus, CPUINFO, DMESG} from './host-data.js'

testCheck(check, {
  valid: [
    {name: 'real Intel cpuinfo: no hypervisor flag', files: {'cpuinfo.txt': corpus(CPUINFO.intel)}},
    {name: 'systemd-detect-virt says none', files: {'systemd-detect-virt.txt': 'none\n'}, passes: [/^bare metal \(systemd-detect-virt: none\)$/]},
  ],
  invalid: [
    {
      // The IOMMU of a Xen dom0 is Xen's: no Linux-side BIOS advice applies (the log has no "Hypervisor detected").
      name: 'real XenServer dom0 log: "Xen-provided physical RAM map"',
      files: {'dmesg.txt': corpus('dmesg/FlorianHeigl__xenserver-health__dmesg')},
      findings: [{id: 'host-is-virtual', severity: 'warning', message: /virtual machine \(Xen\)/, evidence: /Xen-provided machine memory map/}],
    },
    {
      name: 'real guest log: "Hypervisor detected: KVM"',
      files: {'dmesg.txt': corpus(DMESG.kvmGuest)},
      findings: [{id: 'host-is-virtual', severity: 'warning', message: /virtual machine \(KVM\)/, evidence: /Hypervisor detected: KVM/}],
    },
    {
      name: 'systemd-detect-virt kvm with no groups and no vmx: about the platform, not the BIOS',
      files: {'systemd-detect-virt.txt': 'kvm\n', 'iommu-groups.txt': 'IOMMU Group .:\n', 'cpuinfo.txt': 'flags\t\t: fpu vme de pse tsc msr pae sse sse2 hypervisor\n'},
      findings: [{id: 'host-is-virtual', severity: 'warning', message: /no IOMMU groups and no vmx\/svm CPU flag.*not a BIOS setting/, fix: /"platform":"kvm"/}],
    },
    {
      name: 'a nested KVM guest: vmx and /dev/kvm are there, the IOMMU groups are not',
      files: {
        'systemd-detect-virt.txt': 'kvm\n',
        'iommu-groups.txt': 'IOMMU Group .:\n',
        'cpuinfo.txt': 'flags\t\t: fpu vme de pse tsc msr pae sse sse2 vmx hypervisor\n',
        'dev-nodes.txt': 'crw-rw---- 1 root kvm 10, 232 Oct 29 21:01 /dev/kvm\n',
      },
      findings: [{
        id: 'host-is-virtual',
        severity: 'warning',
        message: /^This host is a virtual machine \(kvm\); it has no IOMMU groups, which is about the virtual platform, not a BIOS setting\. GPU passthrough is set up on the bare-metal host\.$/,
        evidence: /^host: systemd-detect-virt: kvm\ncpuinfo flags include "hypervisor"\nthe IOMMU group listing has no groups\n\/dev\/kvm: crw-rw----$/,
      }],
    },
    {
      name: 'a KVM guest without /dev/kvm, nothing else known',
      files: {'systemd-detect-virt.txt': 'kvm\n', 'dev-nodes.txt': "ls: cannot access '/dev/kvm': No such file or directory\n"},
      findings: [{id: 'host-is-virtual', severity: 'warning', message: /^This host is a virtual machine \(kvm\)\. GPU passthrough/, evidence: /^host: systemd-detect-virt: kvm\n\/dev\/kvm does not exist$/}],
    },
    {
      name: 'run live in a KVM guest: /sys/kernel/iommu_groups is empty',
      files: {'systemd-detect-virt.txt': 'kvm\n', 'iommu-groups.txt': 'IOMMU Group .:\n'},
      mode: 'live',
      findings: [{id: 'host-is-virtual', severity: 'warning', evidence: /^host: systemd-detect-virt: kvm\n\/sys\/kernel\/iommu_groups is empty$/}],
    },
    {
      name: 'only a cpuinfo with the hypervisor flag: said once',
      files: {'cpuinfo.txt': 'flags\t\t: fpu vme de pse tsc msr pae sse sse2 hypervisor\n'},
      findings: [{id: 'host-is-virtual', severity: 'warning', message: /^This host is a virtual machine; it has no vmx\/svm CPU flag, which/, evidence: /^host: the cpuinfo flags include "hypervisor"$/, fix: /"platform":"vm"/}],
    },
    {
      name: 'a container',
      files: {'systemd-detect-virt.txt': 'docker\n'},
      findings: [{id: 'host-is-virtual', severity: 'warning', message: /a container \(docker\)/}],
    },
  ],
  unknown: [{name: 'an lspci listing only', files: {'lspci-nnk.txt': '00:00.0 Host bridge [0600]: Intel Corporation Device [8086:591f]\n'}, reason: /detect-virt|cpuinfo|virt/}],
}, {skip: !hasShared})

// Kernel releases that name a virtual platform, in real pastes of the development set (no ../shared needed).
testCheck(check, {
  valid: [],
  invalid: [
    {
      name: "devset 501 (Docker-OSX#679): uname -a of WSL2's kernel beside kvm-ok",
      files: {'paste.txt': devsetFile('501-docker-osx-wsl2-kvm-ok-no-extensions', 'paste.txt')},
      findings: [{id: 'host-is-virtual', severity: 'warning', message: /^This Linux runs in WSL2, a Hyper-V virtual machine\. GPU passthrough/, evidence: /^host: paste\.txt line 1: Linux DESKTOP-R7TO0DF 5\.15\.90\.1-microsoft-standard-WSL2 /}],
    },
    {
      name: "devset 504 (dockur/windows#856): the container log's HOST is Docker Desktop's LinuxKit kernel",
      files: {'paste.txt': devsetFile('504-dockur-windows-linuxkit-kvm-device-missing', 'paste.txt')},
      findings: [{id: 'host-is-virtual', severity: 'warning', message: /LinuxKit virtual machine/, evidence: /^host: paste\.txt line 10: .*HOST: 6\.10\.11-linuxkit\.\.\.$/}],
    },
  ],
  unknown: [
    {name: "a distribution kernel's uname -a (Docker-OSX#514) says nothing of a hypervisor", files: {'uname.txt': 'Linux fedora 5.18.7-200.fc36.x86_64 #1 SMP PREEMPT_DYNAMIC Sat Jun 25 20:06:14 UTC 2022 x86_64 x86_64 x86_64 GNU/Linux\n'}},
  ],
})

// A guest's lscpu (test/devset/samples/lscpu-guest.txt), in the repository: these run without ../shared.
const guestLscpu = devsetFile('../samples', 'lscpu-guest.txt')

testCheck(check, {
  valid: [
    {name: "the guest's lscpu beside systemd-detect-virt saying none: the lscpu is the VM's, the host is bare metal", files: {'paste.txt': guestLscpu, 'systemd-detect-virt.txt': 'none\n'}},
  ],
  invalid: [
    {
      name: 'a guest lscpu alone (new util-linux layout, the hypervisor flag lost in the wrapped Flags line): the machine it comes from is a VM',
      files: {'paste.txt': guestLscpu},
      findings: [{id: 'host-is-virtual', severity: 'warning'}],
    },
  ],
  unknown: [],
})

testCheck(check, {
  valid: [
    {name: "the guest's lscpu beside a whole bare-metal boot log (no \"Hypervisor detected\")", files: {'paste.txt': guestLscpu, 'dmesg.txt': corpus(DMESG.lenovoIntelIommuOn)}, skipped: /^the evidence has no virtualization detection/},
  ],
  invalid: [
    {
      name: "the same lscpu beside a guest's own boot log: both say VM",
      files: {'paste.txt': guestLscpu, 'dmesg.txt': corpus(DMESG.kvmGuest)},
      findings: [{id: 'host-is-virtual', severity: 'warning'}],
    },
  ],
  unknown: [],
}, {skip: !hasShared})
