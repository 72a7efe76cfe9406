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

// Real fragments from the development set (in the repository, so these run without ../shared).
testCheck(check, {
  valid: [
    {name: 'devset 229 (Complete-Single-GPU-Passthrough#11): a qemu command line with -cpu host,kvm=off', files: {'qemu.txt': "-cpu host,kvm=off,hv_vendor_id=null -smp 8\n"}, passes: [/^qemu runs with -cpu host$/]},
  ],
  invalid: [
    {
      name: 'devset 235 (nvidia-kvm-patcher#16): the oVirt guest runs with -cpu Haswell-noTSX, quoted in the post',
      files: {'forum-post.txt': devsetFile('235-ovirt-haswell-cpu-code43', 'forum-post.txt')},
      findings: [{id: 'cpu-mode-not-passthrough', severity: 'warning', subject: '-cpu Haswell-noTSX', message: /a named CPU model, instead of -cpu host/}],
    },
  ],
  unknown: [
    {name: 'a qemu log without -cpu', files: {'qemu.log': '2024-01-01 12:00:00.000+0000: starting up libvirt version: 10.0.0\n'}, reason: /no qemu command line with -cpu/},
    {name: 'a domain cut before its <cpu>: the absence says nothing', files: {'domain-cut.xml': '<domain type="kvm"><name>cut</name><os><type arch="x86_64">hvm</type></os><vcpu>8</vcpu><devi'}},
  ],
})
