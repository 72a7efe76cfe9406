/**
 * What a piece of pasted text is, from its lines alone. Each recogniser claims the lines that have
 * its shape; a block is the kind whose lines dominate it. A recogniser names the parser's kind (which
 * parser reads it) and the format (what the person pasted: "kvm-ok output" is read as a free-form
 * log, but the report says what it was).
 *
 * Order matters only on a tie: the more specific shape comes first.
 */
import {unwrapGrubLine} from '../../parse/cmdline.js'
import type {SourceKind} from '../types.js'

export interface Recogniser {
  kind: SourceKind
  /** What the person pasted, in the report's words. */
  format: string
  /** True for a line this output prints. */
  claims(line: string): boolean
  /**
   * The block is this kind only if a line satisfies this too (an IOMMU listing needs a group
   * header; its device lines alone are lspci).
   */
  requires?(line: string): boolean
  /** At most this many non-blank lines (uname, os-release fragments, /proc/cmdline are short). */
  maxLines?: number
  /** Share of the block's non-blank lines it must claim; 0.6 unless said. */
  share?: number
}

const PCI = String.raw`(?:[0-9a-f]{4}:)?[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]`
const PCI_SYSFS = new RegExp(`^${PCI} vendor=`, 'i')
const LSPCI_DEVICE = new RegExp(String.raw`^\s*(?:\(\d+\)\s*)?${PCI}\s+[A-Za-z][^:]*(?:\[[0-9a-f]{4}\])?:\s*\S`, 'i')
const LSPCI_DETAIL = /^\s+(?:Subsystem|Kernel driver in use|Kernel modules|Flags|Memory at|I\/O ports at|Expansion ROM|Capabilities|Control|Status|Latency|Interrupt|Region \d|Physical Slot|IOMMU group|DeviceName|Product Name|Bus:|\[virtual\] )/i
const LSPCI_TREE = new RegExp(String.raw`^[-+|\\ ]*\[[0-9a-f]{4}:[0-9a-f]{2}\]-[-+]|^\s*[|\\+]-[0-9a-f]{2}\.[0-7]`, 'i')
const IOMMU_HEADER = /^\s*(?:#+\s*)?(?:IOMMU\s+group|group)(?:\s*:)?\s*(?:\d+\b|\.|\*)|\/sys\/kernel\/iommu_groups\/|\/iommu_group\s*->/i
const KERNEL_STAMP = /^\s*(?:<\d{1,3}>)?\[\s*\d{1,10}\.\d{1,9}\]|^\[\p{L}{2,4}\.? \p{L}{3,5}\.? {1,2}\d{1,2} \d\d:\d\d:\d\d \d{4}\]/u
const JOURNAL_KERNEL = /^(?:\p{L}{3,5}\.? {1,2}\d{1,2} \d\d:\d\d:\d\d|\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d\S*) \S+ kernel: /u
/** Messages that only the kernel prints, as a `dmesg -t | grep` paste shows them. */
const KERNEL_MESSAGE = new RegExp(
  String.raw`^\s*(?:DMAR(?:-IR)?:|AMD-Vi:|iommu:|pci ${PCI}:|pcieport ${PCI}:|vfio[-_]pci(?: ${PCI})?:|VFIO - User Level|kvm(?:_intel|_amd)?(?: \[\d+\])?:|x86/cpu:|efifb:|simple-framebuffer|simpledrm:|NVRM:|nvidia(?:-modeset)?:|amdgpu(?: ${PCI})?:|i915 ${PCI}:|ACPI: (?:DMAR|IVRS)|Linux version \d|Kernel command line:|Command line:|smpboot:|Hypervisor detected:|\S+ ${PCI}: )`,
  'i',
)
const QEMU_LOG = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d\.\d+(?:Z|[+-]\d\d:?\d\d)?: |^(?:\/\S*\/)?qemu-system-\w+|^qemu-(?:kvm|system)|^\s*-(?:device|drive|machine|cpu|smp|m|object|chardev|blockdev|enable-kvm)\s|^LC_ALL=C |^char device redirected to|^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+\+\d{4}: (?:starting up|shutting down)|^qemu: /
const LIBVIRT_ERROR = /^error: |^(?:Error|Unable to complete install|Error starting domain):|internal error:|operation failed:|libvirtd?\[\d+\]:|^Traceback \(most recent call last\)|^\s*File "\/usr\/share\/virt-manager/i

const NIX_OPTION = /^\s*(?:boot|virtualisation|services|hardware|users|environment|networking|programs|systemd|nixpkgs|system|security|specialisation|nix|fileSystems|swapDevices|time|i18n|console|sound|xdg|fonts|powerManagement|home-manager)\.[\w"-]|^\s*imports\s*=|^\s*\{[^}]{0,255}\b(?:config|pkgs|lib)\b[^}]{0,255}\}\s*:|^\s*(?:kernelParams|kernelModules|extraModprobeConfig|blacklistedKernelModules)\s*=[^;]*;?\s*$/
const XML_ELEMENT = /<(?:domain|hostdev|cpu|os|features|devices|disk|shmem|qemu:commandline|qemu:arg|loader|nvram|vcpu|memory|hyperv|kvm|vendor_id|hidden|source|address|graphics|video|input|tpm|interface|controller|memballoon|emulator|cputune|vcpupin|topology|feature|smbios|sysinfo|clock|timer|rom|model|backend|target|driver|boot)\b/

export const RECOGNISERS: Recogniser[] = [
  {kind: 'pciSysfs', format: 'PCI device list from sysfs', claims: (l) => PCI_SYSFS.test(l)},
  {kind: 'procVersion', format: '/proc/version', claims: (l) => /^Linux version \d+\.\d\S* \(/.test(l.trim()), maxLines: 1},
  {
    kind: 'domainXml',
    format: 'libvirt domain XML',
    claims: (l) => /^\s*<[/!?]?[a-zA-Z][\w:.-]*(?:[\s/>]|$)|^\s*<!--|^\s*[\w:-]+=(?:'[^']*'|"[^"]*")\s*(?:(?:\/>?|>)\s*)?$|^\s*-->|^\s*\.\.\.\s*$/.test(l),
    requires: (l) => XML_ELEMENT.test(l),
    share: 0.8,
  },
  {
    kind: 'nixConfig',
    format: 'NixOS configuration',
    claims: (l) => /^\s*[\w"${}.-]+\s*=\s*\S|^\s*[}\]);]+\s*(?:[;,]\s*)?$|^\s*(?:#|\/\*|\*)|^\s*\{[^}]*\}\s*:|^\s*"[^"]*"\s*$|^\s*(?:let|in|with\b.*;|inherit\b.*;)\s*$|^\s*''|;\s*$|^\s*\[\s*$|^\s*\{\s*$|^\s*\(\S+\)\s*$|^\s*[\w.-]+\s*$/.test(l),
    requires: (l) => NIX_OPTION.test(l),
    share: 0.8,
  },
  {
    kind: 'iommuListing',
    format: 'IOMMU group listing',
    claims: (l) => IOMMU_HEADER.test(l) || LSPCI_DEVICE.test(l) || LSPCI_DETAIL.test(l) || /^\s*\[[0-9a-f]{4}:[0-9a-f]{4}\]\s/i.test(l),
    requires: (l) => IOMMU_HEADER.test(l),
  },
  {kind: 'lspci', format: 'lspci output', claims: (l) => LSPCI_DEVICE.test(l) || LSPCI_DETAIL.test(l) || LSPCI_TREE.test(l) || /^\s+[0-9a-f]{2}: [0-9a-f]{2}(?: [0-9a-f]{2}){3,}/i.test(l)},
  {
    kind: 'kernelLog',
    format: 'kernel log',
    claims: (l) => KERNEL_STAMP.test(l) || JOURNAL_KERNEL.test(l) || KERNEL_MESSAGE.test(l) || /^-- (?:Reboot|Boot [0-9a-f]+|Logs begin|Journal begins)/.test(l),
    share: 0.5,
  },
  {kind: 'modules', format: 'lsmod output', claims: (l) => /^Module\s+Size\s+Used by/.test(l) || /^\w+\s+\d+\s+\d+(?:\s+[\w,\-[\]]+)?\s*$/.test(l) || /^\w+ \d+ \d+ \S+ (?:Live|Loading|Unloading) 0x/.test(l)},
  {
    kind: 'cpuinfo',
    format: 'CPU information (cpuinfo or lscpu)',
    claims: (l) =>
      /^(?:processor|vendor_id|cpu family|model name|model|stepping|microcode|cpu MHz|cache size|physical id|siblings|core id|cpu cores|apicid|flags|bugs|bogomips|fpu|address sizes|power management|clflush size|cache_alignment|initial apicid|cpuid level|wp|fpu_exception|vmx flags)\s*:/i.test(l) ||
      /^(?:Architecture|CPU op-mode\(s\)|Byte Order|Address sizes|CPU\(s\)|On-line CPU\(s\) list|Vendor ID|Model name|CPU family|Model|Thread\(s\) per core|Core\(s\) per (?:socket|cluster)|Socket\(s\)|Stepping|BogoMIPS|Flags|Virtuali[sz]ation(?: type)?|Hypervisor vendor|L[123][di]? cache|NUMA node\d*(?: CPU\(s\))?|CPU (?:max|min) MHz|CPU scaling MHz|Frequency boost|Caches \(sum of all\)|Vulnerabilit(?:y|ies) .*|Vulnerabilities|NUMA|Socket\(s\)|BIOS Vendor ID|BIOS Model name|Stepping):/.test(l.trim()) ||
      /^(?:flags\s*:\s*)?fpu vme de pse\b/.test(l.trim()),
  },
  {kind: 'log', format: 'kvm-ok output', claims: (l) => /^(?:INFO|HINT): |^KVM acceleration can (?:NOT )?be used/.test(l.trim()), share: 0.5},
  {kind: 'log', format: 'virt-host-validate output', claims: (l) => /^\s*(?:QEMU|LXC|BHYVE|CH): Checking .*: (?:PASS|WARN|FAIL)/.test(l), share: 0.5},
  {
    kind: 'log',
    format: 'initramfs tool output',
    claims: (l) => /^==> |^\s+-> |^dracut(?:\[[A-Z]\])?(?:\[\d+\])?:|^dracut-install:|^update-initramfs:|^I: |^W: (?:Possible missing firmware|mkconf)|^E: |^mkinitcpio|^Generating |^Building image|^Image generation/.test(l.trim()),
    share: 0.5,
  },
  {
    kind: 'log',
    format: 'nixos-rebuild output',
    claims: (l) =>
      /^building the system configuration|^th(?:ese \d+|is) (?:derivations?|paths?) will be (?:built|fetched)|^\s+\/nix\/store\/|^copying path '\/nix\/store|^building '\/nix\/store|^\/nix\/store\/\S+: |^error: builder for '|^error: (?:attribute|undefined variable|The option|A definition for option|evaluation aborted|cannot coerce|value is)|^\s+\u2026 while |^\s+at \/nix\/store|^activating the configuration|^setting up \/etc|^reloading user units|^restarting (?:the following )?units|^stopping the following units|^starting the following units|^warning: Git tree .* is dirty|^building Nix\.\.\.|^nix-instantiate: /.test(l.trim()),
    requires: (l) => /^(?:building the system configuration|th(?:ese \d+|is) (?:derivations?|paths?) will be|error: builder for '|activating the configuration|building '\/nix\/store)/.test(l.trim()),
    share: 0.4,
  },
  {
    kind: 'log',
    format: 'quickemu output',
    claims: (l) => /^(?:Quickemu|Quickget) \d|^ - [A-Za-z][\w ]{0,15}:\s|^ {5,}\S/.test(l),
    requires: (l) => /^(?:Quickemu|Quickget) \d/.test(l.trim()),
    share: 0.5,
  },
  {kind: 'qemuLog', format: 'qemu or libvirt log', claims: (l) => QEMU_LOG.test(l) || LIBVIRT_ERROR.test(l), share: 0.4},
  {
    kind: 'qemuConf',
    format: 'qemu.conf',
    claims: (l) => /^\s*(?:user|group|dynamic_ownership|cgroup_device_acl|security_driver|nvram|namespaces|clear_emulator_capabilities|remember_owner|seccomp_sandbox|memory_backing_dir|hugetlbfs_mount|spice_listen|vnc_listen|swtpm_user|swtpm_group)\s*=|^\s*#|^\s*(?:"\/dev\/[^"]*",?\s*)+(?:\]\s*)?$|^\s*\]\s*$/.test(l),
    requires: (l) => /^\s*(?:user|group|cgroup_device_acl|security_driver|nvram|dynamic_ownership)\s*=/.test(l),
    share: 0.8,
  },
  {kind: 'devNodes', format: 'device node list', claims: (l) => isPermissionLine(l) && /\/dev\/(?:kvm|vfio|shm\/looking-glass|kvmfr)|^\s*(?:kvm|vfio|\d+|looking-glass|kvmfr\d*)\s*$/.test(l), requires: (l) => /\/dev\//.test(l)},
  {kind: 'permissions', format: 'file permission listing (ls -l, namei -l, stat)', claims: isPermissionLine},
  {kind: 'userGroups', format: 'user groups (id / groups)', claims: (l) => /^uid=\d+\([^)]*\) gid=\d+/.test(l.trim()) || /^[a-z_][\w.-]*\s+:\s+[a-z_][\w\s.-]*$/i.test(l.trim()) || isBareGroupList(l), maxLines: 2},
  {kind: 'modprobe', format: 'modprobe configuration', claims: (l) => /^\s*(?:options|softdep|blacklist|install|alias|remove)\s+[\w-]+/.test(l) || /^\s*#/.test(l), share: 0.7, requires: (l) => /^\s*(?:options|softdep|blacklist|install)\s/.test(l)},
  {kind: 'osRelease', format: 'os-release', claims: (l) => /^(?:NAME|ID|ID_LIKE|VERSION|VERSION_ID|VERSION_CODENAME|PRETTY_NAME|BUILD_ID|HOME_URL|DOCUMENTATION_URL|SUPPORT_URL|BUG_REPORT_URL|LOGO|ANSI_COLOR|CPE_NAME|IMAGE_ID|IMAGE_VERSION|VARIANT|VARIANT_ID|DEFAULT_HOSTNAME|SUPPORT_END|PRIVACY_POLICY_URL|UBUNTU_CODENAME|VENDOR_NAME|VENDOR_URL)=/.test(l.trim())},
  {kind: 'uname', format: 'uname output', claims: (l) => /^(?:Linux \S+ )?\d+\.\d+(?:\.\d+)?(?:[-+_.~]\w[\w.+~-]*)?(?: #\S.*)?$/.test(l.trim()), maxLines: 1},
  {
    kind: 'cmdline',
    format: 'kernel command line',
    claims: (l) => isCommandLine(l),
    maxLines: 1,
  },
  {kind: 'nixSystem', format: 'NixOS generation', claims: (l) => /^\/nix\/store\/[0-9a-z]{32}-nixos-system-/.test(l.trim()), maxLines: 2},
  {kind: 'acpiTables', format: 'ACPI table list', claims: (l) => l.trim().split(/\s+/).every((t) => /^(?:[A-Z][A-Z0-9]{3}\d{0,2}|data|dynamic)$/.test(t)), requires: (l) => /\b(?:APIC|FACP|DSDT|MCFG|DMAR|IVRS|HPET|FACS|SSDT\d*)\b/.test(l)},
  {kind: 'iommuClass', format: 'IOMMU unit list', claims: (l) => l.trim().split(/\s+/).every((t) => /^(?:dmar|ivhd)\d+$/.test(t))},
  {kind: 'kvmParams', format: 'KVM module parameters', claims: (l) => /^\s*(?:\/sys\/module\/kvm\w*\/parameters\/|kvm(?:_intel|_amd)?\.)?(?:ignore_msrs|report_ignored_msrs|nested|halt_poll_ns\w*|enable_apicv|avic|npt|ept|tdp_mmu|mmio_caching|kvmclock_periodic_sync|lapic_timer_advance_ns|min_timer_period_us|nx_huge_pages\w*|vector_hashing|force_emulation_prefix|enable_vmware_backdoor|flush_on_reuse|pi_inject_timer|eager_page_split|allow_smaller_maxphyaddr)\s*[:=]\s*\S+\s*$/.test(l)},
  {kind: 'detectVirt', format: 'systemd-detect-virt output', claims: (l) => /^(?:none|kvm|qemu|vmware|microsoft|oracle|xen|bochs|uml|parallels|bhyve|qnx|acrn|powervm|amazon|apple|sre|google|docker|lxc|lxc-libvirt|podman|wsl|systemd-nspawn|openvz|proot|rkt)$/.test(l.trim()), maxLines: 1},
]

/** `ls -l` / `ls -ld`, `namei -l`, `stat` lines. */
function isPermissionLine(l: string): boolean {
  return (
    /^[-dlcbps][rwxsStT-]{9}[.+@]?\s+(?:\d+\s+)?\S+\s+\S+/.test(l) ||
    /^\s*[-dlcbps][rwxsStT-]{9}\s+\S+\s+\S+\s+\S/.test(l) ||
    /^f: \//.test(l) ||
    /^\s*(?:File|Size|Device|Access|Modify|Change|Birth|Context): /.test(l) ||
    /^total \d+$/.test(l.trim())
  )
}

const USUAL_GROUP = /^(?:wheel|libvirtd?|kvm|input|audio|video|users|sudo|adm|plugdev|qemu|docker|networkmanager|render|lp|storage)$/

/**
 * `groups` alone: "users wheel libvirtd", "alice wheel" (a line of names). Two usual names, or one
 * after the first name (the user's own group comes first): "docker logs windows" is a command.
 */
function isBareGroupList(l: string): boolean {
  const words = l.trim().split(/\s+/)
  if (words.length < 2 || words.length > 40 || !words.every((w) => /^[a-z_][\w-]*$/.test(w))) return false
  const usual = words.filter((w) => USUAL_GROUP.test(w)).length
  return usual >= 2 || (usual === 1 && !USUAL_GROUP.test(words[0]!))
}

/** Parameters without a value that command lines commonly carry. */
const BARE_PARAMETERS = new Set(['ro', 'rw', 'quiet', 'splash', 'nomodeset', 'single', 'debug', 'nosplash', 'noquiet', 'rhgb', 'text', 'emergency', 'rescue', 'nokaslr'])

/** /proc/cmdline (one line of words and key=value pairs, with a root=, BOOT_IMAGE= or an IOMMU word). */
function isCommandLine(l: string): boolean {
  const line = unwrapGrubLine(l)
  if (!/\b(?:BOOT_IMAGE=|root=|init=\/nix\/store|initrd=|(?:intel|amd)_iommu=|iommu=|vfio[-_]pci\.ids=|rd\.driver\.pre=|quiet|splash|loglevel=|ro|rw)(?:\s|$|\S)/.test(line)) return false
  const words = line.split(/\s+/)
  const parameters = words.filter((w) => w.includes('=') || BARE_PARAMETERS.has(w)).length
  return words.every((w) => /^[\w.\-/\\:,=@+"'~]+$/.test(w)) && words.length >= 2 && parameters / words.length >= 0.6
}
