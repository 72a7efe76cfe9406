import check from '../../checks/cpu-topology.js'
import {testCheck} from '../helpers/check-tester.js'
import {hasShared} from '../helpers/paths.js'
import {corpus, domains, edit} from './libvirt-data.js'

// A 4-core, 8-thread Intel like seed 000's i7-7700T, and a 6-core, 12-thread one.
const CPU_4C8T = corpus('cpuinfo', 'MrArtemSid__coreboot_p61-s3-b3__logs_cpuinfo.log')
const CPU_6C12T = corpus('cpuinfo', 'YTEC-info__H310-PORT__logs_cpuinfo.log')
const oneVcpu = edit(domains.xkevinWin10, "<vcpu placement='static'>2</vcpu>", "<vcpu placement='static'>1</vcpu>")
const noTopology = edit(domains.bryansteinerWin10, '<topology sockets="1" cores="6" threads="2"/>\n', '')
const fourSockets = edit(domains.bryansteinerWin10, '<topology sockets="1" cores="6" threads="2"/>', '<topology sockets="4" cores="3" threads="1"/>')
const server = edit(noTopology, 'http://microsoft.com/win/10', 'http://microsoft.com/win/2k22')

testCheck(check, {
  valid: [
    {name: '1 socket x 6 cores x 2 threads (bryansteiner)', files: {'win10.xml': domains.bryansteinerWin10}, passes: [/^domain win10 \(win10\.xml\): 12 vCPUs in 1 socket\(s\)$/]},
    {name: '1 socket x 3 cores x 2 threads (sabinM1)', files: {'10ferestre.xml': domains.sabinWin10}, passes: [/^domain 10ferestre \(10ferestre\.xml\): 6 vCPUs in 1 socket\(s\)$/]},
    {name: 'Windows Server uses many sockets', files: {'srv.xml': server}, skipped: /^no Windows domain with a <vcpu> count/},
    {name: 'a Debian guest (alshdavid)', files: {'gpu-test.xml': domains.alshdavidNavi}, skipped: /^no Windows domain with a <vcpu> count/},
  ],
  invalid: [
    {
      name: '2 vCPUs and no topology (xkevinx45): Home sees one',
      files: {'win10.xml': domains.xkevinWin10, 'cpuinfo.txt': CPU_4C8T},
      findings: [{
        id: 'cpu-topology-default',
        severity: 'warning',
        subject: 'win10',
        message: /^domain win10 \(win10\.xml\) gives Windows 2 vCPUs but it has no <topology>, so libvirt makes each vCPU a socket: Windows Home uses 1 socket, so it sees 1 of them \(Pro sees both\)\. The host has 4 cores with 2 thread\(s\) each\.$/,
        evidence: /^domain win10 \(win10\.xml\): domain name win10\n<vcpu>2<\/vcpu>, no <topology>\nhost CPU Intel\(R\) Xeon\(R\) CPU E3-1270 V2 @ 3\.50GHz: 4 cores, 2 thread\(s\) per core, 8 logical CPUs$/,
        fix: /"vcpus":"2","cores":"1","threads":"2"/,
      }],
    },
    {
      name: '12 vCPUs without a topology, on a 6-core/12-thread host',
      files: {'win10.xml': noTopology, 'cpuinfo.txt': CPU_6C12T},
      findings: [{id: 'cpu-topology-default', severity: 'warning', subject: 'win10', message: /each vCPU a socket.*1 or 2 logical processors/, fix: /"vcpus":"12","cores":"6","threads":"2"/}],
    },
    {
      name: 'a topology with 4 sockets',
      files: {'win10.xml': fourSockets},
      findings: [{id: 'cpu-topology-default', severity: 'warning', subject: 'win10', message: /^domain win10 \(win10\.xml\) gives Windows 12 vCPUs but its topology has 4 sockets: Windows Home uses 1 socket and Pro 2, so the guest sees only 1 or 2 logical processors\.$/, evidence: /\n<vcpu>12<\/vcpu> <topology sockets='4' cores='3' threads='1'\/>$/, fix: /"vcpus":"12","cores":"12","threads":"1"/}],
    },
    {
      name: '6 vCPUs without a topology on a 4c/8t host: 6 is even, so 3 cores of 2 threads',
      files: {'win10.xml': edit(noTopology, '>12</vcpu>', '>6</vcpu>'), 'cpuinfo.txt': CPU_4C8T},
      findings: [{id: 'cpu-topology-default', severity: 'warning', subject: 'win10', fix: /"vcpus":"6","cores":"3","threads":"2"/}],
    },
    {
      name: '3 vCPUs without a topology on a 4c/8t host: odd, so 3 cores of 1 thread',
      files: {'win10.xml': edit(noTopology, '>12</vcpu>', '>3</vcpu>'), 'cpuinfo.txt': CPU_4C8T},
      findings: [{id: 'cpu-topology-default', severity: 'warning', subject: 'win10', fix: /"vcpus":"3","cores":"3","threads":"1"/}],
    },
    {
      name: 'one vCPU, host CPU unknown: 2 cores suggested',
      files: {'win10.xml': oneVcpu},
      findings: [{id: 'cpu-topology-default', severity: 'info', subject: 'win10', message: /^domain win10 \(win10\.xml\) has a single vCPU: Windows sees one logical processor\.$/, evidence: /^domain win10 \(win10\.xml\): domain name win10\n<vcpu>1<\/vcpu>, no <topology>$/, fix: /"vcpus":"2","cores":"2","threads":"1"/}],
    },
    {
      name: 'one vCPU on a 4c/8t host: seed 000 gave 2 cores and 4 threads',
      files: {'win10.xml': oneVcpu, 'cpuinfo.txt': CPU_4C8T},
      findings: [{id: 'cpu-topology-default', severity: 'info', subject: 'win10', message: /one logical processor/, fix: /"vcpus":"4","cores":"2","threads":"2"/}],
    },
  ],
  unknown: [{name: 'no domain XML', files: {'cpuinfo.txt': CPU_4C8T}}],
}, {skip: !hasShared})
