import check from '../../checks/iommu-enabled.js'
import {testCheck} from '../helpers/check-tester.js'
import {hasShared} from '../helpers/paths.js'
import {corpus, CPUINFO, DMESG, seed000} from './host-data.js'

const s000 = seed000()
const intelCpu = corpus(CPUINFO.intel)
const amdCpu = corpus(CPUINFO.amd)
const EMPTY = 'IOMMU Group .:\n'

testCheck(check, {
  valid: [
    {name: 'seed 000 after enabling VT-d: its dmesg and group listing', files: {'dmesg.txt': s000.dmesgVtdOn, 'iommu-groups.txt': s000.listing, 'cpuinfo.txt': intelCpu}},
    {name: 'real Intel boot log with intel_iommu=on and groups (Lenovo)', files: {'dmesg.txt': corpus(DMESG.lenovoIntelIommuOn)}},
    {
      name: 'real Arch zen 6.7 log: no intel_iommu=on, yet groups (CONFIG_INTEL_IOMMU_DEFAULT_ON)',
      files: {'dmesg.txt': corpus(DMESG.intelDefaultOn), 'cpuinfo.txt': intelCpu},
    },
    {name: 'real AMD log (Navi 10 host) with its real group listing', files: {'dmesg.txt': corpus(DMESG.navi10), 'iommu-groups.txt': corpus('iommu-groups/alshdavid-labs__vfio-log__iommu-groups.txt')}},
  ],
  invalid: [
    {
      name: 'seed 000 before the fix: intel_iommu=on, "DMAR: IOMMU enabled", "IOMMU Group .:"',
      files: {'dmesg.txt': s000.dmesgVtdOff, 'iommu-groups.txt': s000.emptyListing, 'cpuinfo.txt': intelCpu},
      findings: [{id: 'iommu-firmware-off', severity: 'error', message: /intel_iommu=on is set, yet there are no IOMMU groups/, fix: /VT-d/}],
    },
    {
      name: 'real 3.19 boot log without an ACPI DMAR table (Intel), empty listing',
      files: {'dmesg.txt': corpus('dmesg/Borillion__Linux1397__dmesg.txt'), 'iommu-groups.txt': EMPTY, 'cpuinfo.txt': intelCpu},
      findings: [{id: 'iommu-firmware-off', severity: 'error', evidence: /the kernel log from boot lists no ACPI DMAR table/}],
    },
    {
      name: 'Intel with the DMAR table but no intel_iommu=on',
      files: {'acpi-tables.txt': 'APIC\nDMAR\nDSDT\nFACP\nHPET\nMCFG\n', 'cmdline.txt': 'BOOT_IMAGE=/vmlinuz root=/dev/sda2 ro quiet', 'iommu-groups.txt': EMPTY, 'cpuinfo.txt': intelCpu},
      findings: [{id: 'iommu-kernel-off', severity: 'error', fix: /"param":"intel_iommu=on".*"remove":"intel_iommu=off"/}],
    },
    {
      name: 'amd_iommu=off on the command line',
      files: {'cmdline.txt': 'root=/dev/nvme0n1p2 amd_iommu=off', 'iommu-groups.txt': EMPTY, 'cpuinfo.txt': amdCpu},
      findings: [{id: 'iommu-kernel-off', severity: 'error', message: /amd_iommu=off/}],
    },
    {
      name: 'AMD without groups: the driver is on by default, so the firmware has it off',
      files: {'iommu-groups.txt': EMPTY, 'cpuinfo.txt': amdCpu},
      findings: [{id: 'iommu-firmware-off', severity: 'error', message: /on by default/, fix: /AMD CBS/}],
    },
    {name: 'an empty listing and nothing else', files: {'iommu-groups.txt': EMPTY}, findings: [{id: 'iommu-groups-empty', severity: 'error'}]},
  ],
  unknown: [
    {name: 'only a cpuinfo', files: {'cpuinfo.txt': intelCpu}, reason: /iommuListing|IOMMU group/},
    {name: 'a KVM guest (real log: "Hypervisor detected: KVM") with no groups', files: {'dmesg.txt': corpus(DMESG.kvmGuest), 'iommu-groups.txt': EMPTY}, reason: /host is virtual/},
  ],
}, {skip: !hasShared})
