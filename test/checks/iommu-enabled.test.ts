import check from '../../checks/iommu-enabled.js'
import {testCheck} from '../helpers/check-tester.js'
import {devsetFile, hasShared} from '../helpers/paths.js'
import {corpus, CPUINFO, DMESG, seed000} from './host-data.js'

const s000 = seed000()
const intelCpu = corpus(CPUINFO.intel)
const amdCpu = corpus(CPUINFO.amd)
const EMPTY = 'IOMMU Group .:\n'

testCheck(check, {
  valid: [
    {name: 'seed 000 after enabling VT-d: its dmesg and group listing', files: {'dmesg.txt': s000.dmesgVtdOn, 'iommu-groups.txt': s000.listing, 'cpuinfo.txt': intelCpu}, passes: [/^IOMMU on: 9 groups$/]},
    {name: 'real Intel boot log with intel_iommu=on and groups (Lenovo)', files: {'dmesg.txt': corpus(DMESG.lenovoIntelIommuOn)}, passes: [/^IOMMU on: the kernel log shows IOMMU units and groups$/]},
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
      findings: [{id: 'iommu-firmware-off', severity: 'error', message: /^intel_iommu=on is set, yet there are no IOMMU groups: VT-d is most likely off in the firmware \(BIOS\/UEFI\) setup\.$/, evidence: /^the IOMMU group listing has no groups\nkernel command line: [^\n]*intel_iommu=on loglevel=4\nkernel log line 3: DMAR: IOMMU enabled$/, fix: /VT-d/}],
    },
    {
      name: 'real 3.19 boot log without an ACPI DMAR table (Intel), empty listing',
      files: {'dmesg.txt': corpus('dmesg/Borillion__Linux1397__dmesg.txt'), 'iommu-groups.txt': EMPTY, 'cpuinfo.txt': intelCpu},
      findings: [{id: 'iommu-firmware-off', severity: 'error', message: /^No DMAR ACPI table: VT-d is off in the firmware \(BIOS\/UEFI\) setup, or this platform has no IOMMU\.$/, evidence: /^the IOMMU group listing has no groups\nthe kernel log from boot lists no ACPI DMAR table$/}],
    },
    {
      name: 'Intel with the DMAR table but no intel_iommu=on',
      files: {'acpi-tables.txt': 'APIC\nDMAR\nDSDT\nFACP\nHPET\nMCFG\n', 'cmdline.txt': 'BOOT_IMAGE=/vmlinuz root=/dev/sda2 ro quiet', 'iommu-groups.txt': EMPTY, 'cpuinfo.txt': intelCpu},
      findings: [{id: 'iommu-kernel-off', severity: 'error', message: /^The DMAR table is present, but the kernel was not asked to enable the IOMMU \(intel_iommu=on is missing\)\.$/, evidence: /^the IOMMU group listing has no groups\nkernel command line: BOOT_IMAGE=\/vmlinuz root=\/dev\/sda2 ro quiet\nACPI tables: APIC DMAR DSDT FACP HPET MCFG$/, fix: /"param":"intel_iommu=on".*"vendorName":"VT-d","remove":"intel_iommu=off"/}],
    },
    {
      name: 'amd_iommu=off on the command line',
      files: {'cmdline.txt': 'root=/dev/nvme0n1p2 amd_iommu=off', 'iommu-groups.txt': EMPTY, 'cpuinfo.txt': amdCpu},
      findings: [{id: 'iommu-kernel-off', severity: 'error', message: /^The kernel command line turns the IOMMU off \(amd_iommu=off\)\.$/, evidence: /^the IOMMU group listing has no groups\nkernel command line: root=\/dev\/nvme0n1p2 amd_iommu=off$/, fix: /"vendorName":"AMD-Vi","remove":"amd_iommu=off"/}],
    },
    {
      name: 'AMD without groups: the driver is on by default, so the firmware has it off',
      files: {'iommu-groups.txt': EMPTY, 'cpuinfo.txt': amdCpu},
      findings: [{id: 'iommu-firmware-off', severity: 'error', message: /on by default/, fix: /AMD CBS/}],
    },
    {name: 'an empty listing and nothing else', files: {'iommu-groups.txt': EMPTY}, findings: [{id: 'iommu-groups-empty', severity: 'error', message: /^There are no IOMMU groups, and the evidence does not say why/, evidence: /^the IOMMU group listing has no groups$/}]},
    {
      name: 'live, an empty /sys/kernel/iommu_groups and intel_iommu=0',
      mode: 'live',
      files: {'iommu-groups.txt': EMPTY, 'cmdline.txt': 'BOOT_IMAGE=/vmlinuz root=/dev/sda2 intel_iommu=0', 'cpuinfo.txt': intelCpu},
      findings: [{id: 'iommu-kernel-off', severity: 'error', message: /\(intel_iommu=0\)\.$/, evidence: /^\/sys\/kernel\/iommu_groups is empty\n/}],
    },
    {
      name: 'iommu=off on the command line of an AMD host',
      files: {'cmdline.txt': 'root=/dev/nvme0n1p2 iommu=off', 'iommu-groups.txt': EMPTY, 'cpuinfo.txt': amdCpu},
      findings: [{id: 'iommu-kernel-off', severity: 'error', message: /\(iommu=off\)\.$/}],
    },
  ],
  unknown: [
    {name: 'only a cpuinfo', files: {'cpuinfo.txt': intelCpu}, reason: /iommuListing|IOMMU group/},
    {name: 'a KVM guest (real log: "Hypervisor detected: KVM") with no groups', files: {'dmesg.txt': corpus(DMESG.kvmGuest), 'iommu-groups.txt': EMPTY}, reason: /host is virtual/},
  ],
}, {skip: !hasShared})

