/**
 * The topology as an SVG picture: an indented tree (root complex, bridges, functions) read top to
 * bottom, each IOMMU group a box around its rows, each function a node with its address, ids, name
 * and driver. Colour says the driver (vfio-pci, a host driver, none) and a shape says it again
 * (diamond, disc, ring, question mark) so the picture reads in grey print and without colour vision.
 * Hand-laid: rows are a fixed height and columns are counted in monospace characters, so the same
 * topology gives the same bytes and 1,000 groups lay out in milliseconds (docs/DESIGN.md says why
 * no layout library).
 */
import type {Severity} from '../../engine/types.js'
import {xmlAttr, xmlText} from '../xml-text.js'
import {cutName, MAX_DRAWN_FUNCTIONS, type Binding, type Topology, type TopologyFunction, type TopologyRow} from './model.js'

const FONT = 'DejaVu Sans Mono, Menlo, Consolas, monospace'
/** Width of a character of FONT at 12 px, rounded up so text never overruns its column. */
const CH = 7.4
const ROW = 28
const NODE = 20
const INDENT = 24
const PAD = 16
const HEADER = 76

const BINDING: Record<Binding, {fill: string; stroke: string; label: (fn: TopologyFunction) => string; words: string}> = {
  vfio: {fill: '#e2f3df', stroke: '#2e7d32', label: () => 'vfio-pci', words: 'vfio-pci'},
  host: {fill: '#e1eafa', stroke: '#1f5fbf', label: (fn) => fn.driver ?? '', words: 'a host driver'},
  none: {fill: '#f1f1f1', stroke: '#7a7a7a', label: () => 'no driver', words: 'no driver'},
  unknown: {fill: '#ffffff', stroke: '#7a7a7a', label: () => 'driver ?', words: 'driver not shown'},
}

const ROLE = {
  'guest-gpu': {text: 'GUEST GPU', fill: '#c62828'},
  companion: {text: 'GOES WITH GUEST', fill: '#e65100'},
  'host-display': {text: 'HOST DISPLAY', fill: '#6a1b9a'},
} as const

const SEVERITY: Record<Severity, {fill: string; mark: string}> = {
  error: {fill: '#b71c1c', mark: '✖'},
  warning: {fill: '#8a5a00', mark: '▲'},
  info: {fill: '#37474f', mark: 'i'},
}

interface Badge {
  text: string
  fill: string
}

const px = (n: number) => String(Math.round(n))
const textWidth = (text: string, size = 12) => [...text].length * CH * (size / 12)

