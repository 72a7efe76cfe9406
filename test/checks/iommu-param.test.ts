import check from '../../checks/iommu-param.js'
import {testCheck} from '../helpers/check-tester.js'
import {devsetFile, hasShared} from '../helpers/paths.js'
import {corpus, CPUINFO, DMESG, linesOf, seed001Module, seed003Config} from './host-data.js'

const amdCpu = corpus(CPUINFO.amd)
const intelCpu = corpus(CPUINFO.intel)
const proxmox = corpus(DMESG.proxmox5700u)

testCheck(check, {
  valid: [
    {name: 'seed 003: intel_iommu=on iommu=pt on an Intel CPU', files: {'configuration.nix': seed003Config(), 'cpuinfo.txt': intelCpu}, passes: [/^intel_iommu=on: values the driver knows, for this CPU's vendor$/]},
    {name: 'amd_iommu=force_isolation and iommu=pt on an AMD CPU', files: {'cmdline.txt': 'root=/dev/sda2 amd_iommu=force_isolation iommu=pt', 'cpuinfo.txt': amdCpu}, passes: [/^amd_iommu=force_isolation: values the driver knows/]},
    {name: 'no IOMMU parameter at all (AMD: on by default)', files: {'cmdline.txt': 'BOOT_IMAGE=/vmlinuz root=/dev/nvme0n1p2 rw quiet', 'cpuinfo.txt': amdCpu}, passes: [/^no intel_iommu \/ amd_iommu parameter$/]},
    {name: 'intel_iommu=on,igfx_off: two values, both known', files: {'cmdline.txt': 'root=/dev/sda1 intel_iommu=on,igfx_off', 'cpuinfo.txt': intelCpu}, passes: [/^intel_iommu=on,igfx_off: values the driver knows/]},
    {
      name: 'amd_iommu=pt beside iommu=pt on an AMD CPU: dead text, an info',
      files: {'cmdline.txt': 'root=/dev/sda1 amd_iommu=pt iommu=pt', 'cpuinfo.txt': amdCpu},
      infos: [{id: 'iommu-param-wrong', subject: 'amd_iommu=pt', message: /^amd_iommu=pt is not an option of the AMD IOMMU \(amd_iommu=\) driver \(it ignores it\); iommu=pt is already set, so amd_iommu=pt can go\.$/}],
    },
    {
      name: 'the same in boot.kernelParams',
      files: {'configuration.nix': '{ ... }: {\n  boot.kernelParams = [ "amd_iommu=pt" "iommu=pt" ];\n}\n', 'cpuinfo.txt': amdCpu},
      infos: [{id: 'iommu-param-wrong', subject: 'amd_iommu=pt', message: /iommu=pt is already set/}],
    },
    {
      name: 'amd_iommu=on beside intel_iommu=on, CPU unknown: whoever wrote it covered Intel, so only an info',
      files: {'cmdline.txt': 'root=/dev/sda1 intel_iommu=on amd_iommu=on'},
      infos: [{id: 'iommu-param-wrong', subject: 'amd_iommu=on', message: /harmless, because the AMD IOMMU is on by default\.$/}],
    },
    {name: 'intel_iommu=off is iommu-enabled\'s business', files: {'cmdline.txt': 'root=/dev/sda1 intel_iommu=off', 'cpuinfo.txt': intelCpu}},
    {name: "amd_iommu=off on an Intel CPU: whatever its vendor, turning an IOMMU off is iommu-enabled's business", files: {'cmdline.txt': 'root=/dev/sda1 amd_iommu=off', 'cpuinfo.txt': intelCpu}},
    {name: 'real Intel boot log (Lenovo, intel_iommu=on)', files: {'dmesg.txt': corpus(DMESG.lenovoIntelIommuOn)}},
  ],
  invalid: [
    {
      name: 'seed 001 as written, on an AMD CPU: ${platform}_iommu=on is ignored, ${platform}_iommu=pt is not iommu=pt',
      files: {'configuration.nix': seed001Module(), 'cpuinfo.txt': amdCpu},
      findings: [
        {id: 'iommu-param-wrong', severity: 'info', subject: 'amd_iommu=on', message: /not a value the AMD IOMMU driver knows/, evidence: /"\$\{platform\}_iommu=on" \(= amd_iommu=on\)/},
        {
          id: 'iommu-param-wrong',
          severity: 'warning',
          subject: 'amd_iommu=pt',
          message: /is not an option.*iommu=pt/,
          evidence: /line 53: "\$\{platform\}_iommu=pt" \(= amd_iommu=pt\)/,
          fix: /"kernelParams":"\\"kvm.ignore_msrs=1\\" \\"iommu=pt\\""/,
        },
      ],
    },
    {
      name: 'seed 001 copied to an Intel host without changing platform',
      files: {'configuration.nix': seed001Module(), 'cpuinfo.txt': intelCpu},
      findings: [
        {id: 'iommu-param-wrong', severity: 'warning', subject: 'amd_iommu=on', message: /for AMD CPUs and does nothing on this Intel CPU.*It comes from platform = "amd" in configuration.nix: that should say "intel"/, fix: /\\"intel_iommu=on\\"/},
        {id: 'iommu-param-wrong', severity: 'warning', subject: 'amd_iommu=pt', message: /passthrough mode is iommu=pt/, fix: /"change":"replace `amd_iommu=pt` with `iommu=pt`"/},
      ],
    },
    {
      name: 'real Proxmox log (corpus): amd_iommu=on, and the kernel says "AMD-Vi: Unknown option - \'on\'"',
      files: {'dmesg.txt': proxmox},
      findings: [{id: 'iommu-param-wrong', severity: 'info', subject: 'amd_iommu=on', evidence: /kernel log line 62: AMD-Vi: Unknown option - 'on'/, fix: /"kernelParams":"\\"iommu=pt\\""/}],
    },
    {
      name: 'intel_iommu=on on an AMD CPU (a guide for the other vendor)',
      files: {'cmdline.txt': 'BOOT_IMAGE=/vmlinuz-linux root=/dev/nvme0n1p2 rw intel_iommu=on iommu=pt', 'cpuinfo.txt': amdCpu},
      findings: [{id: 'iommu-param-wrong', severity: 'warning', subject: 'intel_iommu=on', message: /the AMD IOMMU is on by default/, fix: /"change":"remove `intel_iommu=on`"/}],
    },
    {
      name: 'intel_iommu=pt with iommu=pt already set: dead text',
      files: {'cmdline.txt': 'root=/dev/sda2 intel_iommu=on intel_iommu=pt iommu=pt', 'cpuinfo.txt': intelCpu},
      findings: [{id: 'iommu-param-wrong', severity: 'info', subject: 'intel_iommu=pt', message: /iommu=pt is already set/}],
    },
    {
      name: 'the CPU vendor from the log when there is no cpuinfo (AMD-Vi found an IOMMU)',
      files: {'dmesg.txt': `${linesOf(proxmox, /Found IOMMU/)}\n[    0.1] Kernel command line: root=/dev/sda1 intel_iommu=on`},
      findings: [{id: 'iommu-param-wrong', severity: 'warning', subject: 'intel_iommu=on'}],
    },
    {
      name: "NixOS's current generation kernel-params: amd_iommu=pt",
      files: {'current-system-kernel-params.txt': 'loglevel=4 amd_iommu=pt kvm.ignore_msrs=1\n', 'cpuinfo.txt': amdCpu},
      findings: [{id: 'iommu-param-wrong', severity: 'warning', subject: 'amd_iommu=pt', message: /it is ignored, so the IOMMU is not in passthrough mode\. The parameter for that is iommu=pt\.$/, evidence: /^current generation's kernel-params: loglevel=4 amd_iommu=pt kvm\.ignore_msrs=1$/, fix: /"kernelParams":"\\"iommu=pt\\""/}],
    },
    {
      name: 'intel_iommu=pt alone on an Intel CPU',
      files: {'cmdline.txt': 'root=/dev/sda1 quiet intel_iommu=pt', 'cpuinfo.txt': intelCpu},
      findings: [{id: 'iommu-param-wrong', severity: 'warning', subject: 'intel_iommu=pt', message: /^intel_iommu=pt is not an option of the Intel IOMMU \(intel_iommu=\) driver: it is ignored/, fix: /"change":"replace `intel_iommu=pt` with `iommu=pt`"/}],
    },
    {
      name: 'an unknown value in a comma list',
      files: {'cmdline.txt': 'root=/dev/sda1 intel_iommu=on,sm_on,foo', 'cpuinfo.txt': intelCpu},
      findings: [{id: 'iommu-param-wrong', severity: 'warning', subject: 'intel_iommu=on,sm_on,foo', message: /^intel_iommu=on,sm_on,foo: 'foo' is not an option of the Intel IOMMU \(intel_iommu=\) driver, which ignores it\.$/, fix: /"change":"remove `intel_iommu=on,sm_on,foo`","kernelParams":""/}],
    },
    {
      name: 'amd_iommu=on with iommu=pt on an Intel CPU: intel_iommu=on is what it needs',
      files: {'cmdline.txt': 'root=/dev/sda1 amd_iommu=on iommu=pt', 'cpuinfo.txt': intelCpu},
      findings: [{id: 'iommu-param-wrong', severity: 'warning', subject: 'amd_iommu=on', message: /^amd_iommu=on is for AMD CPUs and does nothing on this Intel CPU: the Intel one is intel_iommu=on\.$/, fix: /"change":"replace `amd_iommu=on` with `intel_iommu=on`","kernelParams":"\\"iommu=pt\\" \\"intel_iommu=on\\""/}],
    },
    {
      name: 'amd_iommu=pt with iommu=pt already there, on an Intel CPU',
      files: {'cmdline.txt': 'root=/dev/sda1 amd_iommu=pt iommu=pt', 'cpuinfo.txt': intelCpu},
      findings: [{id: 'iommu-param-wrong', severity: 'warning', subject: 'amd_iommu=pt', message: /the Intel one is intel_iommu=on; passthrough mode is iommu=pt\.$/, fix: /"change":"replace `amd_iommu=pt` with `intel_iommu=on`","kernelParams":"\\"iommu=pt\\" \\"intel_iommu=on\\""/}],
    },
    {
      name: 'amd_iommu=pt alone on an Intel CPU: the fixed list turns the Intel IOMMU on and asks for passthrough',
      files: {'cmdline.txt': 'root=/dev/sda1 amd_iommu=pt', 'cpuinfo.txt': intelCpu},
      findings: [{id: 'iommu-param-wrong', severity: 'warning', subject: 'amd_iommu=pt', fix: /"change":"replace `amd_iommu=pt` with `iommu=pt`","kernelParams":"\\"intel_iommu=on\\" \\"iommu=pt\\""/}],
    },
    {
      name: "the kernel log's unknown-option lines: only the one for this parameter's value is its evidence",
      files: {'dmesg.txt': "[    0.000000] Command line: BOOT_IMAGE=/vmlinuz root=/dev/sda1 amd_iommu=pt,fullflush\n[    0.100000] AMD-Vi: Unknown option - 'pt'\n[    0.100001] AMD-Vi: Unknown option - 'on'\n", 'cpuinfo.txt': amdCpu},
      findings: [{id: 'iommu-param-wrong', severity: 'warning', subject: 'amd_iommu=pt,fullflush', evidence: /^kernel command line: BOOT_IMAGE=\/vmlinuz root=\/dev\/sda1 amd_iommu=pt,fullflush\nkernel log line 2: AMD-Vi: Unknown option - 'pt'$/}],
    },
    {
      name: 'boot.kernelParams with amd_iommu=on and iommu=1,pt on an Intel CPU: the list keeps its other entries',
      files: {'configuration.nix': '{ ... }: {\n  boot.kernelParams = [ "amd_iommu=on" "iommu=1,pt" ];\n}\n', 'cpuinfo.txt': intelCpu},
      findings: [{id: 'iommu-param-wrong', severity: 'warning', subject: 'amd_iommu=on', evidence: /^configuration\.nix line 2: "amd_iommu=on"$/, fix: /"kernelParams":"\\"iommu=1,pt\\" \\"intel_iommu=on\\""/}],
    },
    {
      name: 'amd_iommu=pt and intel_iommu=on on an AMD CPU: two findings',
      files: {'cmdline.txt': 'root=/dev/sda1 amd_iommu=pt intel_iommu=on', 'cpuinfo.txt': amdCpu},
      findings: [
        {id: 'iommu-param-wrong', severity: 'warning', subject: 'amd_iommu=pt', fix: /"kernelParams":"\\"iommu=pt\\""/},
        {id: 'iommu-param-wrong', severity: 'warning', subject: 'intel_iommu=on', message: /^intel_iommu=on is for Intel CPUs and does nothing on this AMD CPU: the AMD IOMMU is on by default and needs no parameter\.$/},
      ],
    },
  ],
  unknown: [
    {name: 'only a cpuinfo', files: {'cpuinfo.txt': amdCpu}, reason: /no kernel command line or NixOS kernelParams/},
    {name: 'an lspci listing', files: {'lspci-nnk.txt': '01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1070] [10de:1b81] (rev a1)\n'}},
  ],
}, {skip: !hasShared})

// Real fragments from the development set (in the repository, so these run without ../shared).
testCheck(check, {
  valid: [],
  invalid: [
    {
      name: 'devset 125 (deepops#515): amd_iommu=on and no intel_iommu, CPU unknown: harmless on AMD, the IOMMU stays off on Intel',
      files: {'forum-post.txt': devsetFile('125-amd-iommu-on-intel-board', 'forum-post.txt')},
      findings: [{id: 'iommu-param-wrong', severity: 'warning', subject: 'amd_iommu=on', message: /on an Intel CPU it does nothing, and without intel_iommu=on the Intel IOMMU stays off/, evidence: /kernel command line: quiet splash amd_iommu=on/}],
    },
  ],
  unknown: [],
})
