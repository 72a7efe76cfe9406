import type {MessageHit} from '../knowledge/messages.js'
/**
 * Facts: one typed model of the host, assembled from parsed Sources.
 * A fact that could not be learnt is absent (undefined); `unknown` says why.
 */
import type {DomainModel} from '../parse/domain-xml.js'
import type {KernelLog} from '../parse/kernel-log.js'
import type {NixConfig} from '../parse/nix-config.js'
import type {QemuConf} from '../parse/qemu-conf.js'
import type {ModprobeConfig} from '../parse/modprobe.js'
import type {PathAccess} from '../parse/permissions.js'
import type {FreeLogSignal} from '../parse/free-log.js'

export type CpuVendor = 'intel' | 'amd' | 'other'

export interface CpuFacts {
  vendor: CpuVendor
  model?: string
  flags: ReadonlySet<string>
  /** vmx (Intel VT-x) or svm (AMD-V), when the flag is present. */
  virtFlag?: 'vmx' | 'svm'
  /** The `hypervisor` flag: this "host" is itself a guest. */
  hypervisor: boolean
  /** Logical CPUs (processor entries) and physical cores / threads per core, where the file says. */
  logicalCpus?: number
  cores?: number
  threadsPerCore?: number
}

export interface KernelFacts {
  /** e.g. "6.12.18" (from uname -r, /proc/version, or the kernel log). */
  release: string
  major: number
  minor: number
}

export interface CmdlineFacts {
  raw: string
  /** Every key=value or bare key in order. */
  params: Array<{key: string; value?: string}>
  /** Last value of each key, the way the kernel reads repeated keys. */
  last: ReadonlyMap<string, string | true>
}

export interface PciDevice {
  /** Full address with domain, lower case: "0000:01:00.0". */
  address: string
  vendorId?: string // "10de"
  deviceId?: string // "1b81"
  subsystem?: string // "1458:3702"
  /** Class code as lspci prints it in brackets: "0300". */
  classCode?: string
  className?: string // "VGA compatible controller"
  name?: string // "NVIDIA Corporation GP104 [GeForce GTX 1070]"
  driver?: string // kernel driver in use
  driverOverride?: string
  modules?: string[]
  bootVga?: boolean
  iommuGroup?: number
  resetMethods?: string[]
  revision?: string
}

export interface IommuGroup {
  id: number
  /** Addresses of the devices in the group, full form. */
  devices: string[]
}

export interface ModuleFacts {
  loaded: ReadonlySet<string>
}

export interface NixosFacts {
  currentSystem?: string
  bootedSystem?: string
  currentKernelParams?: string[]
  bootedKernelParams?: string[]
  /** The kernel a generation boots, from its bootspec (boot.json). */
  currentKernel?: {release: string; origin: string}
  bootedKernel?: {release: string; origin: string}
}

export interface UserFacts {
  name: string
  groups: string[]
}

export interface VirtFacts {
  /** 'none' when the host is bare metal as far as we can tell. */
  kind: 'none' | 'vm' | 'container'
  /** What said so: "systemd-detect-virt: kvm", "cpuinfo hypervisor flag". */
  evidence: string
  name?: string
  /** What a known message proved, when one said so ("this Linux runs in WSL2, a Hyper-V virtual machine"). */
  proves?: string
}

export interface DevNode {
  path: string
  exists: boolean
  mode?: string // "crw-rw----"
  owner?: string
  group?: string
  size?: number
}

export interface OsFacts {
  id?: string // "nixos"
  /** ID_LIKE: the distributions this one derives from ("ubuntu debian"), closest first. */
  idLike?: string[]
  name?: string
  versionId?: string
  prettyName?: string
}

export interface Facts {
  mode: 'live' | 'input'
  os?: OsFacts
  cpu?: CpuFacts
  kernel?: KernelFacts
  cmdline?: CmdlineFacts
  kernelLog?: KernelLog
  /** Every PCI device we know of, merged from sysfs, lspci and IOMMU listings. */
  pciDevices?: PciDevice[]
  /**
   * Where driver bindings come from ("sysfs", "lspci -k"); absent when no source shows drivers
   * (lspci -nn), so a device without `driver` means "unknown", not "unbound".
   */
  pciDriverSource?: string
  /** IOMMU groups; an empty array means "we looked and there are none". */
  iommuGroups?: IommuGroup[]
  acpiTables?: string[]
  iommuClass?: string[]
  modules?: ModuleFacts
  kvmParams?: ReadonlyMap<string, string>
  devNodes?: DevNode[]
  domains?: DomainModel[]
  /** `virsh list --all --name`: which connection was asked (the command, or the file it was pasted in) and the names it gave. */
  virshList?: {origin: string; names: string[]}
  /** Path -> what a qemu user would meet walking to it. */
  fileAccess?: ReadonlyMap<string, PathAccess>
  user?: UserFacts
  nixos?: NixosFacts
  nixConfig?: NixConfig[]
  modprobe?: ModprobeConfig
  /** libvirt's qemu.conf as read (live or evidence); several files: the later setting of a key wins. */
  qemuConf?: QemuConf[]
  virt?: VirtFacts
  /** Known messages found in free-form logs (qemu, libvirt, Windows stop codes). */
  logSignals?: FreeLogSignal[]
  /** Known messages (knowledge/<id>.messages.yaml) found in any text of the evidence. */
  messages?: MessageHit[]
  /** The guest screen Looking Glass must carry (--looking-glass WxH), when the person said. */
  lookingGlassResolution?: {width: number; height: number}
  /** The GPU(s) meant for the guest (from --gpu, vfio-pci.ids, driver_override or hostdevs). */
  guestGpus?: string[]
  /** Why each absent fact is absent, with the way to get it. */
  unknown: Partial<Record<FactName, {reason: string; hint?: string}>>
}

export type FactName = Exclude<keyof Facts, 'mode' | 'unknown' | 'pciDriverSource' | 'lookingGlassResolution' | 'messages'>
