import type {LineSearch} from '../parse/line-finder.js'
import {isSystemName} from './words.js'

/** The names a host's evidence gives away, learnt before anything is replaced. */
export interface KnownNames {
  users: string[]
  hosts: string[]
  ssids: string[]
}

/** Where a user name shows: home folders (Linux, macOS, Windows), removable media, `id` output, prompts. */
export const HOME_PATH = /(\/(?:home|Users|var\/home|run\/media|media|export\/home)\/)([^/\s'"`<>:;,|()[\]{}=]+)/g
export const WINDOWS_HOME = /([A-Za-z]:\\{1,2}Users\\{1,2})([^\\\s'"`<>:;,|]+)/g
export const ID_ENTRY = /\b(uid|gid|euid|egid|groups)=((?:\d{1,10}\([^()\s]{1,64}\),?)+)/g
/** "[alice@nixos:~]$", "alice@host:~$", "[alice@host ~]$", zsh's "alice@host ~ % ". */
export const PROMPT = /(^|\s)(\[?)([a-z_][a-z0-9_-]{0,31})@([A-Za-z0-9][A-Za-z0-9-]{0,62})(?=(?::\S*\]?\s?[$#%])|(?:\s+\S+\]\s?[$#%])|(?:\s+\S+\s+[$#%]\s))/gm
/**
 * syslog / journalctl prefixes: "Nov 21 23:57:01 HOST kernel: ...", with fractions (short-precise),
 * month names of any language ("Dez 04", "déc. 04"), ISO stamps (short-iso, short-iso-precise).
 */
export const SYSLOG_HOST = /^((?:\p{L}{3,5}\.? +\d{1,2},? \d{2}:\d{2}:\d{2}(?:[.,]\d+)?|\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:[+-]\d{2}:?\d{2}|Z)?) )([A-Za-z0-9][\w.-]*)(?= [\w.@/()-]+(?:\[\d+\])?: )/gmu
/** journalctl -o short-monotonic: "[    2.345678] HOST kernel: ..." (a dmesg line has no host: "usb 1-1:" is not one). */
export const MONOTONIC_HOST = /^(\[ *\d+\.\d+\] )([A-Za-z0-9][\w.-]*)(?= (?:kernel|[\w.@/-]+\[\d+\]): )/gm
/** Distributions' and builders' domains: their addresses and build hosts are public. */
export const PUBLIC_DOMAIN = /(?:^|\.)(?:debian\.org|ubuntu\.com|canonical\.com|fedoraproject\.org|redhat\.com|archlinux\.org|suse\.(?:de|com)|nixos\.org|gentoo\.org|kernel\.org|example\.(?:com|org|net|invalid))$/i
/** A kernel built by hand names its builder: "Linux version 6.12.1 (alice@alice-desktop) (gcc ...)". */
export const KERNEL_BANNER = /(Linux version \S+ \()([^@\s()]{1,64})@([^\s()]{1,253})(?=\))/g
/** The kernel's `ip=client:server:gw:netmask:HOST:device:autoconf` parameter. */
export const CMDLINE_IP = /(\bip=(?:[^:\s]{0,64}:){4})([A-Za-z0-9][\w.-]*)(?=:)/g
/** NetworkManager and hostnamed: "policy: set-hostname: set hostname to 'HOST' (from ...)". */
export const SET_HOSTNAME = /(\bset(?:-| )hostname(?: to)? ['"])([^'"\s]{1,253})(?=['"])/gi
/** `uname -a`: "Linux HOST 6.12.18 #1-NixOS SMP ...". */
export const UNAME_HOST = /^(Linux )(?!version )([A-Za-z0-9][\w.-]*)(?= \d+\.\d+)/gm
/** libvirt's qemu log header "..., kernel: 6.1.0, hostname: HOST" and hostnamectl's "Static hostname: HOST". */
export const LIBVIRT_HOST = /((?:, hostname|\bStatic hostname|\bTransient hostname): )([A-Za-z0-9][\w.-]*)/g
/** systemd at boot: "systemd[1]: Set hostname to <HOST>." (newer: "Hostname set to <HOST>.") */
export const HOSTNAME_SET = /(\b(?:hostname|Hostname set) to <)([^>\s]+)(?=>)/g
/** A NixOS system's store path names its host: "...-nixos-system-HOST-25.05.20250309.e3e32b6". */
export const NIXOS_SYSTEM = /(-nixos-system-)([A-Za-z0-9][\w-]{0,62}?)(?=-\d{2}\.\d{2}(?:pre|\.|\b))/g
export const NIX_HOST = /(\bhostName\s*=\s*")([^"]+)(?=")/g
/** `ls -l` and `namei -l` lines: mode, [links], owner, group. */
export const LS_OWNER = /^([ \t]*[-dlcbps][rwxsStT-]{9}[.+@]?\s+(?:\d+\s+)?)([^\s:]+)(\s+)([^\s:]+)/gm
/** /etc/group lines: "libvirtd:x:993:alice,bob". */
export const GROUP_LINE = /^([a-z_][\w-]*:[x*!]?:\d+:)([a-z_][\w,.-]*)$/gm

export const HOST_CONTEXTS = [SYSLOG_HOST, MONOTONIC_HOST, UNAME_HOST, LIBVIRT_HOST, HOSTNAME_SET, NIXOS_SYSTEM, NIX_HOST, CMDLINE_IP, SET_HOSTNAME]

/** sshd and pam: "Accepted publickey for USER from", "Invalid user USER from", "session opened for user USER(uid=1000)". */
export const LOGIN_USER = /(\b(?:Accepted [\w/-]+ for|Failed [\w/-]+ for(?: invalid user)?|Invalid user|session (?:opened|closed) for user|Disconnected from (?:invalid |authenticating )?user|Connection closed by (?:invalid |authenticating )?user) )([A-Za-z_][\w.-]{0,31})/g
/** The audit log: acct="USER", and the enriched AUID="USER" / UID="USER". */
export const AUDIT_USER = /(\b(?:acct|[ADEFOS]?UID)=")([^"\s]{1,64})(?=")/g
/** NixOS and qemu.conf: autoLogin.user = "USER", autologinUser, a let binding user = "USER"; libvirt's <auth username='USER'>. */
export const ASSIGNED_USER = /(\b(?:autoLogin\.user|autologinUser|user|username|userName)\s*=\s*")([A-Za-z_][\w.-]{0,31})(?=")|(<auth\s+username=['"])([^'"\s]{1,64})(?=['"])/g
/** sudo's journal line: "sudo[3001]:   USER : TTY=pts/1 ; PWD=... ; USER=root ; COMMAND=...". */
export const SUDO_USER = /(\bsudo\[\d+\]:\s+)([A-Za-z_][\w.-]{0,31})(?= : )/g
export const USER_CONTEXTS = [LOGIN_USER, AUDIT_USER, SUDO_USER]
/** NixOS users.groups.libvirtd.members = [ "alice" "bob" ]. */
export const NIX_MEMBERS = /(\bmembers\s*=\s*\[)([^\]]{0,500})(?=\])/g

/** Context patterns below capture (lead)("quoted name" | bare name). */
export const NIX_USER = /(\b(?:users\.(?:users|extraUsers)|home-manager\.users)\.)(?:"([^"]+)"|([A-Za-z_][\w-]*))/g
/** `users.users = { alice = { isNormalUser = true; ... }; }` (the empty first group keeps the shape of the others). */
export const NIX_NORMAL_USER = /()(?:"([^"]+)"|(?<![\w-])([A-Za-z_][\w-]*))(?=\s*=\s*\{[^{}]*?\bisNormalUser\s*=\s*true)/g
export const NIX_WIFI = /(\bwireless\.networks\.)(?:"([^"]+)"|([A-Za-z_][\w-]*))/g
const NIX_WIFI_BLOCK = /\bwireless(?:\.networks\s*=\s*\{|\s*=\s*\{[^{}]*?\bnetworks\s*=\s*\{)/g
export const SSID_QUOTED = /(\bssid\b['"]?(?:\s*[=:]\s*|\s+)(?:value\s+)?["'])()([^"'\n]+)(?=["'])/gi
export const SSID_BARE = /(\bssid\s*[=:]\s*)()([^\s'";,]+)/gi
/** `groups alice`: "alice : alice wheel libvirtd" (a cpuinfo line "flags : fpu vmx" has the same shape, but no group). */
const GROUPS_LINE = /^([a-z_][\w-]*) : ([a-z_][\w -]{0,2000})$/gm

/**
 * Words in every line that can teach a name by the patterns above, as a log's lines hold them: a log
 * read as a stream learns from these lines wherever they are, and from the lines it keeps. A syslog
 * or journal line's host (SYSLOG_HOST, MONOTONIC_HOST) has no word to find it by; it is on every
 * line of its log, the kept ones included. Outputs that are not logs (`ls -l`, /etc/group, `groups`)
 * are never streamed.
 */
const LEARN_WORDS = [
  '/home/', '/media/', 'user', 'uid=', 'gid=', 'groups=', '@', 'linux ', 'hostname', 'nixos-system-', 'ip=',
  'accepted ', 'failed ', 'session opened', 'session closed', 'disconnected from', 'connection closed by',
  'acct=', 'sudo[', 'autologin', '<auth', 'members', 'ssid', 'wireless',
]
export const LEARN_ANCHORS = new RegExp(LEARN_WORDS.map((w) => w.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|'), 'gi')
/** LEARN_ANCHORS as a line search (line-finder.ts). */
export const LEARN_SEARCH: LineSearch = {pattern: LEARN_ANCHORS, words: LEARN_WORDS, exact: true}

export const NO_NAMES: KnownNames = {users: [], hosts: [], ssids: []}

/** Two lists of learnt names as one, in first-seen order. */
export function mergeNames(a: KnownNames, b: KnownNames): KnownNames {
  return learnNames([], {users: [...a.users, ...b.users], hosts: [...a.hosts, ...b.hosts], ssids: [...a.ssids, ...b.ssids]})
}

/** `known`: names already learnt (this machine's own on a live run, a streamed log's). */
export function learnNames(texts: string[], known: Partial<KnownNames> = {}): KnownNames {
  const users = new NameList()
  const hosts = new NameList()
  const ssids = new NameList()
  for (const u of known.users ?? []) users.add(u)
  for (const h of known.hosts ?? []) hosts.add(h)
  for (const s of known.ssids ?? []) ssids.add(s)
  for (const text of texts) {
    for (const m of text.matchAll(HOME_PATH)) users.add(m[2]!)
    for (const m of text.matchAll(WINDOWS_HOME)) users.add(m[2]!)
    for (const m of text.matchAll(ID_ENTRY)) if (m[1] === 'uid' || m[1] === 'euid') users.add(/\(([^()]+)\)/.exec(m[2]!)![1]!)
    for (const m of text.matchAll(GROUPS_LINE)) if (m[2]!.split(' ').some((g) => isSystemName(g) && !/^\d+$/.test(g))) users.add(m[1]!)
    for (const m of text.matchAll(PROMPT)) {
      users.add(m[3]!)
      hosts.add(m[4]!)
    }
    for (const m of text.matchAll(NIX_USER)) users.add(m[2] || m[3]!)
    // Its lookahead scans ahead from every word: only worth it where a Nix user block can be.
    if (text.includes('isNormalUser')) for (const m of text.matchAll(NIX_NORMAL_USER)) users.add(m[2] || m[3]!)
    for (const m of text.matchAll(LS_OWNER)) users.add(m[2]!)
    for (const m of text.matchAll(GROUP_LINE)) for (const member of m[2]!.split(',')) users.add(member)
    for (const re of HOST_CONTEXTS) for (const m of text.matchAll(re)) hosts.add(m[2]!)
    for (const re of USER_CONTEXTS) for (const m of text.matchAll(re)) users.add(m[2]!)
    for (const m of text.matchAll(ASSIGNED_USER)) users.add(m[2] ?? m[4]!)
    for (const m of text.matchAll(KERNEL_BANNER)) {
      if (buildAddress(m[3]!)) continue
      users.add(m[2]!)
      hosts.add(m[3]!)
    }
    for (const m of text.matchAll(NIX_MEMBERS)) for (const q of m[2]!.matchAll(/"([^"]+)"/g)) users.add(q[1]!)
    for (const re of [NIX_WIFI, SSID_QUOTED, SSID_BARE]) for (const m of text.matchAll(re)) ssids.add(m[2] || m[3]!)
    for (const name of nixWifiBlockKeys(text)) ssids.add(name)
  }
  // A host name's first label is the same host ("alice-pc.lan" -> "alice-pc").
  for (const h of hosts.list()) if (h.includes('.')) hosts.add(h.split('.')[0]!)
  return {users: users.list(), hosts: hosts.list(), ssids: ssids.list()}
}

/**
 * A banner's builder at a public domain ("team@grml.org", "mockbuild@...fedoraproject.org") is a
 * distribution's build address; a machine at home has no domain, or a private one (.lan, .local).
 */
export function buildAddress(host: string): boolean {
  return PUBLIC_DOMAIN.test(host) || (host.includes('.') && !/\.(?:lan|local|home|localdomain|internal|intranet|corp|home\.arpa|fritz\.box)$/i.test(host))
}

/** The keys of a `networks = { "SSID" = { psk = ...; }; Other.psk = ...; }` block: each is a Wi-Fi name. */
function nixWifiBlockKeys(text: string): string[] {
  const keys: string[] = []
  let scannedTo = 0
  for (const m of text.matchAll(NIX_WIFI_BLOCK)) {
    // A block inside one already read (or an unclosed one) is not read again: linear, whatever the input.
    if (m.index < scannedTo) continue
    // The block's own level only: nested attribute sets become "{}".
    let top = ''
    let depth = 1
    let i = m.index + m[0].length
    for (; i < text.length && depth > 0; i++) {
      const c = text[i]!
      if (c === '{') depth++
      else if (c === '}') depth--
      if (depth === 1 || (depth === 2 && c === '{') || (depth === 1 && c === '}')) top += c
    }
    scannedTo = i
    for (const k of top.matchAll(/(?:^|[;}\n])[ \t\r]*(?:"([^"]+)"|([A-Za-z_][\w-]*))\s*[=.]/g)) keys.push(k[1] ?? k[2]!)
  }
  return keys
}

/** Learnt names in first-seen order, without system names and without our own pseudonyms. */
class NameList {
  private readonly names = new Map<string, string>()
  add(name: string): void {
    const n = name.trim()
    // A name starts with a letter, digit or underscore ("-rw-r--r--" after a bad `ls` column is none).
    if (!n || n.length > 64 || !/^[\p{L}\p{N}_]/u.test(n) || isSystemName(n) || /^(user|host|wifi)\d+$/.test(n)) return
    if (!this.names.has(n.toLowerCase())) this.names.set(n.toLowerCase(), n)
  }
  list(): string[] {
    return [...this.names.values()]
  }
}
