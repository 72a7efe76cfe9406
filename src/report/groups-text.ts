/** The IOMMU groups on a terminal: a table when it is wide enough, each device on its own lines when not. */
import stringWidth from 'string-width'
import type {GroupDevice, GroupsResult, GroupVerdict} from './groups.js'
import {makeStyle, type Style} from './style.js'
import {wrapLines} from '../util/wrap.js'

export interface GroupsTextOptions {
  color: boolean
  /** Terminal columns. */
  width: number
}

/** Below this the table's seven columns leave its names a few letters a line. */
const TABLE_MIN_WIDTH = 100

export async function renderGroups(result: GroupsResult, options: GroupsTextOptions): Promise<string> {
  if (result.groups.length === 0) return `No IOMMU groups: ${result.reason ?? 'none found'}.\n`
  const s = makeStyle(options.color)
  return options.width >= TABLE_MIN_WIDTH ? renderTable(result.groups, options, s) : renderList(result.groups, options.width, s)
}

/** One row a device, the verdict under each group. */
async function renderTable(groups: GroupVerdict[], options: GroupsTextOptions, s: Style): Promise<string> {
  const {default: Table} = await import('cli-table3')
  const head = ['group', 'address', 'class', 'vendor:device', 'name', 'driver', 'reset']
  const table = new Table({
    head,
    style: options.color ? {head: ['cyan'], border: ['grey']} : {head: [], border: []},
    wordWrap: true,
    colWidths: columnWidths(options.width, groups),
  })
  for (const g of groups) {
    g.devices.forEach((d, i) => {
      const row: Array<string | {content: string; rowSpan: number; vAlign: 'top'}> = []
      if (i === 0) row.push({content: String(g.id), rowSpan: g.devices.length, vAlign: 'top'})
      row.push(address(d, s), d.className ?? '', d.ids ?? '', d.name ?? '', d.driver ?? '', d.resetMethods?.join(',') ?? '')
      table.push(row)
    })
    table.push([{colSpan: head.length, content: verdictLine(g, s)}])
  }
  return table.toString() + '\n'
}

/**
 * Fixed columns narrow, the name column as wide as the longest name, up to what is left; each
 * column's width counts its padding, the borders come on top.
 */
function columnWidths(width: number, groups: GroupVerdict[]): number[] {
  const [group, address, cls, ids, driver, reset] = [7, 14, 16, 15, 12, 10]
  const borders = 8
  const longest = Math.max(...groups.flatMap((g) => g.devices.map((d) => stringWidth(d.name ?? '')))) + 2
  const name = Math.max(12, Math.min(longest, width - (group + address + cls + ids + driver + reset) - borders))
  return [group, address, cls, ids, name, driver, reset]
}

/** Each group: its verdict, then each device on its own lines (address, class, ids, driver; its name under them). */
function renderList(groups: GroupVerdict[], width: number, s: Style): string {
  const out: string[] = []
  for (const g of groups) {
    out.push(...wrapLines(verdictLine(g, s), width, '', '    '))
    for (const d of g.devices) {
      const driver = [d.driver && `driver ${d.driver}`, d.resetMethods && `reset ${d.resetMethods.join(',')}`].filter(Boolean)
      out.push(...wrapLines([address(d, s), d.className, d.ids, ...driver].filter(Boolean).join('  '), width, '  ', '    '))
      if (d.name) out.push(...wrapLines(d.name, width, '    '))
    }
    out.push('')
  }
  return out.join('\n')
}

function address(d: GroupDevice, s: Style): string {
  return d.gpu ? s.bold(d.address) : d.address
}

/** "group N: verdict", red when a GPU shares its group, green when it can go whole, yellow for the boot GPU. */
function verdictLine(g: GroupVerdict, s: Style): string {
  const color = g.kind === 'shared' && g.hasGpu ? s.red : g.kind === 'alone' && !g.bootGpu ? s.green : g.bootGpu ? s.yellow : s.dim
  return color(`group ${g.id}: ${g.verdict}`)
}
