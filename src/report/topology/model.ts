/**
 * The host's PCI topology as a tree of rows, for the picture (SVG) and the Markdown diagram (Mermaid):
 * root complex -> functions on bus 00 -> what is behind each bridge, with each function's IOMMU
 * group, driver, role (the guest GPU, what goes with it, the host's display) and the findings that
 * name it. Pure: facts and findings in, plain data out, in one order for one input.
 */
import {bootVga} from '../../facts/guest-gpus.js'
import {idsOf, isBridge, isDisplayDevice, normalizePciAddress, slotOf} from '../../facts/merge-pci.js'
import type {Facts, PciDevice} from '../../facts/types.js'
import type {Severity} from '../../engine/types.js'
import {CLASS_NAMES} from '../groups.js'
import {byCodePoint} from '../../util/order.js'

/** vfio-pci, another driver, none bound, or the evidence shows no bindings (`lspci -nn`). */
export type Binding = 'vfio' | 'host' | 'none' | 'unknown'
export type Role = 'guest-gpu' | 'companion' | 'host-display'

export interface TopologyFunction {
  /** "0000:01:00.0". */
  address: string
  /** "01:00.0" in domain 0000, the full address elsewhere. */
  short: string
  ids?: string
  /** The model in lspci's last brackets ("GeForce GTX 1070"), else the name, else the class. */
  name: string
  className?: string
  driver?: string
  binding: Binding
  bridge: boolean
  /** A GPU (display class). */
  display: boolean
  group?: number
  roles: Role[]
  /** The findings that name this function, by knowledge id. */
  findings: FindingMark[]
}

export type TopologyRow =
  | {kind: 'root'; depth: number; parent: -1; domain: string}
  /** Devices on a bus whose bridge the evidence does not name (sysfs paths are not captured). */
  | {kind: 'bus'; depth: number; parent: number; bus: string}
  | {kind: 'function'; depth: number; parent: number; fn: TopologyFunction}
  /** Groups folded away under one parent: nothing for the guest and no finding, or past the drawing limit. */
  | {kind: 'collapsed'; depth: number; parent: number; groups: number; functions: number; why: 'unrelated' | 'limit'}

export interface Topology {
  /** Depth-first: a row's children follow it. */
  rows: TopologyRow[]
  functions: number
  groups: number
  /** Groups and functions folded into count lines. */
  hidden: {groups: number; functions: number}
  guestGpus: string[]
  hostDisplay?: string
  /** Why there is nothing to draw. */
  empty?: string
}

export interface FindingRef {
  id: string
  severity: Severity
  message: string
  subject?: string
}

export interface FindingMark {
  id: string
  severity: Severity
}

/** Above this many groups the groups with nothing for the guest and no finding fold into count lines. */
export const COLLAPSE_ABOVE = 40
/** At most this many functions are drawn (a pasted lspci can list any number); the rest are counted. */
export const MAX_DRAWN_FUNCTIONS = 1000

export interface TopologyOptions {
  /** 'auto': fold only above COLLAPSE_ABOVE groups; 'always': fold whatever is not relevant. */
  collapse?: 'auto' | 'always'
}

const PCI_ADDRESS = /\b(?:[0-9a-f]{4}:)?[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]\b/gi

