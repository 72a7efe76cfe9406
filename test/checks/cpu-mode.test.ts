import check from '../../checks/cpu-mode.js'
import {testCheck} from '../helpers/check-tester.js'
import {hasShared} from '../helpers/paths.js'
import {corpus, domains, edit} from './libvirt-data.js'

testCheck(check, {
  valid: [
    {name: 'host-passthrough (bryansteiner)', files: {'win10.xml': domains.bryansteinerWin10}},
    {name: 'host-passthrough, no topology (xkevinx45)', files: {'win10.xml': domains.xkevinWin10}},
    {name: 'a TCG domain cannot pass the host CPU (libvirt q35 minimal)', files: {'d.xml': corpus('libvirt-domains', 'x86_64-q35-minimal.xml')}},
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
