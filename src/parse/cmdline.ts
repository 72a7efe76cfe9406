import type {CmdlineFacts} from '../facts/types.js'

/**
 * A kernel command line. Quoted values keep their spaces (`dyndbg="file x +p"`); a repeated key's
 * last value wins for lookups, the way most kernel parameters behave.
 */
export function parseCmdline(text: string): CmdlineFacts {
  const raw = firstNonEmptyLine(text)
  const params: CmdlineFacts['params'] = []
  const last = new Map<string, string | true>()
  for (const word of splitWords(raw)) {
    if (word === '--') break // the rest is for init
    const eq = word.indexOf('=')
    const key = eq < 0 ? word : word.slice(0, eq)
    const value = eq < 0 ? undefined : unquote(word.slice(eq + 1))
    params.push(value === undefined ? {key} : {key, value})
    last.set(key, value ?? true)
  }
  return {raw, params, last}
}

/** The kernel keeps a few KB of command line (COMMAND_LINE_SIZE); anything longer is not one, and is cut. */
const MAX_CMDLINE = 64 * 1024

function firstNonEmptyLine(text: string): string {
  const line = text.replace(/\u0000/g, ' ').split(/\r?\n/).find((l) => l.trim() !== '') ?? ''
  // Accept a pasted dmesg line too: "Kernel command line: BOOT_IMAGE=..."
  return unwrapGrubLine(line.slice(0, MAX_CMDLINE).replace(/^.*?(?:Kernel )?[Cc]ommand line:\s*/, ''))
}

/**
 * The parameters of a line as people paste it from /etc/default/grub, in Markdown or not:
 * `GRUB_CMDLINE_LINUX_DEFAULT="quiet splash intel_iommu=on"` -> quiet splash intel_iommu=on.
 */
export function unwrapGrubLine(line: string): string {
  const bare = line.trim().replace(/^`(.*)`$/, '$1').trim()
  const grub = /^(?:(?:export\s+)?GRUB_CMDLINE_LINUX(?:_DEFAULT)?\s*=\s*)?(["']?)(.*)\1$/.exec(bare)
  return (grub ? grub[2]! : bare).trim()
}

function splitWords(line: string): string[] {
  const words: string[] = []
  let current = ''
  let quoted = false
  for (const ch of line) {
    if (ch === '"') quoted = !quoted
    if (!quoted && /\s/.test(ch)) {
      if (current) words.push(current)
      current = ''
    } else current += ch
  }
  if (current) words.push(current)
  return words
}

function unquote(value: string): string {
  return value.replace(/"/g, '')
}

/** vfio-pci.ids from a command line, lower-cased: ["10de:1b81", "10de:10f0"]. */
export function vfioIdsOf(cmdline: CmdlineFacts): string[] {
  const value = cmdline.last.get('vfio-pci.ids') ?? cmdline.last.get('vfio_pci.ids')
  return typeof value === 'string' ? splitIds(value) : []
}

export function splitIds(value: string): string[] {
  return value
    .split(',')
    .map((id) => id.trim().toLowerCase())
    .filter(Boolean)
}
