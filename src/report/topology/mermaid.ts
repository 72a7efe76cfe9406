/**
 * The guest GPU's IOMMU group and its neighbours as a Mermaid flowchart, for Markdown reports
 * (GitHub and Discourse draw ```mermaid blocks): the bridge or bus it hangs from, the group's
 * functions, and the other groups on the same parent, a few at most.
 */
import {cutName, type Topology, type TopologyFunction, type TopologyRow} from './model.js'

/** Neighbour groups drawn; the rest are one "+N more" node. */
const MAX_NEIGHBOURS = 5

const DRIVER_WORDS = {vfio: 'vfio-pci', host: '', none: 'no driver', unknown: 'driver not shown'} as const
const ROLE_WORDS = {'guest-gpu': 'GUEST GPU', companion: 'goes with the guest', 'host-display': 'HOST DISPLAY'} as const

/** Undefined when no guest GPU is known or its group is not. */
export function renderGuestGroupMermaid(t: Topology): string | undefined {
  const rows = t.rows
  const guestRows = rows.flatMap((r, i) => (r.kind === 'function' && r.fn.roles.includes('guest-gpu') && r.fn.group !== undefined ? [i] : []))
  if (guestRows.length === 0) return undefined
  const lines = ['flowchart TB']
  const classes = new Map<string, string[]>()
  const classed = (id: string, cls: string) => classes.set(cls, [...(classes.get(cls) ?? []), id])
  const drawnGroups = new Set<number>()
  const drawnParents = new Set<number>()
  let n = 0
  for (const guestRow of guestRows) {
    const group = (rows[guestRow] as Extract<TopologyRow, {kind: 'function'}>).fn.group!
    if (drawnGroups.has(group)) continue
    drawnGroups.add(group)
    const members = rows.flatMap((r, i) => (r.kind === 'function' && r.fn.group === group ? [i] : []))
    // The group hangs from the parent of its topmost row (a root port outside it, a bus, the root complex).
    const top = members.reduce((best, i) => (rows[i]!.depth < rows[best]!.depth ? i : best), members[0]!)
    const parentIndex = rows[top]!.parent
    const groupId = `g${group}`
    lines.push(`  subgraph ${groupId}["IOMMU group ${group}"]`)
    for (const i of members) {
      const fn = (rows[i] as Extract<TopologyRow, {kind: 'function'}>).fn
      const id = `f${n++}`
      lines.push(`    ${id}["${mermaidLabel(functionWords(fn))}"]`)
      classed(id, fn.binding)
      if (fn.roles.includes('guest-gpu')) classed(id, 'guest')
    }
    lines.push('  end')
    if (parentIndex < 0) continue
    const parentId = `p${parentIndex}`
    if (!drawnParents.has(parentIndex)) {
      drawnParents.add(parentIndex)
      lines.push(`  ${parentId}["${mermaidLabel(rowWords(rows[parentIndex]!))}"]`)
    }
    lines.push(`  ${parentId} --> ${groupId}`)
    // Neighbours: the other groups (or ungrouped functions) hanging from the same parent.
    const neighbours = new Map<string, TopologyFunction[]>()
    for (const [i, r] of rows.entries()) {
      if (r.parent !== parentIndex || r.kind !== 'function' || r.fn.group === group) continue
      const key = r.fn.group === undefined ? `f:${i}` : `g:${r.fn.group}`
      neighbours.set(key, [...(neighbours.get(key) ?? []), r.fn])
    }
    const ranked = [...neighbours.values()].sort((a, b) => weight(b) - weight(a))
    for (const fns of ranked.slice(0, MAX_NEIGHBOURS)) {
      const id = `n${n++}`
      const first = fns[0]!
      const more = fns.length > 1 ? ` (+${fns.length - 1} more)` : ''
      lines.push(`  ${id}["${mermaidLabel(`${first.group !== undefined ? `group ${first.group}: ` : ''}${functionWords(first)}${more}`)}"]`)
      lines.push(`  ${parentId} --> ${id}`)
      classed(id, first.binding)
    }
    if (ranked.length > MAX_NEIGHBOURS) {
      const id = `n${n++}`
      lines.push(`  ${id}["+${ranked.length - MAX_NEIGHBOURS} more on ${mermaidLabel(rowWords(rows[parentIndex]!).split(' · ')[0]!)}"]`)
      lines.push(`  ${parentId} -.-> ${id}`)
    }
  }
  lines.push(
    '  classDef vfio fill:#e2f3df,stroke:#2e7d32',
    '  classDef host fill:#e1eafa,stroke:#1f5fbf',
    '  classDef none fill:#f1f1f1,stroke:#7a7a7a,stroke-dasharray:4 2',
    '  classDef unknown fill:#ffffff,stroke:#7a7a7a,stroke-dasharray:4 2',
    '  classDef guest stroke:#c62828,stroke-width:3px',
  )
  for (const [cls, ids] of classes) lines.push(`  class ${ids.join(',')} ${cls}`)
  return lines.join('\n')
}

/** Groups with a role or a finding first, then the nearest by address (already in row order). */
function weight(fns: TopologyFunction[]): number {
  return fns.some((f) => f.roles.length || f.findings.length) ? 1 : 0
}

function functionWords(fn: TopologyFunction): string {
  const driver = fn.binding === 'host' ? fn.driver! : DRIVER_WORDS[fn.binding]
  return [fn.short, fn.ids, cutName(fn.name), driver, ...fn.roles.map((r) => ROLE_WORDS[r]), ...fn.findings.map((f) => `${f.severity}: ${f.id}`)].filter(Boolean).join(' · ')
}

function rowWords(r: TopologyRow): string {
  switch (r.kind) {
    case 'root':
      return `PCI domain ${r.domain} · root complex`
    case 'bus':
      return `bus ${r.bus.slice(5)} · its bridge is not in the evidence`
    case 'collapsed':
      return `${r.groups} more groups`
    case 'function':
      return functionWords(r.fn)
  }
}

/** Text inside a quoted Mermaid label: quotes, markup and entity starts become Mermaid's #codes;. */
export function mermaidLabel(text: string): string {
  return text.replace(/[\n\r]/g, ' ').replace(/[#"&<>`]/g, (c) => `#${c.codePointAt(0)};`)
}
