import {describe, expect, it} from 'vitest'
import {assembleFacts} from '../../src/facts/assemble.js'
import {sourceSetFromFiles} from '../helpers/check-tester.js'

// Seed 000's real lines: its lspci -nn names and its dmesg group lines.
const LSPCI = `00:01.0 PCI bridge [0604]: Intel Corporation 6th-10th Gen Core Processor PCIe Controller (x16) [8086:1901] (rev 05)
01:00.0 VGA compatible controller [0300]: Advanced Micro Devices, Inc. [AMD/ATI] Ellesmere [Radeon RX 470/480/570/570X/580/580X/590] [1002:67df] (rev e7)
01:00.1 Audio device [0403]: Advanced Micro Devices, Inc. [AMD/ATI] Ellesmere HDMI Audio [Radeon RX 470/480 / 570/580/590] [1002:aaf0]
`
const DMESG = `[    0.319003] pci 0000:00:01.0: Adding to iommu group 1
[    0.319115] pci 0000:01:00.0: Adding to iommu group 1
[    0.319120] pci 0000:01:00.1: Adding to iommu group 1
[    0.319130] pci 0000:02:00.0: Adding to iommu group 8
`

describe('assembling facts', () => {
  it('takes IOMMU groups from the kernel log for devices lspci describes, and only those', () => {
    const facts = assembleFacts(sourceSetFromFiles({'lspci.txt': LSPCI, 'dmesg.txt': DMESG}))
    expect(facts.iommuGroups).toEqual([{id: 1, devices: ['0000:00:01.0', '0000:01:00.0', '0000:01:00.1']}])
    expect(facts.pciDriverSource).toBeUndefined() // lspci -nn shows no drivers
  })

  it('prefers a listing to the kernel log', () => {
    const facts = assembleFacts(sourceSetFromFiles({'lspci.txt': LSPCI, 'dmesg.txt': DMESG, 'iommu.txt': 'IOMMU Group 5 01:00.0 VGA compatible controller [0300]: x [1002:67df]\n'}))
    expect(facts.iommuGroups).toEqual([{id: 5, devices: ['0000:01:00.0']}])
  })

  it('treats "IOMMU Group .:" as a listing with no groups', () => {
    expect(assembleFacts(sourceSetFromFiles({'iommu-groups.txt': 'IOMMU Group .:\n'})).iommuGroups).toEqual([])
  })

  it('takes the guest GPU from --gpu in any address form', () => {
    const facts = assembleFacts(sourceSetFromFiles({'lspci.txt': LSPCI}), {gpu: '01:00.0'})
    expect(facts.guestGpus).toEqual(['0000:01:00.0'])
  })

  it('takes the guest GPU from a qemu command line that passes it, and none from the card alone', () => {
    // 64kramsystem/vga-passthrough#15: the qemu error quotes the device it was given.
    const qemu = 'qemu-system-x86_64: -device vfio-pci,host=01:00.0,multifunction=on: vfio error: 0000:01:00.0: group 1 is not viable\n'
    expect(assembleFacts(sourceSetFromFiles({'lspci.txt': LSPCI, 'paste.txt': qemu})).guestGpus).toEqual(['0000:01:00.0'])
    expect(assembleFacts(sourceSetFromFiles({'lspci.txt': LSPCI})).guestGpus).toEqual([])
  })

  it('says why a fact is unknown and how to add it', () => {
    const facts = assembleFacts(sourceSetFromFiles({'lspci.txt': LSPCI}))
    expect(facts.kernelLog).toBeUndefined()
    expect(facts.unknown.kernelLog).toEqual({reason: 'the evidence has no kernel log', hint: 'add dmesg.txt with the output of `sudo dmesg`'})
    expect(facts.unknown.nixos?.hint).toContain('current-system-target.txt')
  })

  it('passes on the reason of a source that could not be read', () => {
    const facts = assembleFacts(
      sourceSetFromFiles({}, 'live', [{kind: 'kernelLog', origin: 'dmesg', status: 'denied', reason: 'the kernel log is restricted to root', hint: 'run vfio-doctor with sudo'}]),
    )
    expect(facts.unknown.kernelLog).toEqual({reason: 'the kernel log is restricted to root', hint: 'run vfio-doctor with sudo'})
  })

  it('falls back to the kernel log for the release and the command line', () => {
    const log = '[    0.000000] Linux version 6.12.18 (nixbld@localhost) (gcc 13.3.0) #1-NixOS SMP\n[    0.035515] Kernel command line: intel_iommu=on loglevel=4\n'
    const facts = assembleFacts(sourceSetFromFiles({'dmesg.txt': log}))
    expect(facts.kernel).toEqual({release: '6.12.18', major: 6, minor: 12})
    expect(facts.cmdline?.last.get('intel_iommu')).toBe('on')
  })

  it('reads an ACPI table list pasted from a terminal, several names a line, as one name each', () => {
    const facts = assembleFacts(sourceSetFromFiles({'acpi-tables.txt': 'APIC  BGRT  data  DMAR  DSDT  dynamic  FACP\nFACS  HPET  MCFG\n'}))
    expect(facts.acpiTables).toEqual(['APIC', 'BGRT', 'data', 'DMAR', 'DSDT', 'dynamic', 'FACP', 'FACS', 'HPET', 'MCFG'])
  })

  it('merges two kernel logs: lines counted together, IOMMU on if either says so, the release from the one that has it, the last command line', () => {
    const boot = '[    0.000000] Linux version 6.1.0-13-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1 (2023-09-29)\n[    0.000000] Command line: BOOT_IMAGE=/vmlinuz-6.1.0-13-amd64 root=/dev/sda1 ro quiet\n[    0.010000] DMAR: IOMMU enabled\n'
    const later = '[    5.000000] Kernel command line: BOOT_IMAGE=/vmlinuz root=/dev/sda1 intel_iommu=on\n[    5.100000] pci 0000:01:00.0: Adding to iommu group 7\n[    5.100001] pci 0000:00:02.0: Adding to iommu group 0\n'
    const lspci = '00:02.0 VGA compatible controller [0300]: Intel Corporation HD Graphics 630 [8086:5912] (rev 04)\n01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1070] [10de:1b81] (rev a1)\n'
    const facts = assembleFacts(sourceSetFromFiles({'dmesg-1.txt': boot, 'dmesg-2.txt': later, 'lspci.txt': lspci}))
    expect(facts.kernelLog).toMatchObject({lineCount: 6, iommu: 'on', release: '6.1.0-13-amd64', commandLine: 'BOOT_IMAGE=/vmlinuz root=/dev/sda1 intel_iommu=on', fromBoot: true})
    expect(facts.kernel).toEqual({release: '6.1.0-13-amd64', major: 6, minor: 1})
    expect(facts.iommuGroups).toEqual([{id: 0, devices: ['0000:00:02.0']}, {id: 7, devices: ['0000:01:00.0']}])
  })

  it('uname wins over the kernel log for the release', () => {
    const boot = '[    0.000000] Linux version 6.1.0-13-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1 (2023-09-29)\n'
    expect(assembleFacts(sourceSetFromFiles({'uname.txt': '6.12.18\n', 'dmesg.txt': boot})).kernel).toEqual({release: '6.12.18', major: 6, minor: 12})
  })

  describe('the CPU and whether the host is virtual', () => {
    const HOST = 'vendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Core(TM) i7-7700 CPU @ 3.60GHz\nflags\t\t: fpu vme vmx\n'
    const GUEST = HOST.replace('vmx', 'hypervisor')
    it("a guest's cpuinfo beside the host's, on a bare-metal host: the host's is the CPU", () => {
      const facts = assembleFacts(sourceSetFromFiles({'cpuinfo-guest.txt': GUEST, 'cpuinfo-host.txt': HOST, 'systemd-detect-virt.txt': 'none\n'}))
      expect(facts.cpu?.hypervisor).toBe(false)
      expect(facts.virt).toEqual({kind: 'none', evidence: 'systemd-detect-virt: none'})
    })
    it("only a guest's cpuinfo on a bare-metal host: the CPU is unknown, and why", () => {
      const facts = assembleFacts(sourceSetFromFiles({'cpuinfo.txt': GUEST, 'systemd-detect-virt.txt': 'none\n'}))
      expect(facts.cpu).toBeUndefined()
      expect(facts.unknown.cpu).toEqual({reason: "the CPU information names a hypervisor while the rest of the evidence is a bare-metal host's: it is a guest's", hint: "add the host's `cat /proc/cpuinfo`"})
    })
    it('virtual or not, from cpuinfo alone or the kernel log alone', () => {
      expect(assembleFacts(sourceSetFromFiles({'cpuinfo.txt': HOST})).virt).toEqual({kind: 'none', evidence: 'no hypervisor flag in cpuinfo'})
      expect(assembleFacts(sourceSetFromFiles({'cpuinfo.txt': GUEST})).virt).toEqual({kind: 'vm', evidence: 'the cpuinfo flags include "hypervisor"'})
      expect(assembleFacts(sourceSetFromFiles({'dmesg.txt': '[    0.000000] Hypervisor detected: KVM\n'})).virt).toEqual({kind: 'vm', name: 'KVM', evidence: 'kernel log: Hypervisor detected: KVM'})
      expect(assembleFacts(sourceSetFromFiles({})).virt).toBeUndefined()
    })
  })

  it('says how to provide a missing fact: from an evidence folder, the file to add; live, the failed command\'s reason', () => {
    expect(assembleFacts(sourceSetFromFiles({})).unknown.modules).toEqual({reason: 'the evidence has no loaded module list', hint: 'add modules.txt with the output of `lsmod`'})
    const live = assembleFacts({mode: 'live', root: '/', sources: [{kind: 'modules', origin: 'lsmod', status: 'error', reason: 'lsmod: not found', hint: 'install kmod'}]})
    expect(live.unknown.modules).toEqual({reason: 'lsmod: not found', hint: 'install kmod'})
    expect(live.unknown.cpu).toEqual({reason: 'nothing on this host gave cpu'})
  })

  it('merges modprobe.d files, each line keeping its file', () => {
    const facts = assembleFacts(sourceSetFromFiles({'a.conf': 'options vfio-pci ids=10de:1b81\nblacklist nouveau\n', 'b.conf': 'softdep nouveau pre: vfio-pci\ninstall nvidia /bin/false\n'}))
    expect(facts.modprobe).toEqual({
      options: [{module: 'vfio-pci', params: {ids: '10de:1b81'}, origin: 'a.conf', line: 1}],
      softdeps: [{module: 'nouveau', pre: ['vfio-pci'], post: [], origin: 'b.conf', line: 1}],
      blacklist: [{module: 'nouveau', origin: 'a.conf', line: 2}],
      installs: [{module: 'nvidia', command: '/bin/false', origin: 'b.conf', line: 2}],
    })
  })

  it('device nodes from ls -l: present with mode, owner, group and size; missing', () => {
    const facts = assembleFacts(sourceSetFromFiles({'dev-nodes.txt': "crw-rw-rw- 1 root kvm 10, 232 Oct 29 21:01 /dev/kvm\nls: cannot access '/dev/vfio': No such file or directory\n-rw-rw---- 1 vini kvm 33554432 Oct 29 21:01 /dev/shm/looking-glass\n"}))
    expect(facts.devNodes).toEqual([
      {path: '/dev/kvm', exists: true, mode: 'crw-rw-rw-', owner: 'root', group: 'kvm'},
      {path: '/dev/vfio', exists: false},
      {path: '/dev/shm/looking-glass', exists: true, mode: '-rw-rw----', owner: 'vini', group: 'kvm', size: 33554432},
    ])
  })
})