export function buildTopology(facts: Facts, findings: FindingRef[], options: TopologyOptions = {}): Topology {
  const devices = knownDevices(facts)
  const guestGpus = (facts.guestGpus ?? []).filter((a) => devices.has(a))
  if (devices.size === 0) {
    const why = facts.unknown.pciDevices ?? facts.unknown.iommuGroups
    return {rows: [], functions: 0, groups: 0, hidden: {groups: 0, functions: 0}, guestGpus, empty: why?.reason ?? 'the evidence lists no PCI devices'}
  }
  const groupOf = groupIndex(facts)
  const named = namedByFindings(findings)
  const hostDisplay = hostDisplayOf(facts, [...devices.values()], guestGpus)
  const companions = companionsOf([...devices.values()], guestGpus, groupOf)
  const fns = new Map<string, TopologyFunction>()
  for (const d of devices.values()) {
    const roles: Role[] = []
    if (guestGpus.includes(d.address)) roles.push('guest-gpu')
    else if (companions.has(d.address)) roles.push('companion')
    if (d.address === hostDisplay) roles.push('host-display')
    const group = groupOf.get(d.address)
    fns.set(d.address, {
      address: d.address,
      short: d.address.startsWith('0000:') ? d.address.slice(5) : d.address,
      ...(idsOf(d) ? {ids: idsOf(d)} : {}),
      name: shortName(d),
      ...(className(d) ? {className: className(d)} : {}),
      ...(d.driver ? {driver: d.driver} : {}),
      binding: d.driver === 'vfio-pci' ? 'vfio' : d.driver ? 'host' : facts.pciDriverSource ? 'none' : 'unknown',
      bridge: isBridge(d),
      display: isDisplayDevice(d),
      ...(group !== undefined ? {group} : {}),
      roles,
      findings: [...(named.get(d.address) ?? [])].sort((a, b) => byCodePoint(a.id, b.id)),
    })
  }
  const tree = buildTree(fns)
  const groups = new Set(groupOf.values()).size
  const collapse = options.collapse ?? 'auto'
  const fold = collapse === 'always' || groups > COLLAPSE_ABOVE || fns.size > MAX_DRAWN_FUNCTIONS
  const kept = fold ? keptAddresses(tree, fns, groupOf) : undefined
  const rows: TopologyRow[] = []
  const hidden = {groups: new Set<number>(), functions: 0}
  let drawn = 0
  const walk = (node: TreeNode, depth: number, parent: number): void => {
    const index = rows.length
    if (node.kind === 'root') rows.push({kind: 'root', depth, parent: -1, domain: node.key})
    else if (node.kind === 'bus') rows.push({kind: 'bus', depth, parent, bus: node.key})
    else {
      rows.push({kind: 'function', depth, parent, fn: fns.get(node.key)!})
      drawn++
    }
    const unrelated = {groups: new Set<number>(), functions: 0}
    const overLimit = {groups: new Set<number>(), functions: 0}
    for (const child of node.children) {
      if (kept && !isKept(child, kept)) countHidden(child, groupOf, unrelated)
      else if (drawn >= MAX_DRAWN_FUNCTIONS) countHidden(child, groupOf, overLimit)
      else walk(child, depth + 1, index)
    }
    for (const [why, folded] of [['unrelated', unrelated], ['limit', overLimit]] as const) {
      if (!folded.functions) continue
      rows.push({kind: 'collapsed', depth: depth + 1, parent: index, groups: folded.groups.size, functions: folded.functions, why})
      hidden.functions += folded.functions
      for (const g of folded.groups) hidden.groups.add(g)
    }
  }
  for (const root of tree) walk(root, 0, -1)
  return {
    rows,
    functions: fns.size,
    groups,
    hidden: {groups: hidden.groups.size, functions: hidden.functions},
    guestGpus,
    ...(hostDisplay ? {hostDisplay} : {}),
  }
}

/** Every device the evidence names: the PCI list and the group listings' members. */
function knownDevices(facts: Facts): Map<string, PciDevice> {
  const devices = new Map((facts.pciDevices ?? []).map((d) => [d.address, d]))
  for (const g of facts.iommuGroups ?? []) for (const address of g.devices) if (!devices.has(address)) devices.set(address, {address})
  return new Map([...devices].sort(([a], [b]) => byCodePoint(a, b)))
}

function groupIndex(facts: Facts): Map<string, number> {
  const groupOf = new Map<string, number>()
  for (const d of facts.pciDevices ?? []) if (d.iommuGroup !== undefined) groupOf.set(d.address, d.iommuGroup)
  for (const g of facts.iommuGroups ?? []) for (const address of g.devices) groupOf.set(address, g.id)
  return groupOf
}

