/**
 * Everything the configuration is made of, decided once from the host's facts and what `check`
 * found: every output (NixOS module, modprobe.d, fragments, domain rewrite, steps) reads these.
 */
import {requiredMiB, isPowerOfTwo, lookingGlassMemories, shmTmpfilesRules} from '../../checks/lib/looking-glass.js'
import {isNixos, virtualHost} from '../../checks/lib/host.js'
import {GPU_DRIVERS} from '../../checks/lib/gpu.js'
import {kernelVersion} from '../../checks/lib/kernel.js'
import {qemuUser} from '../../checks/lib/libvirt.js'
import type {Finding} from '../engine/types.js'
import {bootVga, intelIgpu} from '../facts/guest-gpus.js'
import {idsOf, isDisplayDevice} from '../facts/merge-pci.js'
import type {Facts, PciDevice} from '../facts/types.js'
import {idsSelected, vfioBindings} from '../facts/vfio-bindings.js'
import {formatPciAddress} from '../parse/domain-xml.js'
import {moduleKey} from '../parse/modprobe.js'
import {nixPlace} from '../parse/nix-config.js'
import {bindingFor, chooseGpu, hostDriversOf, passedFunctions} from './guest-card.js'
import {hostKind} from './host-kind.js'
import type {Choices, KernelParam, PlanOptions} from './types.js'

const MIB = 1024 * 1024
/** Looking Glass at 1920x1080, the size guides start from. */
const DEFAULT_LG_MIB = 32
const SHM_PATH = '/dev/shm/looking-glass'
/** IOMMU and vfio parameters the plan owns: a differing value on the host is replaced. */
const OWNED_KEYS = new Set(['intel_iommu', 'amd_iommu', 'iommu', 'vfio-pci.ids', 'vfio_pci.ids', 'intremap'])

export function decide(facts: Facts, findings: Finding[], options: PlanOptions): Choices {
  const nixos = isNixos(facts)
  const notes: string[] = []
  const {gpu, why: gpuWhy} = chooseGpu(facts, options.gpu)
  const card = gpu ? passedFunctions(facts, gpu) : {passed: [], leftOut: []}
  if ('note' in card && card.note) notes.push(card.note)
  const virtual = virtualHost(facts)
  if (virtual) notes.push(`this host is ${virtual} (${facts.virt!.evidence}): a plan for it would configure it, not the hardware under it; run vfio-doctor plan on the bare-metal host`)
  if (!gpu) notes.push(noGpuNote(facts))
  notes.push(...otherBindings(facts, card.passed))
  // The AMD reset bug is the card's, not the configuration's: said, with where the workaround is.
  const reset = findings.find((f) => f.id === 'gpu-reset-bug' && (!gpu || !f.subject || f.subject === gpu.address))
  if (reset) notes.push(`${reset.message} The configuration cannot change that: \`vfio-doctor explain gpu-reset-bug\` (vendor-reset).`)
  const binding = bindingFor(facts, card.passed)
  const vendor = cpuVendor(facts)
  if (!vendor) notes.push('the CPU vendor is unknown (add /proc/cpuinfo): on Intel add intel_iommu=on to the kernel parameters; AMD needs nothing')
  const kernel = kernelVersion(facts)
  const lookingGlass = lookingGlassChoice(facts, options)
  const user = userChoice(facts, options)
  if (!user && (lookingGlass || nixos)) notes.push('who runs virt-manager and Looking Glass is unknown: pass --user NAME (the lines that need it are left commented out)')
  const kernelParams = paramsFor(facts, findings, vendor, binding)
  const runAsRoot = facts.nixConfig?.map((c) => c.libvirtd?.runAsRoot).find((v) => v !== undefined)
  const kernelPackages = facts.nixConfig?.map((c) => c.kernelPackages?.value).find((v) => v !== undefined)
  return {
    host: hostKind(facts, nixos),
    ...(vendor ? {vendor} : {}),
    ...(kernel ? {kernel} : {}),
    ...(gpu ? {gpu, gpuWhy: gpuWhy!} : {}),
    passed: card.passed,
    leftOut: card.leftOut,
    binding,
    hostDrivers: hostDriversOf(card.passed),
    kernelParams,
    staleParams: staleParams(facts, kernelParams),
    initrdAfterVfio: initrdGpuDrivers(facts),
    ...(user ? {user: user.name, userWhy: user.why} : {}),
    ...(runAsRoot !== undefined ? {runAsRoot} : {}),
    ...(kernelPackages ? {kernelPackages} : {}),
    ...(lookingGlass ? {lookingGlass} : {}),
    qemuGroup: nixos ? 'qemu-libvirtd' : (qemuUser(facts)?.group ?? 'kvm'),
    hideHypervisor: options.nvidiaLegacy === true || findings.some((f) => f.id === 'nvidia-error-43' && f.severity === 'error'),
    notes,
  }
}

