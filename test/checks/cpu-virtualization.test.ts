import check from '../../checks/cpu-virtualization.js'
import {testCheck} from '../helpers/check-tester.js'
import {devsetFile, hasShared} from '../helpers/paths.js'
import {corpus, CPUINFO, linesOf} from './host-data.js'

const intelCpu = corpus(CPUINFO.intel)

testCheck(check, {
  valid: [
    {name: 'real Intel cpuinfo with vmx (i5-3450)', files: {'cpuinfo.txt': intelCpu}, passes: [/^the CPU has vmx$/]},
    {name: 'real AMD cpuinfo with svm (Ryzen 7 4800U)', files: {'cpuinfo.txt': corpus(CPUINFO.amd)}, passes: [/^the CPU has svm$/]},
    {name: 'just the flags line', files: {'cpuinfo.txt': linesOf(corpus(CPUINFO.amdApu), /^flags/)}},
  ],
  invalid: [
    {
      // platform9/express#206 (test/devset/cases/102-*): `dmesg | grep kvm` alone, under any name
      name: 'only a pasted kernel log line: the firmware switched VT-x off',
      files: {'paste.txt': '[   38.526047] kvm: disabled by bios\n'},
      findings: [{id: 'cpu-virt-disabled', severity: 'error', message: /disabled by the firmware/, evidence: /kernel log line 1: kvm: disabled by bios/}],
    },
    {
      name: "only kvm_amd's line: the fix names AMD's setting",
      files: {'dmesg.txt': 'kvm_amd: SVM disabled (by BIOS) in MSR_VM_CR\n'},
      findings: [{id: 'cpu-virt-disabled', severity: 'error', fix: /SVM Mode \(AMD-V\)/}],
    },
    {
      name: 'real Celeron 900 cpuinfo: no vmx flag',
      files: {'cpuinfo.txt': corpus(CPUINFO.noVmx)},
      findings: [{id: 'cpu-virt-disabled', severity: 'error', message: /no vmx flag/, fix: /"setting":"Intel Virtualization Technology \(VT-x\)"/}],
    },
    {
      name: 'real ThinkPad X240 log: "kvm: disabled by bios" while cpuinfo still lists vmx',
      files: {'cpuinfo.txt': intelCpu, 'dmesg.txt': corpus('dmesg/IgnoredAmbience__x240__dmesg')},
      findings: [{id: 'cpu-virt-disabled', severity: 'error', message: /disabled by the firmware/, evidence: /kvm: disabled by bios/}],
    },
    {
      name: 'real L490 log: "VMX (outside TXT) disabled by BIOS", no vmx in the flags',
      files: {'cpuinfo.txt': 'vendor_id\t: GenuineIntel\nflags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush dts acpi mmx fxsr sse sse2 ss ht tm pbe syscall nx\n', 'dmesg.txt': corpus('dmesg/alexberry__l490-nvme__logs_dmesg.log')},
      findings: [{id: 'cpu-virt-disabled', severity: 'error', evidence: /VMX \(outside TXT\) disabled by BIOS/}],
    },
  ],
  unknown: [
    {name: 'no cpuinfo', files: {'cmdline.txt': 'root=/dev/sda1'}, reason: /no CPU information/},
    {name: 'a kernel log that says nothing of KVM, and no cpuinfo', files: {'dmesg.txt': '[    0.000000] Linux version 6.12.18 (nixbld@localhost)\n'}, reason: /no CPU information/},
    {
      name: 'a VM without nested virtualization: no vmx, hypervisor flag',
      files: {'cpuinfo.txt': 'vendor_id\t: GenuineIntel\nflags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ss syscall nx lm hypervisor\n'},
      reason: /host is virtual/,
    },
  ],
}, {skip: !hasShared})

