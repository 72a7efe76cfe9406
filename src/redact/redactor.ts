import {ASSIGNED_USER, buildAddress, GROUP_LINE, HOME_PATH, HOST_CONTEXTS, ID_ENTRY, KERNEL_BANNER, LS_OWNER, NIX_MEMBERS, NIX_NORMAL_USER, NIX_USER, NIX_WIFI, PROMPT, PUBLIC_DOMAIN, SSID_BARE, SSID_QUOTED, USER_CONTEXTS, WINDOWS_HOME, type KnownNames} from './learn.js'
import {COMMON_WORDS, isSystemName} from './words.js'

export type RedactionKind = 'user' | 'host' | 'ssid' | 'mac' | 'ipv4' | 'ipv6' | 'uuid' | 'serial' | 'ssh-key' | 'secret' | 'email'

const KIND_WORDS: Record<RedactionKind, [string, string]> = {
  user: ['user name', 'user names'],
  host: ['host name', 'host names'],
  ssid: ['Wi-Fi name', 'Wi-Fi names'],
  mac: ['MAC address', 'MAC addresses'],
  ipv4: ['IPv4 address', 'IPv4 addresses'],
  ipv6: ['IPv6 address', 'IPv6 addresses'],
  uuid: ['UUID', 'UUIDs'],
  serial: ['serial number', 'serial numbers'],
  'ssh-key': ['SSH key', 'SSH keys'],
  secret: ['password or key', 'passwords and keys'],
  email: ['e-mail address', 'e-mail addresses'],
}

/**
 * Pseudonyms keep their value's shape, so a redacted capture still parses and a redacted report
 * still reads: documentation ranges for addresses (RFC 5737, RFC 3849, RFC 7042), zero UUIDs,
 * "user1" and "host1" for names. The same value always gets the same pseudonym.
 */
const PSEUDONYM: Record<RedactionKind, (n: number, original: string) => string> = {
  user: (n) => `user${n}`,
  host: (n) => `host${n}`,
  ssid: (n) => `wifi${n}`,
  mac: (n) => `00:00:5e:00:${hex2(0x53 + Math.floor(n / 256))}:${hex2(n % 256)}`,
  ipv4: (n) => (n <= 254 ? `192.0.2.${n}` : n <= 508 ? `198.51.100.${n - 254}` : `203.0.113.${((n - 509) % 254) + 1}`),
  ipv6: (n) => `2001:db8::${n.toString(16)}`,
  uuid: (n, original) => (original.length === 9 ? `0000-${n.toString(16).padStart(4, '0')}` : `00000000-0000-0000-0000-${n.toString(16).padStart(12, '0')}`),
  serial: (n) => `serial${n}`,
  'ssh-key': (n) => `REDACTED-KEY-${n}`,
  secret: () => 'REDACTED',
  email: (n) => `email${n}@example.invalid`,
}

