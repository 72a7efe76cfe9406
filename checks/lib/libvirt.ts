import type {Facts} from '../../src/facts/types.js'
import type {FreeLogSignal, FreeLogSignalKind} from '../../src/parse/free-log.js'
import {isNixos} from './host.js'

/** The account qemu runs as under qemu:///system, and how we know. */
export interface QemuUser {
  name: string
  group: string
  /** "runAsRoot = false in configuration.nix", "the Debian default". */
  how: string
  /** False when it is a guess (NixOS without its configuration). */
  certain: boolean
}

const DEBIAN = new Set(['debian', 'raspbian', 'kali', 'devuan'])
const UBUNTU = new Set(['ubuntu', 'linuxmint', 'pop', 'zorin', 'elementary', 'neon', 'kubuntu', 'xubuntu'])
// Arch builds libvirt with -Dqemu_user=libvirt-qemu -Dqemu_group=libvirt-qemu.
const ARCH = new Set(['arch', 'manjaro', 'endeavouros', 'garuda', 'cachyos', 'artix'])
const RED_HAT_SUSE = new Set(['fedora', 'rhel', 'centos', 'rocky', 'almalinux', 'ol', 'opensuse-tumbleweed', 'opensuse-leap', 'sles', 'gentoo'])

/** The qemu account: NixOS from its configuration (runAsRoot), other distributions by their packaging default. */
export function qemuUser(facts: Facts): QemuUser | undefined {
  if (isNixos(facts)) {
    const runAsRoot = facts.nixConfig?.map((c) => c.libvirtd?.runAsRoot).find((v) => v !== undefined)
    const configured = facts.nixConfig?.some((c) => c.libvirtd !== undefined)
    if (runAsRoot === false) return {name: 'qemu-libvirtd', group: 'qemu-libvirtd', how: 'NixOS with virtualisation.libvirtd.qemu.runAsRoot = false', certain: true}
    if (runAsRoot === true || configured) {
      const how = runAsRoot ? 'NixOS with virtualisation.libvirtd.qemu.runAsRoot = true' : 'NixOS, where virtualisation.libvirtd.qemu.runAsRoot defaults to true'
      return {name: 'root', group: 'root', how, certain: true}
    }
    return {name: 'qemu-libvirtd', group: 'qemu-libvirtd', how: 'NixOS with runAsRoot = false, assumed: the NixOS configuration was not given (with the default runAsRoot = true qemu runs as root)', certain: false}
  }
  const id = facts.os?.id
  if (!id) return undefined
  const name = facts.os?.name ?? id
  if (DEBIAN.has(id)) return {name: 'libvirt-qemu', group: 'libvirt-qemu', how: `the ${name} default`, certain: true}
  if (UBUNTU.has(id)) return {name: 'libvirt-qemu', group: 'kvm', how: `the ${name} default`, certain: true}
  if (ARCH.has(id)) return {name: 'libvirt-qemu', group: 'libvirt-qemu', how: `the ${name} default`, certain: true}
  if (RED_HAT_SUSE.has(id) || id.startsWith('opensuse')) return {name: 'qemu', group: 'qemu', how: `the ${name} default`, certain: true}
  return undefined
}

/** The group whose members may manage qemu:///system: libvirtd on NixOS, libvirt elsewhere. */
export function libvirtGroup(facts: Facts): string {
  return isNixos(facts) ? 'libvirtd' : 'libvirt'
}

export function logSignalsOf(facts: Facts, ...kinds: FreeLogSignalKind[]): FreeLogSignal[] {
  return facts.logSignals?.filter((s) => kinds.includes(s.kind)) ?? []
}

/** A free-form log line as evidence: "qemu-win10.log line 12: ...". */
export function logLine(signal: FreeLogSignal): string {
  return `${signal.origin} line ${signal.n}: ${signal.text.trim().slice(0, 300)}`
}
