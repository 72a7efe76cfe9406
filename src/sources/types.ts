/**
 * Sources: the raw text the host (or an evidence folder) gave us, before any parsing.
 * Every later stage is a pure function of a SourceSet, so a run is reproducible from its capture.
 */
import type {LogDigest} from './log-digest.js'

export type SourceStatus = 'ok' | 'missing' | 'denied' | 'timeout' | 'error'

/** What a source holds; decides which parser reads it and which file name a capture gives it. */
export type SourceKind =
  | 'kernelLog' // dmesg, journalctl -k, kern.log
  | 'cmdline' // /proc/cmdline
  | 'cpuinfo' // /proc/cpuinfo, whole or the flags line
  | 'modules' // /proc/modules or lsmod
  | 'procVersion' // /proc/version
  | 'osRelease' // /etc/os-release
  | 'uname' // uname -r (or -a)
  | 'iommuListing' // any IOMMU group listing, incl. `find /sys/kernel/iommu_groups -type l`
  | 'pciSysfs' // our own dump of /sys/bus/pci/devices (see parse/pci-sysfs.ts)
  | 'lspci' // lspci -nn / -nnk / -nnv output
  | 'acpiTables' // names of /sys/firmware/acpi/tables/*, one a line
  | 'iommuClass' // names of /sys/class/iommu/*, one a line
  | 'devNodes' // /dev/kvm, /dev/vfio/*, /dev/shm/looking-glass, /dev/kvmfr*: `ls -l`-style lines
  | 'kvmParams' // /sys/module/kvm*/parameters: `name=value` lines
  | 'virshList' // virsh list --all --name
  | 'domainXml' // one libvirt domain XML
  | 'qemuLog' // a domain's qemu log, virsh or virt-manager error text
  | 'qemuConf' // libvirt's qemu.conf: the account qemu runs as
  | 'permissions' // ls -l / stat / namei -l output for files the VM uses
  | 'userGroups' // `id` or `groups` output of the person running VMs
  | 'nixSystem' // a NixOS generation: target of current-system / booted-system (text: store path)
  | 'nixKernelParams' // a NixOS generation's kernel-params file
  | 'nixBootspec' // a NixOS generation's boot.json (bootspec: kernel, initrd, kernelParams)
  | 'nixConfig' // a NixOS configuration .nix file
  | 'nixEval' // the option values Nix's evaluation of the configuration gives (JSON, src/sources/nix-eval.ts)
  | 'modprobe' // /etc/modprobe.d/*.conf
  | 'detectVirt' // systemd-detect-virt output
  | 'log' // anything else: a free-form log scanned for known messages

export interface Source {
  kind: SourceKind
  /** Where it came from: a path on the host, a command line, or a file name in the evidence folder. */
  origin: string
  /** A short qualifier for sources that come in several (domain name, generation, file path). */
  label?: string
  status: SourceStatus
  text?: string
  /** A log too big to hold, read as a stream instead of into `text` (sources/log-digest.ts). */
  digest?: LogDigest
  /** Why it is not ok, in one line. */
  reason?: string
  /** How the person can get it ("run with sudo"). */
  hint?: string
  /** Set when a reader's limit cut the text: what was kept, and why ("more than 20000 XML elements"). */
  truncated?: string
  /** For evidence files: what the lines were recognised as, by what, and where in the file. */
  recognised?: Recognised
  /**
   * The command on the prompt line above a pasted output ("dmesg | grep -i dmar"): what it may
   * have left out. Read by the parsers, never put in a report (a command may name a home folder).
   */
  command?: string
}

export interface Recognised {
  /** What the person pasted ("lspci output", "kvm-ok output"). */
  format: string
  /** What decided it: the file name, the command on a prompt line, or the lines themselves. */
  by: 'name' | 'command' | 'content'
  /** 1-based first and last line in the file. */
  from: number
  to: number
}

export interface SourceSet {
  /** 'live' when read from this host, 'input' when read from an evidence folder. */
  mode: 'live' | 'input'
  /** The folder for --input, the root ("/") for live runs. */
  root: string
  sources: Source[]
}
