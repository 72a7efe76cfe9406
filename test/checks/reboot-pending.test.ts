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