// Real fragments from the development set (in the repository, so these run without ../shared).
testCheck(check, {
  valid: [
    {name: 'lsmod with kvm and kvm_intel', files: {'lsmod.txt': 'Module                  Size  Used by\nkvm_intel             380928  0\nkvm                  1105920  1 kvm_intel\nirqbypass              16384  1 kvm\n'}, passes: [/^kvm_intel is loaded$/]},
    {name: '`lsmod | grep kvm` on an AMD host: kvm_amd drives the CPU', files: {'lsmod.txt': 'kvm_amd               208896  0\nkvm                  1339392  1 kvm_amd\nirqbypass              12288  1 kvm\n'}, passes: [/^kvm_amd is loaded$/]},
    {name: '`ls -l /dev/kvm` alone: the node is there, so a vendor module loaded', files: {'dev-nodes.txt': 'crw-rw---- 1 root kvm 10, 232 Oct 29 21:01 /dev/kvm\n'}, passes: [/^\/dev\/kvm exists$/]},
  ],
  invalid: [
    {
      name: '"kvm: disabled by bios" alone names no vendor: the fix names both settings',
      files: {'dmesg.txt': '[   14.807294] kvm: disabled by bios\n'},
      findings: [{id: 'cpu-virt-disabled', severity: 'error', message: /^KVM reports virtualization disabled by the firmware: enable VT-x \(Intel\) or SVM Mode \(AMD\) in the BIOS\/UEFI setup\.$/, evidence: /^kernel log line 1: kvm: disabled by bios$/, fix: /^\{"setting":"VT-x \(Intel\) or SVM Mode \(AMD\)","module":"kvm-intel"\}$/}],
    },
    {
      name: 'the x86/cpu line "VMX (outside TXT) disabled by BIOS" names Intel, and /dev/kvm is missing',
      files: {'dmesg.txt': '[    0.199568] x86/cpu: VMX (outside TXT) disabled by BIOS\n', 'dev-nodes.txt': "ls: cannot access '/dev/kvm': No such file or directory\n"},
      findings: [{id: 'cpu-virt-disabled', severity: 'error', message: /enable Intel Virtualization Technology \(VT-x\) in/, evidence: /^kernel log line 1: [^\n]*VMX \(outside TXT\) disabled by BIOS\n\/dev\/kvm: does not exist$/, fix: /^\{"setting":"Intel Virtualization Technology \(VT-x\)","module":"kvm-intel"\}$/}],
    },
    {
      name: 'an AMD CPU with SVM off in the firmware: cpuinfo hides the svm flag',
      files: {'cpuinfo.txt': 'vendor_id\t: AuthenticAMD\nmodel name\t: AMD Ryzen 7 5800X 8-Core Processor\nflags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm constant_tsc rep_good nopl nonstop_tsc cpuid extd_apicid aperfmperf rapl pni pclmulqdq monitor ssse3 fma cx16 sse4_1 sse4_2 movbe popcnt aes xsave avx f16c rdrand lahf_lm cmp_legacy extapic cr8_legacy abm sse4a misalignsse 3dnowprefetch osvw ibs skinit wdt tce topoext perfctr_core perfctr_nb bpext perfctr_llc mwaitx cpb cat_l3 cdp_l3 hw_pstate ssbd mba ibrs ibpb stibp fsgsbase bmi1 avx2 smep bmi2 erms invpcid cqm rdt_a rdseed adx smap clflushopt clwb sha_ni xsaveopt xsavec xgetbv1 xsaves cqm_llc cqm_occup_llc cqm_mbm_total cqm_mbm_local clzero irperf xsaveerptr rdpru wbnoinvd arat umip pku ospke vaes vpclmulqdq rdpid overflow_recov succor smca fsrm\n'},
      findings: [{id: 'cpu-virt-disabled', severity: 'error', message: /^The CPU shows no svm flag: SVM Mode \(AMD-V\) is off in the BIOS\/UEFI setup \(or the CPU lacks it\)\.$/, evidence: /^cpuinfo flags: no vmx, no svm$/, fix: /^\{"setting":"SVM Mode \(AMD-V\)","module":"kvm-amd"\}$/}],
    },
    {
      name: '`grep flags /proc/cpuinfo` without vmx or svm: no vendor to name',
      files: {'cpuinfo.txt': 'flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush dts acpi mmx fxsr sse sse2 ss ht tm pbe syscall nx lm constant_tsc\n'},
      findings: [{id: 'cpu-virt-disabled', severity: 'error', message: /^The CPU shows no vmx\/svm flag: VT-x \(Intel\) or SVM Mode \(AMD\) is off/}],
    },
    {
      name: 'devset 304 (Complete-Single-GPU-Passthrough#19): `lsmod | grep kvm` shows kvm and irqbypass, no kvm_amd',
      files: {'thread.txt': devsetFile('304-qaidvoid-kvm-disabled-by-bios-amd', 'thread.txt')},
      findings: [{id: 'cpu-virt-disabled', severity: 'warning', message: /^kvm is loaded but neither kvm_intel nor kvm_amd is/, evidence: /lsmod: kvm, no kvm_intel, no kvm_amd/}],
    },
    {
      name: "devset 505 (Docker-OSX#418): the project's diagnostic one-liner, its ls of /dev/kvm fails",
      files: {'template-output.txt': devsetFile('505-docker-osx-arch-dev-kvm-missing-vmx-present', 'template-output.txt')},
      findings: [{id: 'cpu-virt-disabled', severity: 'error', message: /^\/dev\/kvm does not exist, so KVM is not available \(ls message/, evidence: /^template-output\.txt line 16: ls: cannot access '\/dev\/kvm': No such file or directory$/}],
    },
    {
      name: 'devset 507 (quick-vm#2): virt-manager finds no KVM domain type',
      files: {'error.txt': devsetFile('507-quick-vm-host-no-kvm-domain-type', 'error.txt')},
      findings: [{id: 'cpu-virt-disabled', severity: 'error', message: /^libvirt offers no KVM domain type on this host/, evidence: /^error\.txt line 1: Error launching details: Host does not support domain type kvm with machine 'pc-q35-9\.1'/}],
    },
  ],
  unknown: [
    {name: 'lsmod without kvm at all', files: {'lsmod.txt': 'Module                  Size  Used by\nvfio_pci               16384  0\n'}},
    // virt-manager#481 (devset 115): the same dialog without a domain type, while kvm-ok says /dev/kvm exists.
    {name: 'virt-manager finding no guest type at all is not the KVM domain type missing', files: {'error.txt': "Error launching details: Host does not support virtualization type hvm for architecture 'x86_64'\n"}},
    {name: "ls failing on Looking Glass's /dev/kvmfr0 says nothing of /dev/kvm", files: {'paste.txt': "ls: cannot access '/dev/kvmfr0': No such file or directory\n"}},
    // The WSL2 kernel in the pasted uname makes the host virtual: kvm-ok's complaint is about the VM, not a BIOS setting.
    {name: "devset 501 (Docker-OSX#679): kvm-ok's \"KVM acceleration can NOT be used\" inside WSL2 defers to host-is-virtual", files: {'paste.txt': devsetFile('501-docker-osx-wsl2-kvm-ok-no-extensions', 'paste.txt')}, reason: /^this host is virtual: see host-is-virtual$/},
    {name: 'the same kvm-ok lines beside a cpuinfo with the hypervisor flag', files: {'paste.txt': 'INFO: Your CPU does not support KVM extensions\nKVM acceleration can NOT be used\n', 'cpuinfo.txt': 'vendor_id\t: GenuineIntel\nflags\t\t: fpu vme de pse tsc msr pae hypervisor\n'}, reason: /host is virtual/},
  ],
})

// kvm-ok alone still speaks for the check: only a host known to be virtual silences it.
testCheck(check, {
  valid: [],
  invalid: [
    {
      name: 'kvm-ok alone, on a host not known to be virtual',
      files: {'paste.txt': 'INFO: Your CPU does not support KVM extensions\nKVM acceleration can NOT be used\n'},
      findings: [{id: 'cpu-virt-disabled', severity: 'error', evidence: /^paste\.txt line 1: INFO: Your CPU does not support KVM extensions\npaste\.txt line 2: KVM acceleration can NOT be used$/}],
    },
    {
      name: 'kvm-ok beside systemd-detect-virt saying none',
      files: {'paste.txt': 'INFO: Your CPU does not support KVM extensions\nKVM acceleration can NOT be used\n', 'systemd-detect-virt.txt': 'none\n'},
      findings: [{id: 'cpu-virt-disabled', severity: 'error'}],
    },
  ],
})
