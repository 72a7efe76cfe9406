/** Parsers for one-line or key=value sources: kvm parameters, user groups, systemd-detect-virt, virsh list. */
import type {UserFacts, VirtFacts} from '../facts/types.js'
import {capped, splitLines} from './lines.js'

/**
 * `kvm.ignore_msrs=Y` lines (our live format), `ignore_msrs: Y`, or `grep -r . /sys/module/kvm/parameters`
 * ("/sys/module/kvm/parameters/ignore_msrs:Y"); keys are module-qualified.
 */
export function parseKvmParams(text: string): Map<string, string> {
  const params = new Map<string, string>()
  for (const line of splitLines(text)) {
    const m = /^\s*([\w.]+)\s*[=:]\s*(\S+)/.exec(capped(line).replace(/^\s*\/sys\/module\/(\w+)\/parameters\//, '$1.'))
    if (!m) continue
    const key = m[1]!.includes('.') ? m[1]! : `kvm.${m[1]}`
    params.set(key, m[2]!)
  }
  return params
}

/**
 * `id` ("uid=1000(vini) gid=100(users) groups=100(users),1(wheel)"), `groups USER` ("vini : users wheel"),
 * or bare `groups` ("users wheel libvirtd").
 */
export function parseUserGroups(text: string): UserFacts | undefined {
  const line = splitLines(text).map((l) => capped(l).trim()).find(Boolean)
  if (!line) return undefined
  const id = /uid=\d+\(([^()]+)\)/.exec(line)
  if (id) {
    const groups = [...(/groups=(\S+)/.exec(line)?.[1] ?? '').matchAll(/(?<!\d)\d+\(([^()]+)\)/g)].map((m) => m[1]!)
    return {name: id[1]!, groups}
  }
  const named = /^(\S+)\s*:\s*(.*)/.exec(line)
  if (named) return {name: named[1]!, groups: named[2]!.split(/\s+/).filter(Boolean)}
  return {name: '', groups: line.split(/\s+/).filter(Boolean)}
}

const CONTAINERS = new Set(['docker', 'podman', 'lxc', 'lxc-libvirt', 'systemd-nspawn', 'openvz', 'wsl', 'proot', 'rkt', 'pouch', 'container-other'])

/** systemd-detect-virt prints one word: "none", "kvm", "docker", ...; `file` is the host file that told it instead. */
export function parseDetectVirt(text: string, file?: string): VirtFacts | undefined {
  const word = splitLines(text).map((l) => l.trim()).find(Boolean)?.split(/\s+/)[0]
  if (!word || !/^[a-z0-9_-]+$/i.test(word)) return undefined
  const evidence = `${file ?? 'systemd-detect-virt'}: ${word}`
  if (word === 'none') return {kind: 'none', evidence}
  return {kind: CONTAINERS.has(word) ? 'container' : 'vm', name: word, evidence}
}

/** `virsh list --all --name`: one domain name a line; a pasted `virsh list --all` table gives its Name column. */
export function parseVirshList(text: string): string[] {
  return splitLines(text)
    .map((l) => l.trim())
    .filter((l) => l && !/^[-\s]+$/.test(l) && !/^Id\s+Name/.test(l))
    .map((l) => /^(?:\d+|-)\s+(\S+)\s+\S/.exec(l)?.[1] ?? l)
}