/**
 * The CPU vendor: cpuinfo, else the host bridge's vendor (the CPU's own on every desktop platform),
 * else the IOMMU the kernel log describes, else what the configuration asks for (said as such).
 */
function cpuVendor(facts: Facts): Choices['vendor'] {
  const cpu = facts.cpu?.vendor
  if (cpu === 'intel' || cpu === 'amd') return {vendor: cpu, evidence: `cpuinfo: ${facts.cpu?.model ?? cpu}`}
  // The root complex's host bridge (00:00.0 on Intel, 00:00.0 or 00:01.0 on AMD) is the CPU vendor's own.
  const bridge = facts.pciDevices?.find((d) => d.address.startsWith('0000:00:') && (d.classCode === '0600' || /^Host bridge$/i.test(d.className ?? '')))
  if (bridge?.vendorId === '8086' || bridge?.vendorId === '1022') return {vendor: bridge.vendorId === '8086' ? 'intel' : 'amd', evidence: `host bridge ${bridge.address.slice(5)} [${idsOf(bridge)}]`}
  const kinds = new Set(facts.kernelLog?.signals.map((s) => s.kind))
  if (['acpi-dmar', 'dmar-iommu-enabled', 'dmar-hardware', 'dmar-vtd-init'].some((k) => kinds.has(k as never))) return {vendor: 'intel', evidence: 'the kernel log shows the Intel IOMMU (DMAR)'}
  if (['acpi-ivrs', 'amdvi-found'].some((k) => kinds.has(k as never))) return {vendor: 'amd', evidence: 'the kernel log shows the AMD IOMMU (AMD-Vi)'}
  const asked = [
    ...(facts.cmdline?.params.map((p) => p.key) ?? []),
    ...(facts.nixConfig ?? []).flatMap((c) => [...(c.kernelParams ?? []), ...(c.kernelModules ?? []), ...(c.initrdKernelModules ?? [])].map((e) => e.value ?? '')),
  ]
  const intel = asked.some((a) => /^(intel_iommu|kvm[-_]intel)/.test(a))
  const amd = asked.some((a) => /^(amd_iommu|kvm[-_]amd)/.test(a))
  if (intel !== amd) return {vendor: intel ? 'intel' : 'amd', evidence: `the configuration asks for ${intel ? 'intel_iommu / kvm-intel' : 'amd_iommu / kvm-amd'} (no cpuinfo in the evidence to confirm it)`}
  return undefined
}