function hex2(n: number): string {
  return (n & 0xff).toString(16).padStart(2, '0')
}

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)'
const IPV4 = new RegExp(`(?<![\\w.-])${OCTET}(?:\\.${OCTET}){3}(?![\\w-]|\\.\\d)`, 'g')
const H = '[0-9a-fA-F]{1,4}'
const IPV6 = new RegExp(`(?<![\\w:.%-])(?:(?:${H}:){7}${H}|(?:${H}:){1,7}:(?:${H}(?::${H}){0,6})?|::${H}(?::${H}){0,6})(?![\\w:.-])`, 'g')
/** Not after '/': ATA command dumps ("ACPI cmd b1/c1:00:00:00:00:00") look like MACs. A sentence's full stop may follow. */
const MAC = /(?<![\w:./-])[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(?:\1[0-9a-fA-F]{2}){4}(?![\w:-]|\.\w)/g
/** Cisco's dotted form: 9c53.221a.2b3c. */
const MAC_DOTTED = /(?<![\w:.-])([0-9a-fA-F]{4})\.([0-9a-fA-F]{4})\.([0-9a-fA-F]{4})(?![\w:-]|\.\w)/g
/** systemd's names for USB network adapters carry the MAC: enx9c53221a2b3c. */
const MAC_IFNAME = /\b(enx)([0-9a-fA-F]{12})\b/g
const UUID = /(?<![\w-])[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![\w-])/g
/** FAT/exFAT volume ids, only where they are used as ids. */
const SHORT_UUID = /(\b(?:UUID=|by-uuid\/|by-partuuid\/))([0-9A-Fa-f]{4}-[0-9A-Fa-f]{4})(?![\w-])/g
const EMAIL = /(?<![\w.%+-])[A-Za-z0-9._%+-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})(?![\w-])/g
const SSH_KEY = /\b(ssh-(?:rsa|dss|ed25519)|ecdsa-sha2-nistp\d+|sk-(?:ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) +AAAA[0-9A-Za-z+/]+=*(?: +[^\s"'`;]+)?/g
/** sshd's "Accepted publickey ... SHA256:..." names the key as surely as the key itself (GitHub publishes users' keys). */
const SSH_FINGERPRINT = /\b(SHA256:)([0-9A-Za-z+/]{43})(?![0-9A-Za-z+/])/g
const PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?:(?!-----BEGIN )[\s\S])*?-----END [A-Z0-9 ]*PRIVATE KEY-----/g
/** Nix and ini-style secrets: `psk = "..."`, `hashedPassword = "..."`, `passwd='...'`, `psk=...`. */
const SECRET_QUOTED = /((?<![\w-])[\w.-]{0,40}?(?:[Pp]assw(?:or)?d|[Pp]sk|[Ss]ecret|[Tt]oken|[Aa]uth[Kk]ey|[Aa]pi[Kk]ey|[Pp]rivate[Kk]ey|[Pp]reshared[Kk]ey)[\w.-]{0,40}\s*[=:]\s*)(''|["'])([^"'\n]*)\2/g
const SECRET_BARE = /^([ \t]*(?:export[ \t]+)?(?:psk|password|wpa_passphrase|sae_password|PrivateKey|PresharedKey|[A-Za-z0-9_]{0,64}(?:SECRET|PASSWORD|PASSWD|TOKEN|API_KEY)[A-Za-z0-9_]{0,64})\s*=\s*)([^"'\s][^\n]*)$/gim
/** `nmcli -s connection show`: "802-11-wireless-security.psk:   VALUE". */
const NMCLI_SECRET = /^([ \t]*[\w-]+\.(?:psk|password|wep-key\d|leap-password|pin)(?:-flags)?:\s+)(\S[^\n]*)$/gm
/** nix.conf's access-tokens = github.com=ghp_..., and HTTP's Authorization: Bearer / token ... */
const ACCESS_TOKENS = /(\baccess-tokens\s*=\s*)([^\n"]+)/g
const BEARER = /(\b(?:Bearer|token)\s+)([A-Za-z0-9._~+/-]{16,}=*)/g
/** Tokens that say what they are: GitHub, GitLab, Slack, OpenAI-style keys. */
const KNOWN_TOKEN = /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{30,}|glpat-[\w-]{20,}|xox[abpr]-[\w-]{10,}|sk-[A-Za-z0-9]{32,})\b/g
const SERIAL_LABELLED = /(\b(?:Serial ?Number|SerialNumber|serial_number|Serial No\.?|S\/N)\s*[:=]\s*)([^\s,;'"<>]{3,})/gi
const PCIE_DSN = /(\bDevice Serial Number )([0-9a-fA-F]{2}(?:-[0-9a-fA-F]{2}){7})/g
const XML_SERIAL = /(<serial>\s*)([^<\s](?:[^<]*[^<\s])?)(\s*<\/serial>)|(<entry name=(['"])(?:serial|asset)\5>\s*)([^<\s](?:[^<]*[^<\s])?)(\s*<\/entry>)/g
const ARG_SERIAL = /(\bserial=)([^,\s'"<>]{3,})/g
/** lsusb -v "iSerial 3 0123456789AB", udev ID_SERIAL(_SHORT)=, lshw "serial: X", qemu JSON "serial":"X", <wwn>. */
const MORE_SERIALS = /(\biSerial\s+\d+\s+|\bID_SERIAL(?:_SHORT)?=|^[ \t]*serial:[ \t]+|"serial"\s*:\s*"|<wwn>\s*)([^\s"<>,]{3,})/gm
/** hostnamectl's Machine ID and Boot ID, and journalctl's "-- Boot 3f2a... --". */
const MACHINE_ID = /(\b(?:Machine ID|Boot ID|machine-id|boot_id|_MACHINE_ID=|_BOOT_ID=)[:=]?\s*|^-- Boot )([0-9a-f]{32})\b/gim
/** /dev/input/by-id and /dev/serial/by-id names: "usb-Logitech_G502_0123456789AB-event-mouse". */
const DEVICE_BY_ID = /(\/dev\/(?:input|serial|snd)\/by-id\/)([^\s'"`<>]+)/g
const NIX_HOST_ID = /(\bhostId\s*=\s*")([0-9a-fA-F]{8})(?=")/g
const DISK_BY_ID = /(\/dev\/disk\/by-id\/)([^\s'"`<>]+)/g
const NOT_SERIAL = new Set(['none', 'pty', 'stdio', 'null', 'vc', 'file', 'pipe', 'unix', 'tcp', 'udp', 'chardev', 'isa-serial'])
/** "modprobe@drm.service", "user@1000.service": systemd template units, not addresses. */
const SYSTEMD_UNIT = /\.(?:service|socket|target|mount|automount|timer|path|slice|scope|device|swap)$/

/** NetworkManager: "Activation: starting connection 'NAME' (uuid)"; nmcli: "Connection 'NAME' successfully"; iwctl: "station wlan0 connect NAME". */
const WIFI_CONNECTION = /(\b(?:starting connection|Connection|connection) ')()([^'\n]{1,64})(?=')|(\bstation \S+ connect\s+)()("?[^\s"]{1,64}"?)/g

export interface RedactionSummary {
  kind: RedactionKind
  count: number
}

/**
 * Replaces what identifies a person or a machine, and nothing that the diagnosis needs: PCI
 * addresses and ids, kernel versions, Nix store hashes (public build hashes), ISO and disk file
 * names all stay. Names learnt from the evidence (see learn.ts) are replaced everywhere they stand
 * as words, unless they are everyday words; then only where they are known to be names.
 */
export class Redactor {
  private readonly seen = new Map<RedactionKind, Map<string, string>>()
  private readonly used = new Map<RedactionKind, Set<string>>()
  private readonly users: Set<string>
  private readonly hosts: Set<string>
  private readonly bareNames: RegExp | undefined
  private readonly ssidLiteral: RegExp | undefined

  constructor(names: KnownNames, extraCommonWords: ReadonlySet<string> = new Set()) {
    this.users = new Set(names.users.map((u) => u.toLowerCase()))
    this.hosts = new Set(names.hosts.map((h) => h.toLowerCase()))
    // Allocate name pseudonyms in learnt order, so "user1" is the first person the evidence names.
    for (const u of names.users) this.reserve('user', u)
    for (const h of names.hosts) if (!this.users.has(h.toLowerCase())) this.reserve('host', h)
    for (const s of names.ssids) this.reserve('ssid', s)
    const distinctive = (n: string) => n.length >= 3 && !COMMON_WORDS.has(n.toLowerCase()) && !extraCommonWords.has(n.toLowerCase())
    const bare = [...names.users, ...names.hosts].filter(distinctive).sort((a, b) => b.length - a.length)
    if (bare.length) this.bareNames = new RegExp(`(?<![\\w-])(?:${bare.map(escapeRegExp).join('|')})(?![\\w-])`, 'gi')
    const ssids = names.ssids.filter((s) => s.length >= 4 && distinctive(s)).sort((a, b) => b.length - a.length)
    if (ssids.length) this.ssidLiteral = new RegExp(`(?<![\\w-])(?:${ssids.map(escapeRegExp).join('|')})(?![\\w-])`, 'g')
  }

  redact(text: string): string {
    if (!text) return text
    let t = text
    t = t.replace(PRIVATE_KEY, () => `-----BEGIN PRIVATE KEY-----\n${this.pseudonym('secret', 'private key')}\n-----END PRIVATE KEY-----`)
    t = t.replace(SSH_KEY, (whole, type: string) => `${type} ${this.pseudonym('ssh-key', whole.split(/ +/)[1]!)}`)
    t = t.replace(SSH_FINGERPRINT, (_, lead: string, fingerprint: string) => `${lead}${this.pseudonym('ssh-key', fingerprint)}`)
    t = t.replace(SECRET_QUOTED, (whole, lead: string, q: string, value: string) => (value && !/^\/|^REDACTED$/.test(value) ? `${lead}${q}${this.pseudonym('secret', value)}${q}` : whole))
    t = t.replace(SECRET_BARE, (whole, lead: string, value: string) => (value === 'REDACTED' ? whole : `${lead}${this.pseudonym('secret', value)}`))
    t = t.replace(NMCLI_SECRET, (whole, lead: string, value: string) => (/^(?:REDACTED|--|<hidden>|\d+ \(.*\))$/.test(value.trim()) || lead.includes('-flags') ? whole : `${lead}${this.pseudonym('secret', value)}`))
    t = t.replace(ACCESS_TOKENS, (whole, lead: string, value: string) => (value === 'REDACTED' ? whole : `${lead}${this.pseudonym('secret', value)}`))
    t = t.replace(BEARER, (_, lead: string, value: string) => `${lead}${value === 'REDACTED' ? value : this.pseudonym('secret', value)}`)
    t = t.replace(KNOWN_TOKEN, (token) => this.pseudonym('secret', token))
    t = this.redactSsids(t)
    t = this.redactSerials(t)
    t = t.replace(UUID, (u) => (/^0{8}-0{4}-0{4}-0{4}/.test(u) || WELL_KNOWN_GUIDS.has(u.toLowerCase()) ? u : this.pseudonym('uuid', u.toLowerCase())))
    t = t.replace(SHORT_UUID, (_, lead: string, id: string) => `${lead}${/^0000-/.test(id) ? id : this.pseudonym('uuid', id.toUpperCase())}`)
    t = t.replace(MAC, (mac) => this.mac(mac.toLowerCase().replace(/-/g, ':')) ?? mac)
    t = t.replace(MAC_DOTTED, (whole, a: string, b: string, c: string) => this.mac(`${a}${b}${c}`.toLowerCase().replace(/(..)(?!$)/g, '$1:')) ?? whole)
    t = t.replace(MAC_IFNAME, (whole, lead: string, hex: string) => {
      const pseudonym = this.mac(hex.toLowerCase().replace(/(..)(?!$)/g, '$1:'))
      return pseudonym ? `${lead}${pseudonym.replace(/:/g, '')}` : whole
    })
    t = t.replace(IPV6, (ip) => (ip === '::1' || /^2001:0?db8:/i.test(ip) ? ip : this.pseudonym('ipv6', ip.toLowerCase())))
    t = t.replace(IPV4, (ip, offset: number, whole: string) => (publicIpv4(ip) || versionContext(whole, offset) ? ip : this.pseudonym('ipv4', ip)))
    t = t.replace(EMAIL, (mail, domain: string, offset: number, whole: string) =>
      PUBLIC_DOMAIN.test(domain) || SYSTEMD_UNIT.test(domain) || creditLine(whole, offset) ? mail : this.pseudonym('email', mail.toLowerCase()),
    )
    t = this.redactNameContexts(t)
    if (this.bareNames) {
      const hardware = hardwareLines()
      t = t.replace(this.bareNames, (name: string, offset: number, whole: string) => (hardware(whole, offset) ? name : (this.nameFor(name) ?? name)))
    }
    return t
  }

  /** The pseudonym of a MAC address ("9c:53:22:1a:2b:3c"); none for the all-zero, broadcast and documentation ones. */
  private mac(key: string): string | undefined {
    if (key === '00:00:00:00:00:00' || key === 'ff:ff:ff:ff:ff:ff' || key.startsWith('00:00:5e:00:5')) return undefined
    return this.pseudonym('mac', key)
  }

  /** What was replaced, by kind, as distinct values. */
  summary(): RedactionSummary[] {
    const order = Object.keys(KIND_WORDS)
    return [...this.used]
      .filter(([, set]) => set.size > 0)
      .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
      .map(([kind, set]) => ({kind, count: set.size}))
  }

  /** "1 user name, 2 MAC addresses and 1 UUID". */
  describe(): string {
    const parts = this.summary().map(({kind, count}) => `${count} ${KIND_WORDS[kind][count === 1 ? 0 : 1]}`)
    return parts.length <= 1 ? (parts[0] ?? 'nothing') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`
  }

  /** The pseudonym of a value, allocated on first sight; the value counts as redacted. */
  private pseudonym(kind: RedactionKind, original: string): string {
    const key = kind === 'user' || kind === 'host' ? original.toLowerCase() : original
    let used = this.used.get(kind)
    if (!used) this.used.set(kind, (used = new Set()))
    used.add(key)
    return this.reserve(kind, original)
  }

  /** Allocates without counting: learnt names keep their first-seen numbers even if never met again. */
  private reserve(kind: RedactionKind, original: string): string {
    let map = this.seen.get(kind)
    if (!map) this.seen.set(kind, (map = new Map()))
    const key = kind === 'user' || kind === 'host' ? original.toLowerCase() : original
    let p = map.get(key)
    if (!p) map.set(key, (p = PSEUDONYM[kind](map.size + 1, original)))
    return p
  }

  private nameFor(name: string): string | undefined {
    const n = name.toLowerCase()
    if (this.users.has(n)) return this.pseudonym('user', n)
    if (this.hosts.has(n)) return this.pseudonym('host', n)
    return undefined
  }

  private userName(name: string): string {
    return isSystemName(name) || /^user\d+$/.test(name) ? name : this.pseudonym('user', name)
  }

  private redactNameContexts(text: string): string {
    let t = text
    t = t.replace(HOME_PATH, (_, lead: string, name: string) => `${lead}${this.userName(name)}`)
    t = t.replace(WINDOWS_HOME, (_, lead: string, name: string) => `${lead}${this.userName(name)}`)
    t = t.replace(ID_ENTRY, (_, key: string, list: string) => {
      const isUser = key === 'uid' || key === 'euid'
      return `${key}=${list.replace(/\(([^()]+)\)/g, (__, name: string) => `(${isUser ? this.userName(name) : (this.nameFor(name) ?? name)})`)}`
    })
    t = t.replace(PROMPT, (_, space: string, bracket: string, user: string, host: string) => `${space}${bracket}${this.userName(user)}@${this.hostName(host)}`)
    for (const re of HOST_CONTEXTS) t = t.replace(re, (_, lead: string, host: string) => `${lead}${this.hostName(host)}`)
    for (const re of USER_CONTEXTS) t = t.replace(re, (_, lead: string, user: string) => `${lead}${this.userName(user)}`)
    t = t.replace(ASSIGNED_USER, (whole, lead?: string, user?: string, lead2?: string, user2?: string) => (lead !== undefined ? `${lead}${this.userName(user!)}` : lead2 !== undefined ? `${lead2}${this.userName(user2!)}` : whole))
    t = t.replace(KERNEL_BANNER, (whole, lead: string, user: string, host: string) => (buildAddress(host) ? whole : `${lead}${this.userName(user)}@${this.hostName(host)}`))
    t = t.replace(NIX_MEMBERS, (_, lead: string, list: string) => `${lead}${list.replace(/"([^"]+)"/g, (__, name: string) => `"${this.userName(name)}"`)}`)
    for (const re of [NIX_USER, NIX_NORMAL_USER]) t = t.replace(re, named((n) => this.userName(n)))
    t = t.replace(LS_OWNER, (_, lead: string, owner: string, gap: string, group: string) => `${lead}${this.userName(owner)}${gap}${this.nameFor(group) ?? group}`)
    t = t.replace(GROUP_LINE, (_, lead: string, members: string) => `${lead}${members.split(',').map((m) => this.userName(m)).join(',')}`)
    return t
  }

  private hostName(name: string): string {
    if (isSystemName(name) || /^host\d+$/.test(name)) return name
    return this.nameFor(name) ?? this.pseudonym('host', name)
  }

  private redactSsids(text: string): string {
    let t = text
    for (const re of [SSID_QUOTED, SSID_BARE, NIX_WIFI]) t = t.replace(re, named((n) => this.ssid(n)))
    t = t.replace(WIFI_CONNECTION, (whole, lead?: string, _a?: string, name?: string, lead2?: string, _b?: string, name2?: string) => {
      if (lead !== undefined) return /^[0-9a-f-]{36}$|^(?:Wired|Ethernet|lo|virbr\d+|docker\d+|br\d+)\b/i.test(name!) ? whole : `${lead}${this.ssid(name!)}`
      if (lead2 !== undefined) return `${lead2}${name2!.startsWith('"') ? `"${this.ssid(name2!.slice(1, -1))}"` : this.ssid(name2!)}`
      return whole
    })
    if (this.ssidLiteral) t = t.replace(this.ssidLiteral, (s) => this.ssid(s))
    return t
  }

  private ssid(name: string): string {
    return /^wifi\d+$/.test(name) ? name : this.pseudonym('ssid', name)
  }

  private redactSerials(text: string): string {
    const serial = (value: string) => (/^serial\d+$/.test(value) || NOT_SERIAL.has(value.toLowerCase()) ? value : this.pseudonym('serial', value))
    let t = text
    // xHCI root hubs print their PCI address as SerialNumber: that stays.
    t = t.replace(SERIAL_LABELLED, (_, lead: string, value: string) => `${lead}${/^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/i.test(value) ? value : serial(value)}`)
    t = t.replace(PCIE_DSN, (_, lead: string, value: string) => `${lead}${/^(00-){7}00$/.test(value) ? value : serial(value.toLowerCase())}`)
    t = t.replace(XML_SERIAL, (whole, a?: string, v1?: string, c?: string, d?: string, _q?: string, v2?: string, f?: string) =>
      a !== undefined ? `${a}${serial(v1!)}${c}` : d !== undefined ? `${d}${serial(v2!)}${f}` : whole,
    )
    t = t.replace(ARG_SERIAL, (_, lead: string, value: string) => `${lead}${serial(value)}`)
    t = t.replace(NIX_HOST_ID, (_, lead: string, value: string) => `${lead}${serial(value)}`)
    // A name quoted in a sentence ends before its punctuation ("cannot see /dev/input/by-id/usb-...-event-mouse: add ...").
    const byId = (rename: (id: string) => string) => (_: string, lead: string, id: string) => {
      const core = trimTrailing(id, '.,:;)')
      return `${lead}${rename(core)}${id.slice(core.length)}`
    }
    t = t.replace(DISK_BY_ID, byId((id) => this.diskId(id, serial)))
    t = t.replace(DEVICE_BY_ID, byId((id) => this.deviceId(id, serial)))
    t = t.replace(MORE_SERIALS, (_, lead: string, value: string) => `${lead}${/^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/i.test(value) ? value : serial(value)}`)
    t = t.replace(MACHINE_ID, (_, lead: string, id: string) => `${lead}${/^0+$/.test(id) ? id : this.pseudonym('uuid', id.toLowerCase())}`)
    return t
  }

  /** "usb-Logitech_G502_HERO_0123456789AB-event-mouse": the maker and model stay, the serial goes. */
  private deviceId(id: string, serial: (v: string) => string): string {
    const m = /^((?:usb|pci|platform|bluetooth)-.+)_([^_-]+)(-(?:if\d+-)?(?:event|mouse|kbd|joystick|port)[A-Za-z0-9-]*)$/.exec(id)
    return m ? `${m[1]}_${serial(m[2]!)}${m[3]}` : id
  }

  /** "ata-WDC_WD10EZEX-08WN4A0_WD-WCC6Y1234567-part1": the model stays, the serial goes. */
  private diskId(id: string, serial: (v: string) => string): string {
    const m = /^(.*?)(-part\d+)?$/.exec(id)!
    const [body, part = ''] = [m[1]!, m[2]]
    const wwn = /^(wwn-|nvme-eui\.|nvme-nvme\.)(.+)$/.exec(body)
    if (wwn) return `${wwn[1]}${serial(wwn[2]!)}${part}`
    const cut = body.lastIndexOf('_')
    if (cut < 0) return id
    return `${body.slice(0, cut + 1)}${serial(body.slice(cut + 1))}${part}`
  }
}

/** A replacer for the context patterns: (lead)("quoted" | bare). */
function named(rename: (name: string) => string) {
  return (_: string, lead: string, quoted?: string, bare?: string): string => {
    if (quoted) return `${lead}"${rename(quoted)}"`
    return `${lead}${rename(bare ?? quoted ?? '')}`
  }
}

/**
 * Lines that name hardware (firmware DMI strings, lspci names, cpuinfo, dmidecode): a learnt name
 * there is the maker's word ("DMI: CHUWI ..." on the host named chuwi), not the person's.
 */
const HARDWARE_LINE = /\bDMI:|Hardware name:|\bSubsystem:|^\s*(?:[0-9a-f]{4}:)?[0-9a-f]{2}:[0-9a-f]{2}\.[0-7] |^\s*(?:model name|vendor_id|Manufacturer|Product Name|Board Name|Vendor)\s*:/i

/** Whether the line holding `offset` names hardware; each line is looked at once (a 1 MB line with 90,000 names too). */
function hardwareLines(): (text: string, offset: number) => boolean {
  let end = -1
  let verdict = false
  return (text, offset) => {
    if (offset >= end) {
      const start = text.lastIndexOf('\n', offset) + 1
      const next = text.indexOf('\n', offset)
      end = next < 0 ? text.length : next
      verdict = HARDWARE_LINE.test(text.slice(start, Math.min(end, start + 4096)))
    }
    return verdict
  }
}

/** The EFI global-variable GUID and friends: the same on every machine. */
const WELL_KNOWN_GUIDS = new Set(['8be4df61-93ca-11d2-aa0d-00e098032b8c', 'd719b2cb-3d3a-4596-a3bc-dad00e67656f', '605dab50-e046-4300-abb6-3dd810dd8b23'])

function publicIpv4(ip: string): boolean {
  return /^(0\.|127\.|255\.|192\.0\.2\.|198\.51\.100\.|203\.0\.113\.)/.test(ip)
}

/** Kernel banners credit authors and builders by address ("(C) 1999 Max <maxk@...>"): those are public. */
function creditLine(text: string, offset: number): boolean {
  const start = text.lastIndexOf('\n', offset) + 1
  const end = text.indexOf('\n', offset)
  return /\b(?:Linux version|copyright|author|driver|maintainer)\b|\(c\)|\u00a9/i.test(text.slice(start, end < 0 ? undefined : end))
}

/** "BIOS 1.20.0.1", "version 2.6.32.1": four numbers that are not an address. */
function versionContext(text: string, offset: number): boolean {
  return /\b(?:version|ver\.?|bios|firmware|fw|rev\.?|release)[\s:]*$/i.test(text.slice(Math.max(0, offset - 12), offset))
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** `text` without its trailing run of `chars` (a loop: /^(.*?)([.,]*)$/ is quadratic on a run of them). */
function trimTrailing(text: string, chars: string): string {
  let end = text.length
  while (end > 0 && chars.includes(text[end - 1]!)) end--
  return text.slice(0, end)
}
