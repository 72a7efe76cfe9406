/**
 * The messages we recognise. Their wording was checked against the code that prints them (the kernel
 * across versions; libvirt, QEMU and systemd for the userspace ones) and, where the corpus has them,
 * against real logs.
 */
import type {KernelSignalKind} from '../kernel-log.js'

export interface Rule {
  kind: KernelSignalKind
  /**
   * Lower-case fragments; the pattern only runs on a line that contains one of them. No key may start
   * with another key (a test checks): the key scan reports one key per position.
   */
  keys: string[]
  pattern: RegExp
  /** Also on userspace lines of a journal capture (systemd-modules-load, libvirtd, qemu). */
  userspace?: true
  data?: (m: RegExpExecArray, text: string) => Record<string, string> | undefined
}

const PCI_ADDRESS = /\b[0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]\b/i

/** The device a message is about: its "driver 0000:01:00.0: " prefix, or the first address in it. */
function address(text: string): Record<string, string> | undefined {
  const found = PCI_ADDRESS.exec(text)
  return found ? {address: found[0]} : undefined
}

function defined(data: Record<string, string | undefined>): Record<string, string> | undefined {
  const entries = Object.entries(data).filter((e): e is [string, string] => e[1] !== undefined)
  return entries.length > 0 ? Object.fromEntries(entries) : undefined
}

