/**
 * A plan: the whole working configuration for one guest GPU, decided from the host's facts and
 * what `check` finds, as files (NixOS module, modprobe.d, kernel command line, domain XML and its
 * diff) and as the steps only a person can take.
 */
import type {Finding} from '../engine/types.js'
import type {PciDevice} from '../facts/types.js'

export interface PlanOptions {
  /** --gpu: the guest GPU's address. */
  gpu?: string
  /** --vm: the domain to rewrite. */
  vm?: string
  /** --looking-glass WxH: the guest resolution Looking Glass shows. */
  lookingGlass?: {width: number; height: number}
  /** --user: who runs virt-manager and the Looking Glass client. */
  user?: string
  /** --nvidia-legacy: the guest's NVIDIA driver is older than R465 (it refuses to run in a VM). */
  nvidiaLegacy?: boolean
}

/** A kernel parameter with the reason it is there, or the reason it must go. */
export interface KernelParam {
  text: string
  why: string
}

export type InitramfsTool = 'mkinitcpio' | 'dracut' | 'initramfs-tools'
export type Bootloader = 'grub' | 'systemd-boot'

/** What kind of host this is, and from which evidence. */
export interface HostKind {
  nixos: boolean
  /** "NixOS 25.05", "Ubuntu 24.04 LTS"; undefined without os-release. */
  name?: string
  /** NixOS release as a number (25.05), for options that came and went. */
  nixosRelease?: number
  /** Undefined when os-release does not tell (every tool is then shown). */
  initramfs?: InitramfsTool
  bootloader?: Bootloader
  /** How the GRUB configuration is regenerated on this distribution. */
  grubUpdate?: string
  /** The install command for libvirt, QEMU, OVMF and swtpm. */
  packages?: string
  /** Why these were chosen: "os-release ID=arch", "BOOT_IMAGE= on the kernel command line". */
  evidence: string[]
}

/** Everything the configuration is made of. */
export interface Choices {
  host: HostKind
  vendor?: {vendor: 'intel' | 'amd'; evidence: string}
  kernel?: {major: number; minor: number; source: string}
  gpu?: PciDevice
  /** Why this GPU: "--gpu", "vfio-pci.ids names it", "the only GPU off bus 00". */
  gpuWhy?: string
  /** The functions vfio-pci gets: the GPU's IOMMU group but its bridges (or the card, without groups). */
  passed: PciDevice[]
  /** Group members left out, with the reason (bridges, devices the host cannot lose). */
  leftOut: Array<{device: PciDevice; why: string}>
  /** ids (vfio-pci.ids) unless a passed function's ids also belong to a device the host keeps. */
  binding: {kind: 'ids'; ids: string[]} | {kind: 'address'; addresses: string[]; why: string}
  /** Host drivers that would otherwise take the passed functions (for softdeps), as module names. */
  hostDrivers: string[]
  kernelParams: KernelParam[]
  /** Parameters on the command line or in the configuration that must go. */
  staleParams: KernelParam[]
  /** GPU drivers the configuration already loads in the initrd (lib.mkBefore keeps vfio ahead of them). */
  initrdAfterVfio: string[]
  user?: string
  userWhy?: string
  /** qemu's account, when the configuration says (NixOS runAsRoot), kept as it is. */
  runAsRoot?: boolean
  /** boot.kernelPackages as the configuration writes it, kept as it is. */
  kernelPackages?: string
  lookingGlass?: {width?: number; height?: number; sizeMiB: number; path: string; why: string}
  /** The group qemu's files are shared with (tmpfiles rule). */
  qemuGroup: string
  /** Hide the hypervisor from NVIDIA drivers older than R465 (--nvidia-legacy, or Code 43 seen). */
  hideHypervisor: boolean
  /** Things the plan could not decide, each with what would settle it. */
  notes: string[]
}

/** One change to a domain, with the reason, as the rewrite and the fragments both show it. */
export interface DomainChange {
  what: string
  why: string
}

export interface DomainPlan {
  name: string
  /** The file the XML came from (evidence file name) or domain-NAME.xml. */
  file: string
  original: string
  rewritten: string
  diff: string
  changes: DomainChange[]
}

/** A piece of libvirt XML to put into a domain, with why. */
export interface Fragment {
  title: string
  why: string
  /** Where it goes: "<devices>", "<features>", "replaces <cpu>". */
  where: string
  xml: string
}

export type StepKind =
  | 'firmware-virtualization'
  | 'firmware-iommu'
  | 'firmware-interrupt-remapping'
  | 'firmware-igpu'
  | 'monitor'
  | 'host-config'
  | 'move-file'
  | 'file-access'
  | 'reset-shm'
  | 'define-domain'
  | 'guest'
  | 'verify'

export interface Step {
  kind: StepKind
  title: string
  why: string
  /** What to do, one action a line (commands in backticks). */
  actions: string[]
  /** How to see it worked: a `vfio-doctor check` run, or what to look at. */
  verify: string
  /** For move-file: the file and where it goes. */
  move?: {from: string; to: string}
}

/** Other distributions: the files and commands, for the initramfs tool and boot loader this host uses. */
export interface OtherDistros {
  /** /etc/modprobe.d/vfio.conf */
  modprobeConf: string
  /** The parameters to add to the kernel command line, space-separated. */
  cmdline: string
  /** Per tool (only this host's when known): the file to edit, its content, the command to run. */
  initramfs: Array<{tool: InitramfsTool; file: string; content: string; command: string; summary: string; note?: string}>
  bootloader: Array<{loader: Bootloader; how: string[]}>
  /** /etc/tmpfiles.d/10-looking-glass.conf, with Looking Glass. */
  tmpfiles?: string
  /** A driver_override script (identical GPUs), installed through modprobe. */
  overrideScript?: {path: string; content: string}
}

/** How the plan answers each error `check` reports on this host. */
export interface Coverage {
  finding: Pick<Finding, 'id' | 'severity' | 'message'>
  /** What in the plan fixes it; undefined when the plan cannot. */
  fix?: string
}

export interface Plan {
  choices: Choices
  nixosModule: string
  otherDistros: OtherDistros
  fragments: Fragment[]
  domain?: DomainPlan
  steps: Step[]
  coverage: Coverage[]
}