export function renderTopologySvg(t: Topology): string {
  if (t.rows.length === 0) return emptySvg(t.empty ?? 'nothing to draw')
  const fns = t.rows.flatMap((r) => (r.kind === 'function' ? [r.fn] : []))
  const maxDepth = Math.max(...t.rows.map((r) => r.depth))
  const badgesOf = (fn: TopologyFunction): Badge[] => [
    ...fn.roles.map((r) => ({text: ROLE[r].text, fill: ROLE[r].fill})),
    ...fn.findings.map((f) => ({text: `${SEVERITY[f.severity].mark} ${f.id}`, fill: SEVERITY[f.severity].fill})),
  ]
  const badgeWidth = (b: Badge) => textWidth(b.text, 11) + 10
  const badgesWidth = (fn: TopologyFunction) => badgesOf(fn).reduce((w, b) => w + badgeWidth(b) + 4, 0)
  // Columns after the deepest indent, so every row's ids, name and driver line up.
  const col = {
    ids: PAD + maxDepth * INDENT + 22 + Math.max(...fns.map((f) => textWidth(f.short)), textWidth('00:00.0')) + 12,
    name: 0,
    driver: 0,
    badges: 0,
    right: 0,
  }
  col.name = col.ids + textWidth('0000:0000') + 12
  col.driver = col.name + Math.max(...fns.map((f) => textWidth(cutName(f.name))), textWidth('name')) + 12
  col.badges = col.driver + Math.max(...fns.map((f) => textWidth(BINDING[f.binding].label(f))), textWidth('no driver')) + 12
  col.right = col.badges + Math.max(0, ...fns.map(badgesWidth)) + 4
  const groupLabel = Math.max(0, ...fns.map((f) => (f.group === undefined ? 0 : textWidth(`group ${f.group}`, 11)))) + 14
  const boxRight = col.right + groupLabel
  const legend = legendItems()
  const legendWidth = legend.reduce((w, item) => w + item.width + 14, 0)
  const width = Math.ceil(Math.max(boxRight + PAD, legendWidth + 2 * PAD, textWidth(summary(t), 12) + 2 * PAD))
  const height = HEADER + t.rows.length * ROW + PAD
  const rowTop = (i: number) => HEADER + i * ROW
  const indentX = (r: TopologyRow) => PAD + r.depth * INDENT

  const out: string[] = []
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="vfio-topology" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="vd-title vd-desc" font-family="${FONT}" font-size="12">`,
    `<title id="vd-title">PCI topology and IOMMU groups</title>`,
    `<desc id="vd-desc">${xmlText(summary(t))}</desc>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${PAD}" y="${PAD + 12}" font-size="15" font-weight="bold" fill="#111111">PCI topology and IOMMU groups</text>`,
    `<text x="${PAD}" y="${PAD + 30}" fill="#333333">${xmlText(summary(t))}</text>`,
  )
  let x = PAD
  for (const item of legend) {
    out.push(`<g class="legend" transform="translate(${px(x)},${PAD + 46})">${item.svg}</g>`)
    x += item.width + 14
  }

  // IOMMU groups: a box around each run of consecutive rows of one group.
  const seen = new Set<number>()
  for (let i = 0; i < t.rows.length; ) {
    const r = t.rows[i]!
    const group = r.kind === 'function' ? r.fn.group : undefined
    if (group === undefined) {
      i++
      continue
    }
    let end = i
    while (end + 1 < t.rows.length && rowGroup(t.rows[end + 1]!) === group) end++
    const left = Math.min(...t.rows.slice(i, end + 1).map(indentX)) - 6
    const guest = t.rows.slice(i, end + 1).some((row) => row.kind === 'function' && row.fn.roles.length > 0 && !row.fn.roles.every((role) => role === 'host-display'))
    const label = `group ${group}${seen.has(group) ? ' (cont.)' : ''}`
    seen.add(group)
    out.push(
      `<g class="group" data-group="${group}">`,
      `<rect class="group-box" data-group="${group}" x="${px(left)}" y="${px(rowTop(i) + 1)}" width="${px(boxRight - left)}" height="${px((end - i + 1) * ROW - 2)}" rx="6" fill="${guest ? '#fff5f5' : '#fafafa'}" stroke="${guest ? '#c62828' : '#8c8c8c'}" stroke-width="${guest ? 2 : 1}" stroke-dasharray="${guest ? 'none' : '5 3'}"/>`,
      `<text x="${px(boxRight - 7)}" y="${px(rowTop(i) + ROW / 2 + 4)}" text-anchor="end" font-size="11" fill="${guest ? '#c62828' : '#555555'}">${label}</text>`,
      `</g>`,
    )
    i = end + 1
  }

  // The tree's connectors, one path: down from each parent's marker, across to each child.
  const path: string[] = []
  t.rows.forEach((r, i) => {
    if (r.parent < 0) return
    const parent = t.rows[r.parent]!
    const from = indentX(parent) + 10
    const mid = rowTop(i) + ROW / 2
    path.push(`M${px(from)} ${px(rowTop(r.parent) + (ROW + NODE) / 2)}V${px(mid)}H${px(indentX(r))}`)
  })
  if (path.length) out.push(`<path class="tree" d="${path.join('')}" fill="none" stroke="#9e9e9e" stroke-width="1"/>`)

  t.rows.forEach((r, i) => {
    const x0 = indentX(r)
    const y = rowTop(i) + (ROW - NODE) / 2
    const base = y + NODE / 2 + 4
    if (r.kind === 'root') {
      const text = `PCI domain ${r.domain} · root complex`
      out.push(`<g class="root"><rect x="${x0}" y="${px(y)}" width="${px(textWidth(text) + 16)}" height="${NODE}" rx="3" fill="#424242"/><text x="${x0 + 8}" y="${px(base)}" fill="#ffffff">${xmlText(text)}</text></g>`)
    } else if (r.kind === 'bus') {
      const text = `bus ${r.bus.slice(5)} · behind a bridge the evidence does not name`
      out.push(`<g class="bus"><rect x="${x0}" y="${px(y)}" width="${px(textWidth(text) + 16)}" height="${NODE}" rx="3" fill="#ffffff" stroke="#616161" stroke-dasharray="3 2"/><text x="${x0 + 8}" y="${px(base)}" fill="#424242">${xmlText(text)}</text></g>`)
    } else if (r.kind === 'collapsed') {
      const what = r.groups ? `${r.groups} more group${r.groups === 1 ? '' : 's'} (${r.functions} function${r.functions === 1 ? '' : 's'})` : `${r.functions} more function${r.functions === 1 ? '' : 's'}`
      const text = `+ ${what}: ${r.why === 'limit' ? `not drawn, the picture stops at ${MAX_DRAWN_FUNCTIONS} functions` : 'nothing for the guest, no finding'}`
      out.push(`<g class="collapsed"><text x="${x0 + 4}" y="${px(base)}" font-style="italic" fill="#555555">${xmlText(text)}</text></g>`)
    } else out.push(functionNode(r.fn, x0, y, base, col, badgesOf(r.fn), badgeWidth))
  })
  out.push('</svg>')
  return out.join('\n') + '\n'
}