export const RULES: Rule[] = [
  {kind: 'kernel-version', keys: ['linux version'], pattern: /^Linux version (\S+)/, data: (m) => ({release: m[1]!})},
  {
    kind: 'command-line',
    keys: ['command line:'],
    pattern: /^(?:Kernel command line|Command line):(.*)$/,
    data: (m) => ({cmdline: m[1]!.trim()}),
  },
  {kind: 'acpi-dmar', keys: ['acpi: dmar'], pattern: /^ACPI: DMAR (?:0x)?[0-9A-F]{6,}/i},
  {kind: 'acpi-ivrs', keys: ['acpi: ivrs'], pattern: /^ACPI: IVRS (?:0x)?[0-9A-F]{6,}/i},
  // intel_iommu=on / =off as the kernel read them (kernels before 4.1 said "Intel-IOMMU: ...").
  {kind: 'dmar-iommu-enabled', keys: ['iommu enabled', 'iommu: enabled'], pattern: /^(?:DMAR: IOMMU|Intel-IOMMU:) enabled$/},
  {
    kind: 'dmar-iommu-disabled',
    keys: ['iommu disabled', 'iommu: disabled', 'disabling iommu'],
    // Not "DMAR: Disabling IOMMU for graphics on this chipset": that is a quirk for one device.
    pattern: /^(?:DMAR: IOMMU|Intel-IOMMU:) disabled$|detected; disabling IOMMU$/,
  },
  // Printed while parsing the DMAR table, also when only interrupt remapping will use the units.
  {
    kind: 'dmar-hardware',
    keys: ['reg_base_addr', 'drhd base:'],
    pattern: /^(?:DMAR: )?(?:dmar\d+|IOMMU \d+): reg_base_addr|^DMAR: DRHD base:/i,
  },
  // Printed at the end of intel_iommu_init(): DMA remapping is on.
  {kind: 'dmar-vtd-init', keys: ['for directed i/o'], pattern: /Intel\(R\) Virtualization Technology for Directed I\/O/},
  {
    kind: 'amdvi-found',
    keys: ['found iommu', 'enabling iommu at'],
    pattern: /AMD-Vi: (?:Found IOMMU|Enabling IOMMU at)/,
    data: (_m, text) => address(text),
  },
  {kind: 'amdvi-disabled', keys: ['amd iommu disabled'], pattern: /AMD-Vi: AMD IOMMU disabled/},
  {
    kind: 'iommu-group-add',
    keys: ['adding to iommu group', 'iommu: adding device'],
    // "pci 0000:01:00.0: Adding to iommu group 1"; before 5.x "iommu: Adding device 0000:01:00.0 to group 1".
    pattern: /^(?:\S+ )?(\S+): Adding to iommu group (\d+)|^iommu: Adding device (\S+) to group (\d+)/,
    data: (m) => ({address: (m[1] ?? m[3])!, group: (m[2] ?? m[4])!}),
  },
  {
    kind: 'iommu-default-domain',
    keys: ['default domain type'],
    pattern: /^iommu: Default domain type: (\w+)/,
    data: (m) => ({type: m[1]!}),
  },
  {
    kind: 'iommu-unknown-option',
    keys: ["unknown option - '"],
    // parse_amd_iommu_options() and intel_iommu_setup() (5.15+) name each value they do not know.
    pattern: /^(AMD-Vi|DMAR): Unknown option - '([^']*)'/,
    data: (m) => ({driver: m[1] === 'AMD-Vi' ? 'amd_iommu' : 'intel_iommu', option: m[2]!}),
  },
  {
    kind: 'dmar-address-width',
    keys: ['host address width'],
    pattern: /^DMAR: Host address width (\d+)/,
    data: (m) => ({bits: m[1]!}),
  },
  {
    kind: 'interrupt-remapping-enabled',
    keys: ['irq remapping in', 'interrupt remapping enabled'],
    pattern: /Enabled IRQ remapping in (\w+) mode|AMD-Vi: Interrupt remapping enabled/,
    data: (m): Record<string, string> => (m[1] ? {vendor: 'intel', mode: m[1]} : {vendor: 'amd'}),
  },
  {
    kind: 'interrupt-remapping-missing',
    keys: ['no interrupt remapping support'],
    pattern: /No interrupt remapping support/,
  },
  {
    kind: 'kvm-disabled-by-bios',
    keys: ['by bios'],
    // "kvm: disabled by bios", "support for 'kvm_intel' disabled by bios", "x86/cpu: VMX (outside TXT)
    // disabled by BIOS", "kvm_amd: SVM disabled (by BIOS) in MSR_VM_CR", "VMX not enabled (by BIOS) in ...".
    pattern: /(?:kvm|VMX|SVM).{0,80}?(?:disabled|not enabled) \(?by bios\b/i,
  },
  {
    kind: 'kvm-no-hardware-support',
    keys: ['no hardware support', 'not supported by cpu', "doesn't support"],
    pattern: /kvm: no hardware support|no hardware support for 'kvm|(?:VMX|SVM) not supported by CPU|CPU doesn't support (?:VMX|SVM)/,
  },
  {
    kind: 'vfio-loaded',
    keys: ['vfio - user level meta-driver'],
    pattern: /^VFIO - User Level meta-driver version: (\S+)/,
    data: (m) => ({version: m[1]!}),
  },
  {
    kind: 'vfio-pci-add',
    keys: ['pci: add ['],
    pattern: /^vfio_pci: add \[([0-9a-f]{4}:[0-9a-f]{4})/i,
    data: (m) => ({ids: m[1]!.toLowerCase()}),
  },
  {
    kind: 'vfio-pci-device',
    keys: ['vfio-pci ', 'vfio_'],
    // Old kernels: "vfio_ecap_init: 0000:01:00.0 hiding ecap 0x19@0x900".
    pattern: /^vfio[-_]pci ([0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]): |^vfio_\w+: ([0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]) /i,
    data: (m) => ({address: (m[1] ?? m[2])!}),
  },
  {
    kind: 'bar-cant-reserve',
    keys: ["can't reserve"],
    // "BAR 0: can't reserve [mem ...]"; 6.8+ prints "BAR 0 [mem ...]: can't reserve".
    pattern: /\bBAR (\d+)(?: \[[^\]]{0,200}\])?: can't reserve/,
    data: (m, text) => ({...address(text), bar: m[1]!}),
  },
  {
    kind: 'vgaarb-boot-vga',
    keys: ['setting as boot'],
    // "pci 0000:00:02.0: vgaarb: setting as boot VGA device"; old "vgaarb: setting as boot device: PCI:0000:00:02.0".
    pattern: /vgaarb: setting as boot (?:VGA )?device/,
    data: (_m, text) => address(text),
  },
  {
    kind: 'vgaarb-decodes',
    keys: ['changed vga decodes', 'vga decodes changed', 'device changed decodes'],
    // "changed VGA decodes: ..." became "VGA decodes changed: ..." in 6.x; before 4.x "device changed decodes: PCI:...".
    pattern: /vgaarb: (?:changed VGA decodes|VGA decodes changed|device changed decodes)/,
    data: (_m, text) => defined({...address(text), decodes: /[,\s]decodes=([\w+]+)/.exec(text)?.[1]}),
  },
  {
    kind: 'framebuffer',
    keys: ['framebuffer at', 'simpledrm', 'assigned to efifb', 'assigned to vesafb'],
    // "efifb: framebuffer at 0x...", "[drm] Initialized simpledrm ...", and a GPU BAR taken by the
    // boot framebuffer: "pci 0000:01:00.0: BAR 1: assigned to efifb".
    pattern: /^(efifb|vesafb|simple-framebuffer)\b.{0,80}?framebuffer at 0x|Initialized (simpledrm)\b|BAR \d+(?: \[[^\]]{0,200}\])?: assigned to (efifb|vesafb)/,
    data: (m, text) => ({driver: (m[1] ?? m[2] ?? m[3])!, ...(m[3] ? address(text) : undefined)}),
  },
  {
    kind: 'power-state-error',
    keys: ['to change power state', "can't change power state"],
    // "Unable to change power state from D3cold to D0, device inaccessible"; vfio-pci's AMD reset
    // bug: "Refused to change power state, currently in D3"; pci_raw_set_power_state() (5.x):
    // "can't change power state from D3hot to D0 (config space inaccessible)".
    pattern: /(?:(?:Unable|Refused) to|can't) change power state(?: from (D\w+) to (D\w+))?/,
    data: (m, text) => defined({...address(text), from: m[1], to: m[2]}),
  },
  {
    kind: 'pending-transaction',
    keys: ['waiting for pending transaction'],
    pattern: /timed out waiting for pending transaction/,
    data: (_m, text) => address(text),
  },
  {
    kind: 'reset-failed',
    keys: ['giving up', 'reset failed', 'failed to reset', 'failed to send message 0x'],
    // pci_dev_wait(): "not ready 65535ms after FLR; giving up"; xhci: "Host not accessible, reset failed."
    // Not the PCIe DOE mailbox: "DOE: [2c8] failed to reset mailbox with abort command".
    // vendor-reset, when the card's SMU no longer answers during its reset (smum_send_msg_to_smc_with_parameter):
    // "vfio-pci 0000:45:00.0: Failed to send message 0x6: return 0x0".
    pattern: /not ready \d+ms after [^;]{1,40}; giving up|\breset failed\b|\bfailed to reset\b(?! mailbox)|^vfio-pci \S+: Failed to send message 0x[0-9a-f]+: return 0x[0-9a-f]+$/i,
    data: (_m, text) => address(text),
  },
  {
    kind: 'pci-bridge',
    keys: ['pci bridge to [bus'],
    pattern: /PCI bridge to \[bus ([0-9a-f]{2})(?:-([0-9a-f]{2}))?\]/,
    data: (m, text) => ({...address(text), secondary: m[1]!, subordinate: m[2] ?? m[1]!}),
  },
  {
    kind: 'aer',
    keys: ['pcie bus error'],
    // One "PCIe Bus Error" line per event, printed by the device that saw it.
    pattern: /PCIe Bus Error: severity=([^,]{1,40})/,
    data: (m, text) => ({...address(text), severity: m[1]!}),
  },
  {
    kind: 'ignored-msr',
    keys: ['rdmsr', 'wrmsr'],
    // "kvm [3657]: vcpu0, guest rIP: 0x... ignored rdmsr: 0x1ad data 0x0"; 6.x "Unhandled WRMSR(0x1d9)".
    pattern: /\b(?:ignored|unhandled) (rdmsr|wrmsr)(?:: |\()(0x[0-9a-f]+)/i,
    data: (m) => ({access: m[1]!.toLowerCase(), msr: m[2]!.toLowerCase()}),
  },
  {
    kind: 'pci-header-127',
    keys: ['header type'],
    // libvirt: "Unknown PCI header type '127' for device '0000:0b:00.0'"; kernel: "unknown header type 7f".
    pattern: /Unknown PCI header type '127'|unknown header type 7f\b/i,
    userspace: true,
    data: (_m, text) => address(text),
  },
  {
    kind: 'rmrr',
    // 5.x and older: "ineligible ... RMRR requirement"; 6.x: "Firmware has requested this device have a 1:1 IOMMU mapping".
    keys: ['rmrr requirement', 'have a 1:1 iommu mapping'],
    pattern: /Device is ineligible for IOMMU domain attach due to platform RMRR requirement|Firmware has requested this device have a 1:1 IOMMU mapping/,
    data: (_m, text) => address(text),
  },
  {
    kind: 'dma-mapping-failed',
    keys: ['dma mapping failed', 'map_dma failed', 'rlimit_memlock'],
    // QEMU's own words, and the kernel's when the memlock limit is the cause.
    pattern: /vfio: DMA mapping failed|VFIO_MAP_DMA failed|vfio_pin_pages_remote: (RLIMIT_MEMLOCK) \(\d+\) exceeded/,
    userspace: true,
    data: (m) => (m[1] ? {reason: m[1]} : undefined),
  },
  {
    kind: 'module-not-found',
    keys: ['modprobe: fatal: module', 'failed to find module'],
    pattern: /modprobe: FATAL: Module (\S+) not found|Failed to find module '([^']+)'/,
    userspace: true,
    data: (m) => ({module: (m[1] ?? m[2])!}),
  },
  {
    kind: 'cpu-model',
    keys: ['smpboot: cpu0: '],
    // "(family: 0x17, model: ...)"; kernels before 4.x printed "(fam: 06, model: 2d, ...)".
    pattern: /^smpboot: CPU0: (.+?) \((?:family|fam): /,
    data: (m) => ({model: m[1]!.trim(), vendor: /\bIntel\b/.test(m[1]!) ? 'intel' : /\b(?:AMD|Hygon)\b/.test(m[1]!) ? 'amd' : 'other'}),
  },
  {
    kind: 'hypervisor-detected',
    keys: ['hypervisor detected'],
    pattern: /^Hypervisor detected: (.+)$/,
    data: (m) => ({name: m[1]!.trim()}),
  },
  {
    // A Xen dom0 runs on the hardware but under Xen, which owns the IOMMU. "Booting paravirtualized
    // kernel on bare hardware" is printed on real bare metal: only "on Xen ..." counts.
    kind: 'hypervisor-detected',
    keys: ['paravirtualized kernel on xen', 'xen-provided'],
    pattern: /^(?:Booting paravirtualized kernel on (Xen[^,]*)|Xen-provided (?:physical RAM|machine memory) map:)/,
    data: (m) => ({name: (m[1] ?? 'Xen').trim()}),
  },
  {
    kind: 'nvidia-loaded',
    keys: ['nvrm: loading nvidia'],
    // "NVRM: loading NVIDIA UNIX x86_64 Kernel Module  535.104.05  ..." and "... Open Kernel Module for x86_64  550.54.14".
    pattern: /^NVRM: loading NVIDIA UNIX .{0,40}?Kernel Module(?: for \S+)? +(\d+(?:\.\d+)+)/,
    data: (m) => ({version: m[1]!}),
  },
]

const BY_KEY = new Map<string, Rule[]>()
for (const rule of RULES) for (const key of rule.keys) BY_KEY.set(key, [...(BY_KEY.get(key) ?? []), rule])

/** Any key. Restarting one character after each match finds keys that overlap too. */
const KEY = new RegExp([...BY_KEY.keys()].map((k) => k.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|'), 'gi')

/** The rules whose keys appear in `text`, in table order; none for most lines. */
export function candidateRules(text: string): Rule[] {
  KEY.lastIndex = 0
  let m = KEY.exec(text)
  if (!m) return []
  const found = new Set<Rule>()
  for (; m; m = KEY.exec(text)) {
    for (const rule of BY_KEY.get(m[0].toLowerCase()) ?? []) found.add(rule)
    KEY.lastIndex = m.index + 1
  }
  return RULES.filter((rule) => found.has(rule))
}
