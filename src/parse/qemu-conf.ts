/**
 * libvirt's qemu.conf (/etc/libvirt/qemu.conf; NixOS generates it from
 * virtualisation.libvirtd.qemu.runAsRoot and .verbatimConfig): the account qemu runs as under
 * qemu:///system. Only `user`, `group` and `dynamic_ownership` are read; the file is libvirt's
 * virconf syntax (`key = value`, `#` comments, lists over several lines), and a later setting of a
 * key wins, as libvirt reads it.
 */
import {capped, splitLines} from './lines.js'

export interface QemuConfSetting {
  value: string
  /** 1-based line in the text. */
  line: number
}

export interface QemuConf {
  origin: string
  /** "qemu", "+1000" (a leading + means a numeric id), "root". */
  user?: QemuConfSetting
  group?: QemuConfSetting
  /** dynamic_ownership = 0 turns off libvirt's chown of a domain's files at start. */
  dynamicOwnership?: QemuConfSetting
}

/** A qemu.conf is a few hundred lines; past this it is not one. */
const MAX_LINES = 5000
const KEYS = {user: 'user', group: 'group', dynamic_ownership: 'dynamicOwnership'} as const

export function parseQemuConf(text: string, origin: string): QemuConf {
  const conf: QemuConf = {origin}
  for (const [i, raw] of splitLines(text).slice(0, MAX_LINES).entries()) {
    const m = /^\s*(user|group|dynamic_ownership)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\d+))/.exec(capped(raw))
    if (m) conf[KEYS[m[1] as keyof typeof KEYS]] = {value: m[2] ?? m[3] ?? m[4]!, line: i + 1}
  }
  return conf
}

/** The numeric id a `user`/`group` value names ("+1000" is always an id), else undefined. */
export function numericId(value: string): string | undefined {
  return /^\+\d+$/.test(value) ? value.slice(1) : undefined
}
