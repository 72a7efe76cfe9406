/**
 * Every place the host hands devices to vfio-pci: ids (kernel command line, modprobe options, the
 * kernel log's "vfio_pci: add" lines, a NixOS configuration's kernelParams / extraModprobeConfig) and
 * addresses (driver_override, in sysfs or in the shell text of boot.postBootCommands /
 * boot.initrd.preDeviceCommands).
 */
import {splitIds} from '../parse/cmdline.js'
import {moduleKey} from '../parse/modprobe.js'
import type {NixConfig} from '../parse/nix-config.js'
import type {Facts} from './types.js'

export interface VfioBinding {
  /** 'ids': a vendor:device given to vfio-pci.ids; 'address': a device whose driver_override is vfio-pci. */
  kind: 'ids' | 'address'
  /** As written, trimmed and lower-cased: "10de:1b81", "0000:0f:00.0". */
  value: string
  /** Where it is set, quoted for evidence. */
  where: string
  /** What sets it: the running system (command line, modprobe.d, sysfs) or a NixOS configuration. */
  origin: BindingOrigin
}

export type BindingOrigin = 'cmdline' | 'modprobe' | 'sysfs' | 'kernel-log' | 'nix-kernel-params' | 'nix-modprobe' | 'nix-boot-commands'

export function vfioBindings(facts: Facts): VfioBinding[] {
  return [...hostBindings(facts), ...(facts.nixConfig ?? []).flatMap(nixBindings)]
}

/** The vendor:device an ids entry selects ("10de:1b81:1458:3702" -> "10de:1b81"); undefined for a typo. */
export function idsSelected(value: string): string | undefined {
  const m = /^([0-9a-f]{4}):([0-9a-f]{4})(?::[0-9a-f]{1,8}){0,4}$/.exec(value)
  return m ? `${m[1]}:${m[2]}` : undefined
}

const VFIO_IDS_PARAM = /^vfio[-_]pci\.ids$/
/** A full PCI address as sysfs paths spell it. */
const SYSFS_ADDRESS = /\b[0-9a-f]{4}:[0-9a-f]{2}:[0-1][0-9a-f]\.[0-7]\b/gi

function hostBindings(facts: Facts): VfioBinding[] {
  const found: VfioBinding[] = []
  for (const {key, value} of facts.cmdline?.params ?? []) {
    if (!VFIO_IDS_PARAM.test(key) || value === undefined) continue
    for (const id of splitIds(value)) found.push({kind: 'ids', value: id, where: `kernel command line: ${key}=${value}`, origin: 'cmdline'})
  }
  for (const option of facts.modprobe?.options ?? []) {
    if (moduleKey(option.module) !== 'vfio_pci' || option.params.ids === undefined) continue
    const where = `${option.origin} line ${option.line}: options ${option.module} ids=${option.params.ids}`
    for (const id of splitIds(option.params.ids)) found.push({kind: 'ids', value: id, where, origin: 'modprobe'})
  }
  // "vfio_pci: add [1002:164c[ffffffff:ffffffff]] ...": the ids vfio-pci was given at this boot, wherever they were set.
  for (const signal of facts.kernelLog?.signals ?? []) {
    if (signal.kind === 'vfio-pci-add' && signal.data?.ids) found.push({kind: 'ids', value: signal.data.ids, where: `kernel log line ${signal.line.n}: ${signal.line.text}`, origin: 'kernel-log'})
  }
  for (const d of facts.pciDevices ?? []) {
    if (d.driverOverride === 'vfio-pci') found.push({kind: 'address', value: d.address, where: `${d.address} driver_override is vfio-pci`, origin: 'sysfs'})
  }
  return found
}

function nixBindings(config: NixConfig): VfioBinding[] {
  const found: VfioBinding[] = []
  for (const param of config.kernelParams ?? []) {
    const eq = param.value?.indexOf('=') ?? -1
    if (param.value === undefined || eq < 0 || !VFIO_IDS_PARAM.test(param.value.slice(0, eq))) continue
    const where = `${param.file ?? config.file} line ${param.line}: boot.kernelParams ${param.raw}`
    for (const id of splitIds(param.value.slice(eq + 1))) found.push({kind: 'ids', value: id, where, origin: 'nix-kernel-params'})
  }
  const modprobe = config.extraModprobeConfig
  if (modprobe && config.extraModprobe) {
    for (const option of config.extraModprobe.options) {
      if (moduleKey(option.module) !== 'vfio_pci' || option.params.ids === undefined) continue
      const where = `${config.file} line ${modprobe.line}: boot.extraModprobeConfig "options ${option.module} ids=${option.params.ids}"`
      for (const id of splitIds(option.params.ids)) found.push({kind: 'ids', value: id, where, origin: 'nix-modprobe'})
    }
  }
  for (const commands of config.bootCommands) {
    // Only shell text that writes vfio-pci into driver_override binds by address.
    if (!/driver_override/.test(commands.text) || !/vfio-pci/.test(commands.text)) continue
    const addresses = [...new Set((commands.text.match(SYSFS_ADDRESS) ?? []).map((a) => a.toLowerCase()))]
    const where = `${config.file} line ${commands.line}: ${commands.option} writes vfio-pci to driver_override of ${addresses.join(' ')}`
    for (const address of addresses) found.push({kind: 'address', value: address, where, origin: 'nix-boot-commands'})
  }
  return found
}
