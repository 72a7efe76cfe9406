// A table ({header, rows} of strings) for the terminal and for Markdown.

const widths = ({header, rows}) => header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)))

export function printTable(table) {
  const width = widths(table)
  const line = (cells) => cells.map((cell, i) => cell.padEnd(width[i])).join('  ').trimEnd()
  console.log([table.header, ...table.rows].map(line).join('\n'))
}

const escapeCell = (cell) => cell.replaceAll('|', '\\|')

export function markdownTable({header, rows}) {
  const line = (cells) => `| ${cells.map(escapeCell).join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}
