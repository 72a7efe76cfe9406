import check from '../../checks/cpu-mode.js'
import {testCheck} from '../helpers/check-tester.js'
import {devsetFile, hasShared} from '../helpers/paths.js'
import {corpus, domains, edit} from './libvirt-data.js'

testCheck(check, {
  valid: [
    {name: 'host-passthrough (bryansteiner)', files: {'win10.xml': domains.bryansteinerWin10}, passes: [/^domain win10 \(win10\.xml\): <cpu mode='host-passthrough'>$/]},
    {name: 'host-passthrough, no topology (xkevinx45)', files: {'win10.xml': domains.xkevinWin10}},
    {name: 'a TCG domain cannot pass the host CPU (libvirt q35 minimal)', files: {'d.xml': corpus('libvirt-domains', 'x86_64-q35-minimal.xml')}, skipped: /^no x86 KVM domain/},
  ],
  invalid: [
    {name: 'host-model (J4nsen vm-cpu0-0)', files: {'vm.xml': domains.j4nsenGtx1070}, findings: [{id: 'cpu-mode-not-passthrough', severity: 'info', subject: 'vm-cpu0-0'}]},
    {name: 'a custom qemu64 model (alshdavid)', files: {'gpu-test.xml': domains.alshdavidNavi}, findings: [{id: 'cpu-mode-not-passthrough', severity: 'warning', subject: 'gpu-test', message: /AVX2/}]},
    {
      name: 'no <cpu> at all',
      files: {'win10.xml': edit(domains.xkevinWin10, "<cpu mode='host-passthrough' check='none'/>\n", '')},
      findings: [{id: 'cpu-mode-not-passthrough', severity: 'warning', subject: 'win10', message: /QEMU's default CPU model/}],
    },
  ],
  unknown: [{name: 'no domain XML', files: {'os-release': 'ID=arch\n'}}],
}, {skip: !hasShared})

/** A Windows 11 KVM domain as virt-manager writes it, with `extra` in place of its <cpu>. */
const kvmDomain = (extra: string) => `<domain type='kvm'>
  <name>win11</name>
  <memory unit='KiB'>16777216</memory>
  <vcpu placement='static'>8</vcpu>
  <os><type arch='x86_64' machine='pc-q35-8.2'>hvm</type></os>
  <features><acpi/><apic/></features>
  ${extra}
  <devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices>
</domain>
`

// Real fragments from the development set (in the repository, so these run without ../shared).
testCheck(check, {
  valid: [
    {name: 'devset 229 (Complete-Single-GPU-Passthrough#11): a qemu command line with -cpu host,kvm=off', files: {'qemu.txt': "-cpu host,kvm=off,hv_vendor_id=null -smp 8\n"}, passes: [/^qemu runs with -cpu host$/]},
    {name: 'a qemu command line with -cpu max (every feature KVM can give)', files: {'qemu.txt': '-enable-kvm -machine q35 -cpu max -smp 8\n'}, passes: [/^qemu runs with -cpu max$/]},
    {name: "<cpu mode='maximum'> (libvirt 7.1+): the host's CPU as far as KVM gives it", files: {'win11.xml': kvmDomain("<cpu mode='maximum' check='none'/>")}, passes: [/^domain win11 \(win11\.xml\): <cpu mode='maximum'>$/]},
  ],
  invalid: [
    {
      name: "<cpu mode='host-model'>: information, the evidence quotes the mode",
      files: {'win11.xml': kvmDomain("<cpu mode='host-model' check='partial'/>")},
      findings: [{id: 'cpu-mode-not-passthrough', severity: 'info', subject: 'win11', message: /^domain win11 \(win11\.xml\) uses host-model: a named CPU model with the host's features\. host-passthrough gives the guest the exact host CPU \(cache topology included\) and is what passthrough guides use\.$/, evidence: /^win11\.xml: <cpu mode='host-model'>$/, fix: /^\{"domain":"win11"\}$/}],
    },
    {
      name: "a custom Skylake-Client model: a warning naming the mode",
      files: {'win11.xml': kvmDomain("<cpu mode='custom' match='exact' check='partial'><model fallback='allow'>Skylake-Client-IBRS</model></cpu>")},
      findings: [{id: 'cpu-mode-not-passthrough', severity: 'warning', subject: 'win11', message: /^domain win11 \(win11\.xml\) uses a custom CPU model instead of the host's CPU: the guest misses instruction sets such as AVX2, which games and encoders need\.$/, evidence: /^win11\.xml: <cpu mode='custom'>$/}],
    },
    {
      name: '<qemu:commandline> pasted without its xmlns (a warning that is not "malformed XML") and no <cpu>: still judged',
      files: {'win11.xml': kvmDomain("<qemu:commandline><qemu:arg value='-fw_cfg'/><qemu:arg value='opt/ovmf/X-PciMmio64Mb,string=65536'/></qemu:commandline>")},
      findings: [{id: 'cpu-mode-not-passthrough', severity: 'warning', subject: 'win11', message: /uses QEMU's default CPU model/, evidence: /^win11\.xml: no <cpu> mode \(QEMU's default model\)$/}],
    },
    {
      name: 'a script runs qemu with -cpu qemu64: the warning quotes the line',
      files: {'start-vm.sh': 'qemu-system-x86_64 -enable-kvm -machine q35 -cpu qemu64 -m 8G \\\n  -device vfio-pci,host=01:00.0\n'},
      findings: [{id: 'cpu-mode-not-passthrough', severity: 'warning', subject: '-cpu qemu64', evidence: /^start-vm\.sh line 1: qemu-system-x86_64 -enable-kvm -machine q35 -cpu qemu64 -m 8G/, fix: /^\{"domain":"VM"\}$/}],
    },
    {
      name: 'devset 235 (nvidia-kvm-patcher#16): the oVirt guest runs with -cpu Haswell-noTSX, quoted in the post',
      files: {'forum-post.txt': devsetFile('235-ovirt-haswell-cpu-code43', 'forum-post.txt')},
      findings: [{id: 'cpu-mode-not-passthrough', severity: 'warning', subject: '-cpu Haswell-noTSX', message: /a named CPU model, instead of -cpu host/}],
    },
  ],
  unknown: [
    {name: 'a qemu log without -cpu', files: {'qemu.log': '2024-01-01 12:00:00.000+0000: starting up libvirt version: 10.0.0\n'}, reason: /no qemu command line with -cpu/},
    {name: 'a domain cut before its <cpu>: the absence says nothing', files: {'domain-cut.xml': '<domain type="kvm"><name>cut</name><os><type arch="x86_64">hvm</type></os><vcpu>8</vcpu><devi'}},
    // The particular reason, not the closing "no x86 KVM domain".
    {name: 'a pasted <devices> fragment: no <cpu> to judge', files: {'hostdev.xml': "<devices>\n  <hostdev mode='subsystem' type='pci' managed='yes'>\n    <source>\n      <address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>\n    </source>\n  </hostdev>\n</devices>\n"}, reason: /^the domain XML is a fragment without <cpu>$/},
  ],
})