// Real fragments from the development set (in the repository, so these run without ../shared).
testCheck(check, {
  valid: [
    {name: '/sys/class/iommu lists the units: DMA remapping is on', files: {'sys-class-iommu.txt': 'dmar0\ndmar1\n'}, passes: [/^IOMMU on: \/sys\/class\/iommu lists dmar0 dmar1$/]},
  ],
  invalid: [
    {
      name: 'devset 123 (fwupd#2093): `dmesg | grep -i dmar` from boot has the DMAR table and units, no "IOMMU enabled" and no VT-d line',
      files: {'dmesg-dmar.txt': devsetFile('123-dmar-table-no-iommu-enabled-thinkpad', 'dmesg-dmar.txt')},
      findings: [{
        id: 'iommu-kernel-off',
        severity: 'warning',
        message: /^The firmware has VT-d on \(the DMAR table is there\), but the kernel did not turn it on: `dmesg {2}\| grep -i dmar` shows no "DMAR: IOMMU enabled", so intel_iommu=on is missing\./,
        // The DMAR table's line once, though it is both the table's evidence and a log line.
        evidence: /^`dmesg {2}\| grep -i dmar` has no "DMAR: Intel\(R\) Virtualization Technology for Directed I\/O" line: DMA remapping never started\nkernel log line 2: ACPI: DMAR [^\n]*$/,
        fix: /^\{"param":"intel_iommu=on","setting":"VT-d \(Intel Virtualization Technology for Directed I\/O; often under Chipset or System Agent\)","vendorName":"VT-d","remove":"intel_iommu=off"\}$/,
      }],
    },
    {
      name: 'devset 123\'s excerpt with "DMAR: IOMMU enabled" in it: the kernel was asked, so not the missing parameter',
      files: {'dmesg-dmar.txt': devsetFile('123-dmar-table-no-iommu-enabled-thinkpad', 'dmesg-dmar.txt').replace('[    0.248920] DMAR: Host address width 39', '[    0.248900] DMAR: IOMMU enabled\n    [    0.248920] DMAR: Host address width 39')},
      findings: [{id: 'iommu-groups-empty', severity: 'error', evidence: /^`dmesg {2}\| grep -i dmar` has no "DMAR: Intel\(R\) Virtualization Technology for Directed I\/O" line: DMA remapping never started$/}],
    },
    {
      name: 'devset 121 (macOS-Simple-KVM#143): qemu "no iommu_group found" while the command line has intel_iommu=on',
      files: {'paste.txt': devsetFile('121-no-iommu-group-found-kali', 'paste.txt')},
      findings: [{id: 'iommu-firmware-off', severity: 'error', message: /^intel_iommu=on is set, yet there are no IOMMU groups/, evidence: /no iommu_group found/}],
    },
    {
      name: 'devset 122 (vmra1n#6): "IOMMU Group *" on an AMD RD9x0 host bridge: AMD-Vi is on by default, so the firmware has it off',
      files: {'lsiommu.txt': devsetFile('122-lsiommu-group-star-amd990', 'lsiommu.txt')},
      findings: [{id: 'iommu-firmware-off', severity: 'error', message: /^the AMD IOMMU driver is on by default, yet there are no IOMMU groups/}],
    },
    {
      name: 'devset 308 (ipaqmaster/vfio#4): `find /sys/class/iommu/ -type l` lists nothing, and nothing says why',
      files: {'terminal.txt': devsetFile('308-ipaqmaster-sys-class-iommu-empty', 'terminal.txt')},
      findings: [{id: 'iommu-groups-empty', severity: 'error', evidence: /^\/sys\/class\/iommu lists no IOMMU unit$/}],
    },
    {
      name: "devset 249 (deepops#291): libvirt's \"host doesn't support passthrough of host PCI devices\" alone: no groups, cause unknown",
      files: {'vagrant-up.txt': devsetFile('249-vagrant-libvirt-host-no-pci-passthrough', 'vagrant-up.txt')},
      findings: [{id: 'iommu-groups-empty', severity: 'error', evidence: /vagrant-up\.txt line 9: .*host doesn't support passthrough of host PCI devices/}],
    },
    {
      name: 'devset 411 (kubevirt-gpu-device-plugin#66): "vfio-pci: probe of 0000:01:00.0 failed with error -22", vfio-pci refusing a device in no group',
      files: {'dmesg.txt': devsetFile('411-centos-vfio-pci-probe-einval', 'dmesg.txt')},
      findings: [{id: 'iommu-groups-empty', severity: 'error', evidence: /^dmesg\.txt line 2: \[ {4}7\.567947\] vfio-pci: probe of 0000:01:00\.0 failed with error -22$/}],
    },
    {
      name: 'devset 421 (raspberry-pi-pcie-devices#754): the newer wording, "probe with driver vfio-pci failed with error -22"',
      files: {'dmesg.txt': devsetFile('421-rpi-pcie-vfio-probe-einval-no-group', 'dmesg.txt')},
      findings: [{id: 'iommu-groups-empty', severity: 'error', evidence: /^dmesg\.txt line 12: .*vfio-pci 0001:01:00\.0: probe with driver vfio-pci failed with error -22$/}],
    },
    {
      name: "devset 401 (ra1nstorm-helper#64): a script's `ls` of the device's group directory finds none",
      files: {'console.log': devsetFile('401-ra1nstorm-no-iommu-groups-dir', 'console.log')},
      findings: [{id: 'iommu-groups-empty', severity: 'error', evidence: /^console\.log line 4: ls: cannot access '\/sys\/kernel\/iommu_groups\/\/devices\/': No such file or directory\nconsole\.log line 5: /}],
    },
  ],
  unknown: [
    {
      name: 'a grep for dmar that starts late in the boot (ring buffer wrapped): absence proves nothing',
      files: {'dmesg.txt': '$ dmesg | grep -i dmar\n[  812.004417] DMAR: DRHD: handling fault status reg 2\n'},
      reason: /IOMMU group/,
    },
    {
      name: 'a dmar excerpt cut by head: absence proves nothing',
      files: {'dmesg.txt': `$ dmesg | grep -i dmar | head -5\n${devsetFile('123-dmar-table-no-iommu-enabled-thinkpad', 'dmesg-dmar.txt').split('\n').slice(1).join('\n')}`},
      reason: /IOMMU group/,
    },
  ],
})

/** The missing-ACPI-table branch from both sides, by the table list alone (inline: no ../shared needed). */
const INTEL_CPUINFO = 'vendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Core(TM) i7-7700 CPU @ 3.60GHz\nflags\t\t: fpu vme de pse tsc msr vmx\n'
const AMD_CPUINFO = 'vendor_id\t: AuthenticAMD\nmodel name\t: AMD Ryzen 7 5800X 8-Core Processor\nflags\t\t: fpu vme de pse tsc msr svm\n'
const ASKED = 'BOOT_IMAGE=/vmlinuz root=/dev/sda2 ro intel_iommu=on'
const LIBVIRT_NO_GROUPS = devsetFile('249-vagrant-libvirt-host-no-pci-passthrough', 'vagrant-up.txt')
testCheck(check, {
  valid: [
    {
      // libvirt also says it when /dev/vfio/vfio is missing: a listing with groups is the judge.
      name: "libvirt's \"host doesn't support passthrough of host PCI devices\" beside a listing that has groups (devset 117's)",
      files: {'vagrant-up.txt': LIBVIRT_NO_GROUPS, 'groups-output.txt': devsetFile('117-groups-all-vfio-healthy', 'groups-output.txt'), 'cpuinfo.txt': INTEL_CPUINFO},
    },
  ],
  invalid: [
    {
      name: "Intel, no intel_iommu=on, and libvirt's \"host doesn't support passthrough of host PCI devices\" (devset 249's line)",
      files: {'vagrant-up.txt': LIBVIRT_NO_GROUPS, 'cmdline.txt': 'BOOT_IMAGE=/vmlinuz root=/dev/sda2 ro quiet splash', 'cpuinfo.txt': INTEL_CPUINFO},
      findings: [{id: 'iommu-kernel-off', severity: 'error', message: /intel_iommu=on is missing/, evidence: /host doesn't support passthrough of host PCI devices/}],
    },
    {
      name: 'Intel, intel_iommu=on, no DMAR among the ACPI tables',
      files: {'acpi-tables.txt': 'APIC\nDSDT\nFACP\nHPET\nMCFG\n', 'cmdline.txt': ASKED, 'iommu-groups.txt': EMPTY, 'cpuinfo.txt': INTEL_CPUINFO},
      findings: [{id: 'iommu-firmware-off', severity: 'error', message: /^No DMAR ACPI table/, evidence: /ACPI tables: APIC DSDT FACP HPET MCFG/}],
    },
    {
      name: 'AMD: a DMAR table is not the IVRS its IOMMU needs',
      files: {'acpi-tables.txt': 'APIC\nDMAR\nDSDT\nFACP\n', 'iommu-groups.txt': EMPTY, 'cpuinfo.txt': AMD_CPUINFO},
      findings: [{id: 'iommu-firmware-off', severity: 'error', message: /^No IVRS ACPI table/}],
    },
    {
      name: '`ls /sys/firmware/acpi/tables` pasted from a terminal, in columns: DMAR is there, so not the firmware table',
      files: {'acpi-tables.txt': 'APIC  BGRT  data  DMAR  DSDT  dynamic  FACP\nFACS  HPET  MCFG\n', 'cmdline.txt': ASKED, 'iommu-groups.txt': EMPTY, 'cpuinfo.txt': INTEL_CPUINFO},
      findings: [{id: 'iommu-firmware-off', severity: 'error', message: /^intel_iommu=on is set, yet there are no IOMMU groups/}],
    },
    {
      name: 'Intel, the DMAR table present (in any case) and intel_iommu=on asked for: not the firmware table',
      files: {'acpi-tables.txt': 'APIC\ndmar\nDSDT\n', 'cmdline.txt': ASKED, 'iommu-groups.txt': EMPTY, 'cpuinfo.txt': INTEL_CPUINFO},
      findings: [{id: 'iommu-firmware-off', severity: 'error', message: /intel_iommu=on is set, yet there are no IOMMU groups/}],
    },
  ],
})

/** Inline evidence (no ../shared): cpuinfo's vendor and model lines, and command lines as /proc/cmdline has them. */
const AMD = 'vendor_id\t: AuthenticAMD\nmodel name\t: AMD Ryzen 9 5950X 16-Core Processor\nflags\t\t: fpu svm\n'
const INTEL = 'vendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Core(TM) i7-8700K CPU @ 3.70GHz\nflags\t\t: fpu vmx\n'
const AMD_FIX = '"param":"amd_iommu=on","setting":"IOMMU \\(often under AMD CBS / NBIO Common Options; also called AMD-Vi\\)","vendorName":"AMD-Vi"'
testCheck(check, {
  valid: [],
  invalid: [
    {
      name: 'AMD with amd_iommu=on asked for and no groups: the firmware has it off',
      files: {'iommu-groups.txt': EMPTY, 'cpuinfo.txt': AMD, 'cmdline.txt': 'BOOT_IMAGE=/vmlinuz root=/dev/nvme0n1p2 rw amd_iommu=on iommu=pt'},
      findings: [{
        id: 'iommu-firmware-off',
        severity: 'error',
        message: /^amd_iommu=on is set, yet there are no IOMMU groups: AMD-Vi is most likely off in the firmware \(BIOS\/UEFI\) setup\.$/,
        evidence: /^the IOMMU group listing has no groups\nkernel command line: BOOT_IMAGE=\/vmlinuz root=\/dev\/nvme0n1p2 rw amd_iommu=on iommu=pt$/,
        fix: new RegExp(`^\\{${AMD_FIX}\\}$`),
      }],
    },
    {
      name: 'AMD with a command line that does not name amd_iommu: on by default, not a missing parameter',
      files: {'iommu-groups.txt': EMPTY, 'cpuinfo.txt': AMD, 'cmdline.txt': 'BOOT_IMAGE=/vmlinuz root=/dev/nvme0n1p2 rw quiet'},
      findings: [{id: 'iommu-firmware-off', severity: 'error', message: /^the AMD IOMMU driver is on by default, yet there are no IOMMU groups: AMD-Vi is most likely off/}],
    },
    {
      name: 'AMD without a command line: the evidence is the empty listing alone',
      files: {'iommu-groups.txt': EMPTY, 'cpuinfo.txt': AMD},
      findings: [{id: 'iommu-firmware-off', severity: 'error', evidence: /^the IOMMU group listing has no groups$/, fix: new RegExp(`^\\{${AMD_FIX}\\}$`)}],
    },
    {
      name: 'Intel without intel_iommu=on and nothing about the DMAR table',
      files: {'iommu-groups.txt': EMPTY, 'cpuinfo.txt': INTEL, 'cmdline.txt': 'BOOT_IMAGE=/vmlinuz root=/dev/sda2 rw quiet'},
      findings: [{
        id: 'iommu-kernel-off',
        severity: 'error',
        message: /^The DMAR table is not known to be absent, but the kernel was not asked to enable the IOMMU \(intel_iommu=on is missing\)\.$/,
        evidence: /^the IOMMU group listing has no groups\nkernel command line: BOOT_IMAGE=\/vmlinuz root=\/dev\/sda2 rw quiet$/,
        fix: /^\{"param":"intel_iommu=on","setting":"VT-d \(Intel Virtualization Technology for Directed I\/O; often under Chipset or System Agent\)","vendorName":"VT-d","remove":"intel_iommu=off"\}$/,
      }],
    },
    {
      name: 'no vendor known, and the ACPI tables have neither DMAR nor IVRS',
      files: {'iommu-groups.txt': EMPTY, 'acpi-tables.txt': 'APIC\nDSDT\nFACP\nFACS\nHPET\nMCFG\nSSDT1\n'},
      findings: [{id: 'iommu-firmware-off', severity: 'error', message: /^No DMAR\/IVRS ACPI table:/, evidence: /^the IOMMU group listing has no groups\nACPI tables: APIC DSDT FACP FACS HPET MCFG SSDT1$/, fix: /"setting":"VT-d \(Intel\) or IOMMU \/ AMD-Vi \(AMD\)"/}],
    },
    {
      name: 'no vendor known, and the ACPI tables have IVRS: not the firmware, the cause is unknown',
      files: {'iommu-groups.txt': EMPTY, 'acpi-tables.txt': 'APIC\nDSDT\nFACP\nIVRS\nMCFG\n'},
      findings: [{id: 'iommu-groups-empty', severity: 'error', message: /^There are no IOMMU groups, and the evidence does not say why \(add the kernel log, \/proc\/cmdline and \/proc\/cpuinfo\)\.$/, evidence: /^the IOMMU group listing has no groups$/}],
    },
    {
      name: 'intel_iommu=off, and the kernel log says "DMAR: IOMMU disabled": both quoted',
      files: {'iommu-groups.txt': EMPTY, 'cpuinfo.txt': INTEL, 'cmdline.txt': 'BOOT_IMAGE=/vmlinuz root=/dev/sda2 rw intel_iommu=off', 'dmesg.txt': '[    0.000000] Command line: BOOT_IMAGE=/vmlinuz root=/dev/sda2 rw intel_iommu=off\n[    0.104519] DMAR: IOMMU disabled\n'},
      findings: [{id: 'iommu-kernel-off', severity: 'error', message: /\(intel_iommu=off\)\.$/, evidence: /^the IOMMU group listing has no groups\nkernel command line: BOOT_IMAGE=\/vmlinuz root=\/dev\/sda2 rw intel_iommu=off\nkernel log line 2: DMAR: IOMMU disabled$/}],
    },
  ],
  unknown: [{name: 'only a cpuinfo: the skip says what to add', files: {'cpuinfo.txt': INTEL}, reason: /^the evidence has no IOMMU group listing \(add iommu-groups\.txt with the output of `[^`]+`\)$/}],
})