function rowGroup(r: TopologyRow): number | undefined {
  return r.kind === 'function' ? r.fn.group : undefined
}

function functionNode(fn: TopologyFunction, x0: number, y: number, base: number, col: {ids: number; name: number; driver: number; badges: number; right: number}, badges: Badge[], badgeWidth: (b: Badge) => number): string {
  const b = BINDING[fn.binding]
  const guest = fn.roles.includes('guest-gpu')
  const tip = [fn.address, fn.className, fn.ids && `[${fn.ids}]`, fn.name, `driver: ${fn.driver ?? b.words}`, fn.group !== undefined ? `IOMMU group ${fn.group}` : 'no IOMMU group known']
  const parts = [
    `<g class="fn" data-address="${xmlAttr(fn.address)}"${fn.group !== undefined ? ` data-group="${fn.group}"` : ''} data-binding="${fn.binding}" data-roles="${fn.roles.join(' ')}" data-findings="${xmlAttr(fn.findings.map((f) => f.id).join(' '))}">`,
    `<title>${xmlText(tip.filter(Boolean).join(' · '))}</title>`,
    `<rect x="${x0}" y="${px(y)}" width="${px(col.right - x0)}" height="${NODE}" rx="3" fill="${b.fill}" stroke="${guest ? '#c62828' : b.stroke}" stroke-width="${guest ? 3 : 1}"${fn.binding === 'unknown' || fn.binding === 'none' ? ' stroke-dasharray="4 2"' : ''}/>`,
    marker(fn.binding, x0 + 10, y + NODE / 2),
    `<text x="${px(x0 + 22)}" y="${px(base)}" font-weight="${fn.bridge ? 'normal' : 'bold'}" fill="#111111">${xmlText(fn.short)}</text>`,
    `<text x="${px(col.ids)}" y="${px(base)}" fill="#333333">${xmlText(fn.ids ?? '')}</text>`,
    `<text x="${px(col.name)}" y="${px(base)}" fill="#111111">${xmlText(cutName(fn.name))}</text>`,
    `<text x="${px(col.driver)}" y="${px(base)}" fill="${b.stroke}" font-weight="bold">${xmlText(b.label(fn))}</text>`,
  ]
  let x = col.badges
  for (const badge of badges) {
    const w = badgeWidth(badge)
    parts.push(`<g class="badge"><rect x="${px(x)}" y="${px(y + 2)}" width="${px(w)}" height="${NODE - 4}" rx="8" fill="${badge.fill}"/><text x="${px(x + 5)}" y="${px(base - 1)}" font-size="11" font-weight="bold" fill="#ffffff">${xmlText(badge.text)}</text></g>`)
    x += w + 4
  }
  parts.push('</g>')
  return parts.join('')
}