function paramsFor(facts: Facts, findings: Finding[], vendor: Choices['vendor'], binding: Choices['binding']): KernelParam[] {
  const params: KernelParam[] = []
  if (vendor?.vendor === 'intel') {
    const onByDefault = facts.cmdline && !facts.cmdline.last.has('intel_iommu') && ((facts.iommuGroups?.length ?? 0) > 0 || facts.kernelLog?.iommu === 'on')
    if (!onByDefault) params.push({text: 'intel_iommu=on', why: `Intel CPU (${vendor.evidence}): many kernels leave the Intel IOMMU off unless asked; harmless where it is on by default`})
  }
  params.push({text: 'iommu=pt', why: "passthrough mode for the host's own devices: only the guest's devices go through IOMMU translation"})
  if (binding.kind === 'ids' && binding.ids.length > 0) params.push({text: `vfio-pci.ids=${binding.ids.join(',')}`, why: 'vfio-pci claims these ids at boot, before any host driver'})
  const found = (id: string) => findings.filter((f) => f.id === id && f.severity !== 'info')
  const framebuffer = found('framebuffer-conflict')[0]
  if (framebuffer?.values?.param) params.push({text: framebuffer.values.param, why: 'the boot framebuffer holds memory of the guest GPU ("BAR ... can\'t reserve")'})
  if (found('pcie-aspm-errors').length > 0) params.push({text: 'pcie_aspm=off', why: 'PCIe link errors on or above the guest card: power management of the link off'})
  if (found('kvm-msr-crash').length > 0) {
    params.push({text: 'kvm.ignore_msrs=1', why: 'the guest crashed on model-specific registers KVM does not emulate'})
    params.push({text: 'kvm.report_ignored_msrs=0', why: 'and the kernel log stays free of one line per ignored access'})
  }
  return params
}

/** IOMMU and vfio parameters the host sets today (command line, configuration, generation) that the plan does not keep. */
function staleParams(facts: Facts, wanted: KernelParam[]): KernelParam[] {
  const keep = new Set(wanted.map((p) => p.text))
  const seen = new Map<string, string>()
  const consider = (text: string | undefined, where: string) => {
    if (!text || keep.has(text) || seen.has(text)) return
    const key = text.split('=')[0]!
    if (OWNED_KEYS.has(key)) seen.set(text, where)
  }
  for (const p of facts.cmdline?.params ?? []) consider(p.value === undefined ? p.key : `${p.key}=${p.value}`, 'the kernel command line')
  for (const c of facts.nixConfig ?? []) for (const e of c.kernelParams ?? []) consider(e.value, nixPlace(c.file, e))
  for (const p of facts.nixos?.currentKernelParams ?? []) consider(p, "the current generation's kernel-params")
  return [...seen].map(([text, where]) => ({text, why: `${where}: ${staleWhy(text, wanted)}`}))
}

function staleWhy(text: string, wanted: KernelParam[]): string {
  const key = text.split('=')[0]!
  const replacement = wanted.find((p) => p.text.split('=')[0] === key)
  if (replacement) return `replaced by ${replacement.text}`
  if (/^(intel|amd)_iommu=/.test(text)) return /=off$/.test(text) ? 'it turns the IOMMU off' : 'not a value this CPU\'s IOMMU driver uses'
  if (text === 'intremap=off') return 'it turns interrupt remapping off, and vfio refuses devices without it'
  return 'the plan binds devices its own way'
}

/** GPU drivers the configuration already loads in the initrd (early display): kept, after vfio. */
function initrdGpuDrivers(facts: Facts): string[] {
  const written = (facts.nixConfig ?? []).flatMap((c) => c.initrdKernelModules ?? []).flatMap((m) => (m.value ? [m.value] : []))
  return [...new Set(written.filter((m) => GPU_DRIVERS.includes(moduleKey(m))))]
}

function noGpuNote(facts: Facts): string {
  if ((facts.pciDevices ?? []).some(isDisplayDevice)) return "no GPU for the guest could be told apart from the host's: choose it with --gpu ADDR"
  if ((facts.pciDevices?.length ?? 0) > 0) return 'the evidence lists no graphics card: the device part is left out'
  const passed = (facts.domains ?? []).flatMap((d) => d.hostdevs.flatMap((h) => (h.type === 'pci' && h.source ? [formatPciAddress(h.source)] : [])))
  if (passed.length > 0) return `the evidence has no PCI device list (add \`lspci -nnk\` or the IOMMU group listing), so the device part is left out: keep your vfio-pci binding for ${[...new Set(passed)].join(', ')} until then`
  return 'the evidence lists no PCI devices (no IOMMU groups yet?): run `vfio-doctor plan` again once the IOMMU groups are listed to get the device part'
}

