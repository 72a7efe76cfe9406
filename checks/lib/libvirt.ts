import type {Facts} from '../../src/facts/types.js'
import type {FreeLogSignal, FreeLogSignalKind} from '../../src/parse/free-log.js'
import {nixPlace, type NixConfig} from '../../src/parse/nix-config.js'
import {numericId, parseQemuConf} from '../../src/parse/qemu-conf.js'
import {isNixos} from './host.js'

/** The account qemu runs as under qemu:///system, and how we know. */
export interface QemuUser {
  /** The account's name, or its number when only that is known ("1000"). */
  name: string
  /** The numeric id, when qemu.conf gives one ("+1000"). */
  uid?: string
  /** Undefined when qemu.conf sets the user but not the group: libvirt's build default, not known here. */
  group?: string
  /** "runAsRoot = false in configuration.nix", "the Debian default". */
  how: string
  /** False when it is a guess (NixOS without its configuration). */
  certain: boolean
  /** qemu.conf sets dynamic_ownership = 0: libvirt then never chowns a domain's files when it starts. */
  ownershipOff?: boolean
}

const DEBIAN = new Set(['debian', 'raspbian', 'kali', 'devuan'])
const UBUNTU = new Set(['ubuntu', 'linuxmint', 'pop', 'zorin', 'elementary', 'neon', 'kubuntu', 'xubuntu'])
// Arch builds libvirt with -Dqemu_user=libvirt-qemu -Dqemu_group=libvirt-qemu.
const ARCH = new Set(['arch', 'manjaro', 'endeavouros', 'garuda', 'cachyos', 'artix'])
const RED_HAT_SUSE = new Set(['fedora', 'rhel', 'centos', 'rocky', 'almalinux', 'ol', 'opensuse-tumbleweed', 'opensuse-leap', 'sles', 'gentoo'])

/**
 * The qemu account: qemu.conf where the evidence has it (the file libvirt reads, on any
 * distribution), else NixOS's configuration (runAsRoot, then verbatimConfig's `user =` on top, as
 * the module writes the file), else the distribution's packaging default.
 */
export function qemuUser(facts: Facts): QemuUser | undefined {
  const base = defaultQemuUser(facts)
  const file = qemuConfAccount(facts)
  const nix = file ? undefined : nixVerbatimAccount(facts)
  // verbatimConfig sets a user through an interpolation this reader cannot follow: not known.
  if (nix === 'unknown') return undefined
  const set = file ?? nix
  if (!set) return base
  const user = set.user ?? (base && {name: base.name, ...(base.uid ? {uid: base.uid} : {})})
  if (!user) return undefined
  const group = set.group ?? (set.user ? undefined : base?.group)
  return {
    ...user,
    ...(group ? {group} : {}),
    how: set.how,
    certain: true,
    ...(set.dynamicOwnership === false ? {ownershipOff: true} : {}),
  }
}

interface ConfAccount {
  user?: {name: string; uid?: string}
  group?: string
  dynamicOwnership?: boolean
  how: string
}

/** The user, group and dynamic_ownership the qemu.conf files set (a later file's setting wins). */
function qemuConfAccount(facts: Facts): ConfAccount | undefined {
  const confs = facts.qemuConf ?? []
  const user = confs.flatMap((c) => (c.user ? [{conf: c, setting: c.user}] : [])).at(-1)
  const group = confs.flatMap((c) => (c.group ? [c.group] : [])).at(-1)
  const dynamic = confs.flatMap((c) => (c.dynamicOwnership ? [c.dynamicOwnership] : [])).at(-1)
  if (!user && !group && !dynamic) return undefined
  const uid = user && numericId(user.setting.value)
  return {
    ...(user ? {user: uid ? accountOfUid(facts, uid) : {name: user.setting.value}} : {}),
    ...(group ? {group: numericId(group.value) ?? group.value} : {}),
    ...(dynamic ? {dynamicOwnership: dynamic.value !== '0'} : {}),
    how: user ? `${user.conf.origin} line ${user.setting.line}: user = "${user.setting.value}"` : `${confs[0]!.origin}`,
  }
}

/** `${builtins.toString config.users.users.${user}.uid}` (seed 001): the uid of a user the tree names. */
const UID_OF_USER = /^\+?\$\{\s*(?:builtins\.)?toString\s+config\.users\.(?:users|extraUsers)\.(?:\$\{\s*([A-Za-z_][\w'-]*)\s*\}|"([^"]+)"|([A-Za-z_][\w-]*))\.uid\s*\}$/

/** virtualisation.libvirtd.qemu.verbatimConfig read as the qemu.conf lines it becomes. */
function nixVerbatimAccount(facts: Facts): ConfAccount | 'unknown' | undefined {
  for (const config of facts.nixConfig ?? []) {
    const verbatim = config.qemuVerbatimConfig
    if (!verbatim) continue
    const conf = parseQemuConf(verbatim.text, config.file)
    if (!conf.user && !conf.group && !conf.dynamicOwnership) continue
    const where = (line: number) => `${nixPlace(config.file, {...verbatim, line: verbatim.line + line - 1})}: virtualisation.libvirtd.qemu.verbatimConfig`
    const account: ConfAccount = {how: conf.user ? `${where(conf.user.line)} sets user = "${conf.user.value}"` : where(1)}
    if (conf.user) {
      const user = nixUser(facts, config, conf.user.value)
      if (!user) return 'unknown'
      account.user = user
      if (user.uid && user.name !== user.uid) account.how += ` (uid ${user.uid}, ${user.name})`
    }
    if (conf.group) account.group = numericId(conf.group.value) ?? conf.group.value
    if (conf.dynamicOwnership) account.dynamicOwnership = conf.dynamicOwnership.value !== '0'
    return account
  }
  return undefined
}

/** A verbatimConfig user value: "+1000", "alice", or the uid of a user the configuration declares. */
function nixUser(facts: Facts, config: NixConfig, value: string): {name: string; uid?: string} | undefined {
  const uid = numericId(value)
  if (uid) return accountOfUid(facts, uid)
  if (!value.includes('${')) return {name: value}
  const m = UID_OF_USER.exec(value)
  const name = m ? (m[1] ? config.bindings.get(m[1]) : (m[2] ?? m[3])) : undefined
  if (!name) return undefined
  const declared = (facts.nixConfig ?? []).flatMap((c) => c.userIds).find((u) => u.user === name)
  return declared ? {name, uid: declared.uid} : {name}
}

/** A numeric qemu user, named when the NixOS configuration declares that uid (0 is root). */
function accountOfUid(facts: Facts, uid: string): {name: string; uid: string} {
  const declared = (facts.nixConfig ?? []).flatMap((c) => c.userIds).find((u) => u.uid === uid)?.user
  return {name: uid === '0' ? 'root' : (declared ?? uid), uid}
}

/** What NixOS's runAsRoot or the distribution's packaging gives when qemu.conf does not say. */
function defaultQemuUser(facts: Facts): QemuUser | undefined {
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