/** Finding ids by the addresses their subject and message name. */
function namedByFindings(findings: FindingRef[]): Map<string, FindingMark[]> {
  const named = new Map<string, FindingMark[]>()
  for (const f of findings) {
    for (const text of [f.subject ?? '', f.message]) {
      for (const match of text.match(PCI_ADDRESS) ?? []) {
        const address = normalizePciAddress(match)
        const marks = address ? (named.get(address) ?? named.set(address, []).get(address)!) : undefined
        if (marks && !marks.some((m) => m.id === f.id)) marks.push({id: f.id, severity: f.severity})
      }
    }
  }
  return named
}

/** The display device the host keeps: the boot display unless it is the guest's, else another GPU. */
function hostDisplayOf(facts: Facts, devices: PciDevice[], guests: string[]): string | undefined {
  const boot = bootVga(facts)?.address
  if (boot && !guests.includes(boot)) return boot
  return devices.find((d) => isDisplayDevice(d) && !guests.includes(d.address))?.address
}

/** The guest GPU's other functions, and every other endpoint of its group: what has to go along. */
function companionsOf(devices: PciDevice[], guests: string[], groupOf: Map<string, number>): Set<string> {
  const slots = new Set(guests.map(slotOf))
  const groups = new Set(guests.flatMap((a) => (groupOf.has(a) ? [groupOf.get(a)!] : [])))
  return new Set(
    devices
      .filter((d) => !guests.includes(d.address) && (slots.has(slotOf(d.address)) || (!isBridge(d) && groups.has(groupOf.get(d.address) ?? -1))))
      .map((d) => d.address),
  )
}

function shortName(d: PciDevice): string {
  const brackets = [...(d.name ?? '').matchAll(/\[([^\][]{1,80})\]/g)].map((m) => m[1]!)
  const model = brackets.filter((b) => !/^[0-9a-f]{4}:[0-9a-f]{4}$/i.test(b)).at(-1)
  return model ?? (d.name ? withoutMaker(d.name) : undefined) ?? className(d) ?? 'device'
}

/** The maker is in the ids and takes half the column: "Intel Corporation 200 Series PCH" -> "200 Series PCH". */
const MAKER_ENDS = [' Corporation ', ' Inc. ', ' Co., Ltd. ', ' Co., Ltd ', ' Co Ltd ', ' Ltd. ', ' Ltd ', ' GmbH ', ' AG ']

function withoutMaker(name: string): string {
  const end = Math.min(...MAKER_ENDS.map((m) => {
    const at = name.indexOf(m)
    return at < 0 || at > 40 ? Infinity : at + m.length
  }))
  return end === Infinity || end >= name.length ? name : name.slice(end)
}

function className(d: PciDevice): string | undefined {
  return d.className ?? (d.classCode ? CLASS_NAMES[d.classCode] : undefined)
}

interface TreeNode {
  kind: 'root' | 'bus' | 'function'
  /** Domain, "0000:0b" or the address. */
  key: string
  children: TreeNode[]
}

/**
 * Bus 00 hangs off the root complex. A device on another bus hangs under the bridge of its own
 * IOMMU group on the nearest lower bus when there is exactly one (a root port without ACS shares
 * its group with what is behind it); otherwise under a "bus" node, since the evidence does not say
 * which bridge leads there.
 */
function buildTree(fns: Map<string, TopologyFunction>): TreeNode[] {
  const nodes = new Map<string, TreeNode>()
  const roots = new Map<string, TreeNode>()
  const buses = new Map<string, TreeNode>()
  const rootOf = (domain: string) => roots.get(domain) ?? roots.set(domain, {kind: 'root', key: domain, children: []}).get(domain)!
  for (const address of fns.keys()) nodes.set(address, {kind: 'function', key: address, children: []})
  const bridgesByGroup = new Map<number, TopologyFunction[]>()
  for (const fn of fns.values()) if (fn.bridge && fn.group !== undefined) bridgesByGroup.set(fn.group, [...(bridgesByGroup.get(fn.group) ?? []), fn])
  for (const fn of fns.values()) {
    const [domain, bus] = fn.address.split(':') as [string, string]
    const node = nodes.get(fn.address)!
    if (bus === '00') {
      rootOf(domain).children.push(node)
      continue
    }
    const upstream = upstreamBridge(fn, bridgesByGroup.get(fn.group ?? -1) ?? [])
    if (upstream) {
      nodes.get(upstream.address)!.children.push(node)
      continue
    }
    const key = `${domain}:${bus}`
    if (!buses.has(key)) {
      const busNode: TreeNode = {kind: 'bus', key, children: []}
      buses.set(key, busNode)
      rootOf(domain).children.push(busNode)
    }
    buses.get(key)!.children.push(node)
  }
  const order = (list: TreeNode[]) => {
    list.sort((a, b) => byCodePoint(a.key, b.key))
    for (const n of list) order(n.children)
  }
  const tree = [...roots.values()]
  order(tree)
  return tree
}

