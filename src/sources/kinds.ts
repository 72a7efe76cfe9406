import type {SourceKind} from './types.js'

/**
 * One table for every kind of source: the file name a capture gives it, the names an evidence
 * folder may use for it (DESIGN.md's naming contract), and how a person gets it by hand.
 * Capture names and evidence patterns agree by construction, so `check --input CAPTURE` reads back
 * exactly what the live run read.
 */
export interface KindInfo {
  /** What it is, in words for the person reading a report. */
  what: string
  /** File name in a capture; `{label}` is replaced for kinds that come in several. */
  captureName: string
  /** Matched against the lower-cased base name, in table order: the first kind that matches wins. */
  patterns: RegExp[]
  /** What a person runs to get it. */
  howTo: string
  /** The label an example file name uses, for kinds that come in several. */
  exampleLabel?: string
}

export const KINDS: Record<SourceKind, KindInfo> = {
  pciSysfs: {what: 'PCI device list from sysfs', captureName: 'pci-sysfs.txt', patterns: [/^pci-sysfs/], howTo: 'vfio-doctor capture'},
  acpiTables: {what: 'ACPI table list', captureName: 'acpi-tables.txt', patterns: [/^acpi-tables/], howTo: 'ls /sys/firmware/acpi/tables'},
  iommuClass: {what: 'IOMMU unit list', captureName: 'sys-class-iommu.txt', patterns: [/^sys-class-iommu/], howTo: 'ls /sys/class/iommu'},
  devNodes: {what: 'device node list', captureName: 'dev-nodes.txt', patterns: [/^dev-nodes/], howTo: 'ls -l /dev/kvm /dev/vfio /dev/shm/looking-glass'},
  kvmParams: {what: 'KVM module parameters', captureName: 'kvm-params.txt', patterns: [/^kvm-params/], howTo: 'grep -r . /sys/module/kvm/parameters'},
  virshList: {what: 'libvirt domain list', captureName: 'virsh-list.txt', patterns: [/^virsh-list/], howTo: 'virsh -c qemu:///system list --all --name'},
  detectVirt: {what: 'virtualization detection', captureName: 'systemd-detect-virt.txt', patterns: [/detect-virt/], howTo: 'systemd-detect-virt'},
  nixKernelParams: {what: "NixOS generation's kernel parameters",
    captureName: '{label}-system-kernel-params.txt',
    exampleLabel: 'current',
    patterns: [/kernel-params/],
    howTo: 'cat /run/current-system/kernel-params /run/booted-system/kernel-params',
  },
  nixEval: {what: 'NixOS options as Nix evaluates them',
    captureName: 'nixos-evaluated.json',
    patterns: [/^nixos-evaluated/],
    howTo: 'vfio-doctor capture (on the NixOS host)',
  },
  nixBootspec: {what: "NixOS generation's bootspec",
    captureName: '{label}-system-boot.json',
    exampleLabel: 'current',
    patterns: [/boot\.json$/, /bootspec/],
    howTo: 'cat /run/current-system/boot.json',
  },
  nixSystem: {what: 'NixOS generation', 
    captureName: '{label}-system-target.txt',
    exampleLabel: 'current',
    patterns: [/^(current|booted)-system/],
    howTo: 'readlink /run/current-system /run/booted-system',
  },
  kernelLog: {what: 'kernel log', captureName: 'dmesg.txt', patterns: [/^dmesg/, /^journal/, /^kern\.log/, /^kernel-log/], howTo: 'sudo dmesg'},
  cmdline: {what: 'kernel command line', captureName: 'cmdline.txt', patterns: [/^cmdline/, /^proc-cmdline/], howTo: 'cat /proc/cmdline'},
  cpuinfo: {what: 'CPU information', captureName: 'cpuinfo.txt', patterns: [/^cpuinfo/, /^proc-cpuinfo/], howTo: 'cat /proc/cpuinfo'},
  iommuListing: {what: 'IOMMU group listing', captureName: 'iommu-groups.txt', patterns: [/^iommu/], howTo: 'the Arch wiki IOMMU group script'},
  lspci: {what: 'PCI device list (lspci output)', captureName: 'lspci-nnk.txt', patterns: [/^lspci/], howTo: 'lspci -nnk'},
  modules: {what: 'loaded module list', captureName: 'modules.txt', patterns: [/^lsmod/, /^modules/, /^proc-modules/], howTo: 'lsmod'},
  modprobe: {what: 'modprobe configuration', captureName: 'modprobe-{label}', patterns: [/^modprobe/], howTo: 'cat /etc/modprobe.d/*.conf'},
  osRelease: {what: 'os-release', captureName: 'os-release.txt', patterns: [/^os-release/], howTo: 'cat /etc/os-release'},
  uname: {what: 'kernel release', captureName: 'uname.txt', patterns: [/^uname/], howTo: 'uname -r'},
  procVersion: {what: '/proc/version', captureName: 'proc-version.txt', patterns: [/^proc-version/], howTo: 'cat /proc/version'},
  userGroups: {what: 'user groups', captureName: 'groups.txt', patterns: [/^groups/, /^id(\.|$)/], howTo: 'id'},
  permissions: {what: 'file permission listing', captureName: 'permissions.txt', patterns: [/^permissions/, /^ls/, /^namei/, /^stat/], howTo: 'namei -l /path/to/file.iso'},
  qemuConf: {what: "libvirt's qemu.conf", captureName: 'qemu-conf-{label}', exampleLabel: 'etc', patterns: [/^qemu[._-]conf/], howTo: 'sudo cat /etc/libvirt/qemu.conf (NixOS: /var/lib/libvirt/qemu.conf)'},
  qemuLog: {what: 'qemu or libvirt log', captureName: 'qemu-{label}.log', patterns: [/^qemu/, /^libvirt/, /^virsh/, /^virt-manager/], howTo: 'sudo cat /var/log/libvirt/qemu/VM.log'},
  domainXml: {what: 'libvirt domain XML', captureName: 'domain-{label}.xml', patterns: [/\.xml$/], howTo: 'virsh dumpxml VM'},
  nixConfig: {what: 'NixOS configuration', captureName: 'nixos-{label}', patterns: [/\.nix$/], howTo: 'cat /etc/nixos/configuration.nix'},
  log: {what: 'free-form log', captureName: 'log-{label}', patterns: [], howTo: 'paste the log into a file'},
}

/** Which kind a file in an evidence folder holds, from its base name (case-insensitive). */
export function kindOfFileName(baseName: string): SourceKind {
  const name = baseName.toLowerCase()
  for (const [kind, info] of Object.entries(KINDS) as Array<[SourceKind, KindInfo]>) {
    if (info.patterns.some((p) => p.test(name))) return kind
  }
  return 'log'
}

/** The file name a capture gives a source. Labels are made safe for a file name. */
export function captureFileName(kind: SourceKind, label?: string): string {
  const safe = (label ?? 'unnamed').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_').slice(0, 100)
  return KINDS[kind].captureName.replace('{label}', safe)
}

/** An example file name for a kind, to tell a person what to add to an evidence folder. */
export function exampleFileName(kind: SourceKind): string {
  const info = KINDS[kind]
  return info.captureName.replace('{label}', info.exampleLabel ?? 'NAME')
}

/** One line a person without the tool can paste into a shell: each output under its own `$ command` line. */
export const GATHER_COMMANDS =
  "for c in 'cat /proc/cmdline' 'cat /proc/cpuinfo' 'lspci -nnk' 'lsmod' 'find /sys/kernel/iommu_groups -type l' 'sudo dmesg'; do echo \"\\$ $c\"; $c; done > evidence.txt 2>&1"
