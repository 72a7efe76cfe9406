/**
 * /etc/modprobe.d/*.conf (and boot.extraModprobeConfig text), read the way kmod reads it:
 * a trailing backslash joins the next line, a line whose first non-blank is `#` is a comment,
 * and a `#` later in a line is NOT a comment (kmod hands it to the module as a parameter).
 * Module names are kept as written; compare them with moduleKey() ('-' and '_' are the same).
 */

export interface ModprobeConfig {
  options: Array<{module: string; params: Record<string, string>; origin: string; line: number}>
  softdeps: Array<{module: string; pre: string[]; post: string[]; origin: string; line: number}>
  blacklist: Array<{module: string; origin: string; line: number}>
  /** `install MODULE /bin/false` style disabling. */
  installs: Array<{module: string; command: string; origin: string; line: number}>
  /** Lines modprobe would reject or misread, with their line numbers. */
  warnings?: string[]
}

/** The name modprobe looks a module up by: dashes and underscores are interchangeable. */
export function moduleKey(name: string): string {
  return name.replace(/-/g, '_')
}

/** Commands kmod knows that carry nothing for these checks. */
const IGNORED_COMMANDS = new Set(['alias', 'remove', 'weakdep', 'include', 'config'])
const MAX_WARNINGS = 50

type Warn = (line: number, message: string) => void

interface LogicalLine {
  text: string
  line: number
}

export function parseModprobe(text: string, origin: string): ModprobeConfig {
  const config: ModprobeConfig = {options: [], softdeps: [], blacklist: [], installs: [], warnings: []}
  const warnings = config.warnings!
  const warn: Warn = (line, message) => {
    if (warnings.length < MAX_WARNINGS) warnings.push(`line ${line}: ${message}`)
  }
  for (const {text: content, line} of logicalLines(text)) {
    const trimmed = content.trim()
    if (trimmed !== '' && !trimmed.startsWith('#')) readCommand(config, trimmed, {origin, line}, warn)
  }
  return config
}

function readCommand(config: ModprobeConfig, text: string, at: {origin: string; line: number}, warn: Warn): void {
  const [command = '', module, ...rest] = text.split(/[ \t]+/)
  if (IGNORED_COMMANDS.has(command)) return
  if (!['options', 'softdep', 'blacklist', 'install'].includes(command)) {
    warn(at.line, `unknown command '${command.slice(0, 40)}' (modprobe ignores the line)`)
    return
  }
  if (module === undefined) {
    warn(at.line, `'${command}' without a module name`)
    return
  }
  if (command === 'blacklist') config.blacklist.push({module, ...at})
  else if (command === 'install') config.installs.push({module, command: afterWords(text, 2), ...at})
  else if (command === 'options') config.options.push({module, params: readParams(afterWords(text, 2), at.line, warn), ...at})
  else config.softdeps.push({module, ...readSoftdep(rest, at.line, warn), ...at})
}

/** `pre: a b post: c` */
function readSoftdep(words: string[], line: number, warn: Warn): {pre: string[]; post: string[]} {
  const pre: string[] = []
  const post: string[] = []
  let target: string[] | undefined
  for (const word of words) {
    if (word === 'pre:') target = pre
    else if (word === 'post:') target = post
    else if (target) target.push(word)
    else warn(line, `softdep module '${word.slice(0, 40)}' before any 'pre:' or 'post:'`)
  }
  return {pre, post}
}

/** `key=value` words; double quotes group spaces as the kernel's parameter parser does. */
function readParams(text: string, line: number, warn: Warn): Record<string, string> {
  const params = new Map<string, string>()
  for (const word of splitQuoted(text)) {
    if (word.startsWith('#')) warn(line, "'#' inside a line is not a comment for modprobe; the module gets it as a parameter")
    const eq = word.indexOf('=')
    params.set(eq < 0 ? word : word.slice(0, eq), eq < 0 ? '' : unquote(word.slice(eq + 1)))
  }
  // fromEntries defines own properties, so even a parameter named __proto__ stays data.
  return Object.fromEntries(params)
}

function splitQuoted(text: string): string[] {
  const words: string[] = []
  let current = ''
  let quoted = false
  for (const c of text) {
    if (c === '"') quoted = !quoted
    if ((c === ' ' || c === '\t') && !quoted) {
      if (current !== '') words.push(current)
      current = ''
    } else {
      current += c
    }
  }
  if (current !== '') words.push(current)
  return words
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value
}

/** The text after the first `count` blank-separated words. */
function afterWords(text: string, count: number): string {
  const word = /[^ \t]+[ \t]*/y
  for (let n = 0; n < count; n++) {
    if (word.exec(text) === null) return ''
  }
  return text.slice(word.lastIndex).trim()
}

/** Physical lines joined at trailing backslashes; each logical line keeps its first line number. */
function logicalLines(text: string): LogicalLine[] {
  const physical = text.split('\n')
  const lines: LogicalLine[] = []
  let pending: LogicalLine | undefined
  physical.forEach((raw, index) => {
    const content = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    const continued = content.endsWith('\\')
    const piece = continued ? content.slice(0, -1) : content
    if (pending) pending.text += piece
    else pending = {text: piece, line: index + 1}
    if (!continued) {
      lines.push(pending)
      pending = undefined
    }
  })
  if (pending) lines.push(pending)
  return lines
}