/** The driver's shape, so colour is never the only cue. */
function marker(binding: Binding, cx: number, cy: number): string {
  const {stroke} = BINDING[binding]
  switch (binding) {
    case 'vfio':
      return `<path d="M${px(cx)} ${px(cy - 6)}L${px(cx + 6)} ${px(cy)}L${px(cx)} ${px(cy + 6)}L${px(cx - 6)} ${px(cy)}Z" fill="${stroke}"/>`
    case 'host':
      return `<circle cx="${px(cx)}" cy="${px(cy)}" r="5" fill="${stroke}"/>`
    case 'none':
      return `<circle cx="${px(cx)}" cy="${px(cy)}" r="4.5" fill="#ffffff" stroke="${stroke}" stroke-width="2"/>`
    case 'unknown':
      return `<text x="${px(cx)}" y="${px(cy + 4)}" text-anchor="middle" font-weight="bold" fill="${stroke}">?</text>`
  }
}

function legendItems(): Array<{svg: string; width: number}> {
  const item = (shape: string, text: string) => ({svg: `${shape}<text x="16" y="4" fill="#333333">${xmlText(text)}</text>`, width: 16 + textWidth(text)})
  const badge = (text: string, fill: string) => ({svg: `<rect x="0" y="-8" width="${px(textWidth(text, 11) + 10)}" height="16" rx="8" fill="${fill}"/><text x="5" y="4" font-size="11" font-weight="bold" fill="#ffffff">${xmlText(text)}</text>`, width: textWidth(text, 11) + 10})
  return [
    item(marker('vfio', 6, 0), 'vfio-pci'),
    item(marker('host', 6, 0), 'host driver'),
    item(marker('none', 6, 0), 'no driver'),
    item(marker('unknown', 6, 0), 'driver not shown'),
    item(`<rect x="0" y="-7" width="12" height="14" rx="3" fill="none" stroke="#8c8c8c" stroke-dasharray="3 2"/>`, 'IOMMU group'),
    badge(ROLE['guest-gpu'].text, ROLE['guest-gpu'].fill),
    badge(ROLE.companion.text, ROLE.companion.fill),
    badge(ROLE['host-display'].text, ROLE['host-display'].fill),
    badge(`${SEVERITY.error.mark} finding`, SEVERITY.error.fill),
  ]
}

function summary(t: Topology): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
  const parts = [t.groups ? `${plural(t.functions, 'function')} in ${plural(t.groups, 'IOMMU group')}` : `${plural(t.functions, 'function')}; the evidence shows no IOMMU groups`]
  parts.push(t.guestGpus.length ? `guest GPU ${t.guestGpus.join(', ')}` : 'no guest GPU known')
  if (t.hostDisplay) parts.push(`host display ${t.hostDisplay}`)
  if (t.hidden.functions) parts.push(`${plural(t.hidden.functions, 'function')} folded into counts`)
  return parts.join(' · ')
}


function emptySvg(reason: string): string {
  const text = `No PCI topology to draw: ${reason}`
  const width = Math.ceil(textWidth(text) + 2 * PAD)
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="vfio-topology" width="${width}" height="56" viewBox="0 0 ${width} 56" role="img" aria-labelledby="vd-title" font-family="${FONT}" font-size="12">`,
    `<title id="vd-title">PCI topology and IOMMU groups</title>`,
    `<rect x="0" y="0" width="${width}" height="56" fill="#ffffff"/>`,
    `<text x="${PAD}" y="32" fill="#333333">${xmlText(text)}</text>`,
    '</svg>',
  ].join('\n') + '\n'
}