/** Devices the host hands to vfio-pci today that the plan does not bind: said, so none is dropped unnoticed. */
function otherBindings(facts: Facts, passed: PciDevice[]): string[] {
  if (passed.length === 0) return []
  const mine = new Set(passed.map((d) => d.address))
  const devices = facts.pciDevices ?? []
  const bound = vfioBindings(facts).flatMap((b) => (b.kind === 'address' ? [b.value] : devices.filter((d) => idsOf(d) === idsSelected(b.value)).map((d) => d.address)))
  const others = [...new Set([...bound, ...devices.filter((d) => d.driver === 'vfio-pci').map((d) => d.address)])].filter((a) => !mine.has(a) && devices.some((d) => d.address === a))
  const hostDisplay = new Set([bootVga(facts)?.address, intelIgpu(devices)?.address])
  return others.map((a) =>
    hostDisplay.has(a)
      ? `${a} is handed to vfio-pci today, but it is the host's own display GPU: the plan leaves it to the host`
      : `${a} is handed to vfio-pci today and is not in the guest GPU's group: the plan leaves it to libvirt (a <hostdev managed='yes'> detaches it when the VM starts)`,
  )
}

function userChoice(facts: Facts, options: PlanOptions): {name: string; why: string} | undefined {
  if (options.user) return {name: options.user, why: '--user'}
  if (facts.user?.name && facts.user.name !== 'root') return {name: facts.user.name, why: '`id` output in the evidence'}
  for (const config of facts.nixConfig ?? []) {
    const named = config.userGroups.find((g) => g.user !== undefined && /^[a-z_][a-z0-9_-]*$/.test(g.user))
    if (named) return {name: named.user!, why: `${config.file} line ${named.line}: users.users.${named.user}.extraGroups`}
  }
  const rule = shmTmpfilesRules(facts).find((r) => r.user && /^[a-z_][a-z0-9_-]*$/.test(r.user) && !/^(root|user|username|your[-_]?user(name)?)$/.test(r.user))
  if (rule) return {name: rule.user!, why: `the owner in ${rule.file} line ${rule.source.line}: ${rule.source.raw}`}
  return undefined
}

/**
 * Looking Glass: the size for --looking-glass WxH by its formula; else the domain's own Looking
 * Glass memory, raised to what works when libvirt or Looking Glass would refuse it.
 */
function lookingGlassChoice(facts: Facts, options: PlanOptions): Choices['lookingGlass'] {
  if (options.lookingGlass) {
    const {width, height} = options.lookingGlass
    return {width, height, sizeMiB: requiredMiB(width, height), path: SHM_PATH, why: `--looking-glass ${width}x${height}: ${width} x ${height} x 4 bytes x 2 frames + 10 MiB, rounded up to a power of two`}
  }
  const domains = options.vm ? (facts.domains ?? []).filter((d) => d.name === options.vm) : (facts.domains ?? [])
  const memory = domains.flatMap(lookingGlassMemories).find((m) => m.kind === 'shmem')
  const recommended = Math.max(0, ...(facts.logSignals ?? []).filter((s) => s.kind === 'lg-shm-too-small').map((s) => Number(s.data?.recommendedMiB ?? 0)))
  if (memory) {
    const bytes = memory.sizeBytes ?? 0
    const usable = isPowerOfTwo(bytes) && bytes > 10 * MIB
    const sizeMiB = Math.max(usable ? bytes / MIB : DEFAULT_LG_MIB, recommended)
    return {sizeMiB, path: memory.path, why: usable && sizeMiB === bytes / MIB ? `the domain's Looking Glass memory (${sizeMiB} MiB)` : `${sizeMiB} MiB: the domain's ${memory.sizeBytes === undefined ? 'default 4 MiB' : `${bytes} bytes`} ${recommended ? 'is too small for the guest\'s resolution, as Looking Glass says' : 'cannot hold a frame'}`}
  }
  const rule = (facts.nixConfig ?? []).some((c) => (c.tmpfilesRules ?? []).some((r) => /looking-glass/.test(r.value ?? r.raw)))
  if (rule) return {sizeMiB: Math.max(DEFAULT_LG_MIB, recommended), path: SHM_PATH, why: 'the configuration sets up /dev/shm/looking-glass; 32 MiB fits 1920x1080 (pass --looking-glass WxH for another resolution)'}
  return undefined
}