function upstreamBridge(fn: TopologyFunction, bridges: TopologyFunction[]): TopologyFunction | undefined {
  const bus = (a: string) => a.split(':')[1]!
  const below = bridges.filter((b) => b.address.split(':')[0] === fn.address.split(':')[0] && bus(b.address) < bus(fn.address))
  if (below.length === 0) return undefined
  const nearest = below.reduce((best, b) => (bus(b.address) > best ? bus(b.address) : best), '')
  const candidates = below.filter((b) => bus(b.address) === nearest)
  return candidates.length === 1 ? candidates[0] : undefined
}

/**
 * What stays drawn when folding: every group that holds the guest GPU or what goes with it, the
 * host's display, any GPU or a device a finding names; every bridge on the way to them; and the
 * whole group of anything kept, so no box is drawn in part.
 */
function keptAddresses(tree: TreeNode[], fns: Map<string, TopologyFunction>, groupOf: Map<string, number>): Set<string> {
  const parents = new Map<string, string>()
  const visit = (node: TreeNode, parent?: string) => {
    if (parent !== undefined) parents.set(node.key, parent)
    for (const c of node.children) visit(c, node.key)
  }
  for (const r of tree) visit(r)
  const relevant = (fn: TopologyFunction) => fn.roles.length > 0 || fn.findings.length > 0 || fn.display
  const kept = new Set<string>()
  const byGroup = new Map<number, string[]>()
  for (const [address, g] of groupOf) byGroup.set(g, [...(byGroup.get(g) ?? []), address])
  const pending = [...fns.values()].filter(relevant).map((f) => f.address)
  while (pending.length) {
    const address = pending.pop()!
    if (kept.has(address) || !fns.has(address)) continue
    kept.add(address)
    const g = groupOf.get(address)
    if (g !== undefined) pending.push(...(byGroup.get(g) ?? []))
    const parent = parents.get(address)
    if (parent && fns.has(parent)) pending.push(parent)
  }
  return kept
}

function isKept(node: TreeNode, kept: Set<string>): boolean {
  return node.kind === 'function' ? kept.has(node.key) || node.children.some((c) => isKept(c, kept)) : node.children.some((c) => isKept(c, kept))
}

function countHidden(node: TreeNode, groupOf: Map<string, number>, into: {groups: Set<number>; functions: number}): void {
  if (node.kind === 'function') {
    into.functions++
    const g = groupOf.get(node.key)
    if (g !== undefined) into.groups.add(g)
  }
  for (const c of node.children) countHidden(c, groupOf, into)
}

/** Names are cut here: a column as wide as the longest lspci name would push the rest off the page. */
const NAME_MAX = 40

export function cutName(text: string): string {
  const chars = [...text]
  return chars.length > NAME_MAX ? `${chars.slice(0, NAME_MAX - 1).join('')}…` : text
}

/** The same topology with every free text (names, classes, drivers) passed through `map`: redaction. */
export function mapTopologyText(t: Topology, map: (text: string) => string): Topology {
  return {
    ...t,
    rows: t.rows.map((r) =>
      r.kind === 'function'
        ? {...r, fn: {...r.fn, name: map(r.fn.name), ...(r.fn.className ? {className: map(r.fn.className)} : {}), ...(r.fn.driver ? {driver: map(r.fn.driver)} : {})}}
        : r,
    ),
  }
}
