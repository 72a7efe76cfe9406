import check from '../../checks/interrupt-remapping.js'
import {testCheck} from '../helpers/check-tester.js'
import {hasShared} from '../helpers/paths.js'
import {corpus, CPUINFO, DMESG, linesOf} from './host-data.js'

// vfio_iommu_type1.c prints this when a group is attached on a platform without interrupt remapping.
const REFUSED =
  '[  352.618600] vfio_iommu_type1_attach_group: No interrupt remapping support.  Use the module param "allow_unsafe_interrupts" to enable VFIO IOMMU support on this platform'
const navi10 = corpus(DMESG.navi10)

testCheck(check, {
  valid: [
    {name: 'real AMD log: "AMD-Vi: Interrupt remapping enabled" and a device on vfio-pci', files: {'dmesg.txt': navi10}, passes: [/^interrupt remapping enabled \(AMD-Vi: Interrupt remapping enabled\)$/]},
    {name: 'real Intel log (Lenovo) with DMAR-IR', files: {'dmesg.txt': corpus(DMESG.lenovoIntelIommuOn)}},
    {name: 'a command line without intremap', files: {'cmdline.txt': 'root=/dev/sda1 intel_iommu=on iommu=pt'}, passes: [/^vfio did not refuse for lack of interrupt remapping$/]},
  ],
  invalid: [
    {
      name: 'vfio refused for lack of interrupt remapping',
      files: {'dmesg.txt': REFUSED, 'cpuinfo.txt': corpus(CPUINFO.intel)},
      findings: [{id: 'interrupt-remapping-missing', severity: 'error', message: /no interrupt remapping/, fix: /Intel boards it comes with VT-d/}],
    },
    {
      name: 'vfio refused, and intremap=off is the cause',
      files: {'dmesg.txt': REFUSED, 'cmdline.txt': 'root=/dev/sda1 intel_iommu=on intremap=off'},
      findings: [{id: 'interrupt-remapping-missing', severity: 'error', message: /intremap=off/, fix: /Remove `intremap=off`/}],
    },
    {
      name: 'intremap=off in the NixOS configuration, before any VM has been tried',
      files: {'configuration.nix': '{ boot.kernelParams = [ "intel_iommu=on" "intremap=off" ]; }'},
      findings: [{id: 'interrupt-remapping-missing', severity: 'warning', evidence: /configuration.nix line 1: "intremap=off"/}],
    },
    {
      name: 'refused earlier, allow_unsafe_interrupts=Y now: the workaround and its risk',
      files: {'dmesg.txt': REFUSED, 'kvm-params.txt': '/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts:Y\n'},
      findings: [{id: 'interrupt-remapping-missing', severity: 'info', message: /forge interrupts/}],
    },
    {
      name: 'allow_unsafe_interrupts set on a host that remaps interrupts (real AMD log)',
      files: {'dmesg.txt': linesOf(navi10, /Interrupt remapping enabled/), 'modprobe-vfio.conf': 'options vfio_iommu_type1 allow_unsafe_interrupts=1\n'},
      findings: [{id: 'interrupt-remapping-missing', severity: 'info', message: /not needed/, evidence: /modprobe-vfio.conf line 1/}],
    },
  ],
  unknown: [{name: 'only a cpuinfo', files: {'cpuinfo.txt': corpus(CPUINFO.amd)}, reason: /the evidence has no kernel log, no kernel command line, no NixOS configuration/}],
}, {skip: !hasShared})
