/**
 * The kernel-log lines the facts are made from, kept as data: knowledge/kernel-log.signals.yaml
 * (its header says what each field means). This file only compiles them.
 */
import type {KernelSignalKind} from '../kernel-log.js'
import {readDataFile} from '../../knowledge/data-file.js'
import type {LineSearch} from '../line-finder.js'

export interface Rule {
  kind: KernelSignalKind
  /** Lower-case fragments; the pattern only runs on a line that contains one of them. */
  keys: string[]
  pattern: RegExp
  /** Also on userspace lines of a journal capture (systemd-modules-load, libvirtd, qemu). */
  userspace?: true
  data?: (m: RegExpExecArray, text: string) => Record<string, string> | undefined
}

/** One entry of knowledge/kernel-log.signals.yaml. */
export interface SignalEntry {
  signal: KernelSignalKind
  keys: string[]
  pattern: string
  flags?: string
  address?: boolean
  set?: Record<string, string>
  lowercase?: boolean
  userspace?: boolean
  example: string
}

export const SIGNALS_FILE = 'knowledge/kernel-log.signals.yaml'

const PCI_ADDRESS = /\b[0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]\b/i

export const signalEntries = (): SignalEntry[] => readDataFile<SignalEntry[]>(SIGNALS_FILE)

/** An entry as a rule: named groups, the line's PCI address and constants make its data. A malformed entry throws: it is a bug in the data. */
export function toRule(e: SignalEntry, i: number): Rule {
  if (typeof e?.signal !== 'string' || typeof e.pattern !== 'string' || !Array.isArray(e.keys) || !e.keys.length) throw new Error(`${SIGNALS_FILE} entry ${i + 1}: needs signal, keys and pattern`)
  const rule: Rule = {kind: e.signal, keys: e.keys, pattern: new RegExp(e.pattern, e.flags ?? '')}
  if (e.userspace) rule.userspace = true
  const makesData = e.address || e.set || /\(\?<[A-Za-z]/.test(e.pattern)
  if (makesData) {
    rule.data = (m, text) => {
      const data: Record<string, string> = {...e.set}
      if (e.address) {
        const address = PCI_ADDRESS.exec(text)?.[0]
        if (address) data.address = address
      }
      for (const [name, value] of Object.entries(m.groups ?? {})) if (value !== undefined) data[name] = e.lowercase ? value.trim().toLowerCase() : value.trim()
      return Object.keys(data).length ? data : undefined
    }
  }
  return rule
}

export const RULES: Rule[] = signalEntries().map(toRule)

const BY_KEY = new Map<string, Rule[]>()
for (const rule of RULES) for (const key of rule.keys) BY_KEY.set(key, [...(BY_KEY.get(key) ?? []), rule])

const escaped = (words: string[]) => words.map((k) => k.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))

/** Any key. Restarting one character after each match finds keys that overlap too. */
const KEY = new RegExp(escaped([...BY_KEY.keys()]).join('|'), 'gi')

/**
 * Lines that change what the log says as a whole, though no rule reads them: journalctl's boot
 * marker (line.ts), the end of kernel init (boot.ts endsKernelInit) and a boot's first stamp.
 */
const LOG_SHAPE_WORDS = ['-- reboot --', '-- boot ', 'freeing unused kernel', 'write protecting the kernel read-only data', ' as init process']
const FIRST_STAMP = String.raw`\[ *0+\.0+\]`

/** Every key and shape word: a line holding one is read whole. */
const KEY_WORDS = [...BY_KEY.keys(), ...LOG_SHAPE_WORDS]

/** The lines of a log worth reading whole: a key, or a line that shapes the log (KernelLogScanner). */
export const KEY_FINDER = new RegExp([...escaped(KEY_WORDS), FIRST_STAMP].join('|'), 'gi')

/** KEY_FINDER's lines as two line searches (line-finder.ts): its words, and a first stamp, which holds "0.0". */
export const KEY_SEARCHES: {keys: LineSearch; stamps: LineSearch} = {
  keys: {pattern: new RegExp(escaped(KEY_WORDS).join('|'), 'i'), words: KEY_WORDS.map((w) => w.toLowerCase()), exact: true},
  stamps: {pattern: new RegExp(FIRST_STAMP), words: ['0.0']},
}

/** The rules whose keys appear in `text`, in table order; none for most lines. */
export function candidateRules(text: string): Rule[] {
  KEY.lastIndex = 0
  let m = KEY.exec(text)
  if (!m) return []
  const found = new Set<Rule>()
  for (; m; m = KEY.exec(text)) {
    for (const rule of BY_KEY.get(m[0].toLowerCase()) ?? []) found.add(rule)
    KEY.lastIndex = m.index + 1
  }
  return RULES.filter((rule) => found.has(rule))
}
