/**
 * A pasted file is one or more outputs: split it where a prompt line ("$ lspci -nnk"), a code fence,
 * a heading or a blank-line gap starts another, and say what each part holds. The file name and the
 * command on a prompt line are hints; the lines themselves decide when they clearly say otherwise.
 *
 * Linear in the text: lines are visited once by offset, only the first SAMPLE_LINES non-blank lines
 * of a block are classified, and past MAX_BLOCKS blocks a file is split no further.
 */
import type {SourceKind} from '../types.js'
import {hintOfCommand, promptCommand, type CommandHint} from './commands.js'
import {RECOGNISERS, type Recogniser} from './recognisers.js'

export interface Section {
  kind: SourceKind
  /** What the person pasted ("lspci output", "kvm-ok output"). */
  format: string
  /** For kinds that come in several, from a hint (`readlink /run/booted-system`). */
  label?: string
  /** What decided the kind. */
  by: 'name' | 'command' | 'content'
  /** The command on the prompt line above it ("dmesg | grep -i dmar"). */
  command?: string
  /** 1-based line numbers in the file, inclusive. */
  from: number
  to: number
  text: string
}

const SAMPLE_LINES = 400
const MAX_BLOCKS = 400
const MAX_SECTIONS = 200
const DEFAULT_SHARE = 0.6

/** Kinds a hint may keep when the content looks like another kind that is read the same way. */
const AGREES: Partial<Record<SourceKind, SourceKind[]>> = {
  nixKernelParams: ['cmdline'],
  devNodes: ['permissions'],
  permissions: ['devNodes'],
  procVersion: ['kernelLog', 'uname'],
  uname: ['procVersion', 'kernelLog'],
  iommuListing: ['lspci'],
  qemuLog: ['log', 'kernelLog'],
  log: ['qemuLog'],
  kernelLog: ['procVersion'],
  cpuinfo: ['log'],
}

interface Block {
  from: number
  to: number
  start: number
  end: number
  hint?: CommandHint
  hintBy?: 'name' | 'command'
  /** The command on the prompt line this block is the output of. */
  command?: string
  /** The first block after a prompt line: a new command's output, never part of the one before. */
  fresh?: boolean
}

interface Draft {
  section: Omit<Section, 'text'>
  start: number
  end: number
  /** Brackets (Nix) or elements (XML) still open at its end: the next block continues it. */
  depth: number
  recogniser?: Recogniser
}

/** Splits and classifies `text`; `nameHint` is what the file name suggests, if anything. */
export function recogniseText(text: string, nameHint?: CommandHint): Section[] {
  const drafts: Draft[] = []
  for (const block of splitBlocks(text, nameHint)) {
    const lines = sampleLines(text, block)
    if (lines.length === 0) continue
    const verdict = classify(lines, block)
    const previous = drafts.at(-1)
    if (previous && (drafts.length >= MAX_SECTIONS || (previous.depth > 0 && !block.fresh) || continues(previous, verdict, lines, block))) {
      previous.section.to = block.to
      previous.end = block.end
      previous.depth += nesting(previous.section.kind, text, block)
      continue
    }
    drafts.push({
      section: {...verdict.section, from: block.from, to: block.to},
      start: block.start,
      end: block.end,
      depth: nesting(verdict.section.kind, text, block),
      ...(verdict.recogniser ? {recogniser: verdict.recogniser} : {}),
    })
  }
  // The only section is the whole file, its own string (a 500 MB log is not copied), from its first line.
  if (drafts.length === 1) return [{...drafts[0]!.section, from: 1, text}]
  return drafts.map((d) => ({...d.section, text: text.slice(d.start, d.end)}))
}

/**
 * How much a block of Nix or XML opens minus what it closes. A Nix `''` string holding a shell
 * script, or a domain with a blank line in it, spans blank lines; counting is rough but balanced
 * text counts to zero.
 */
function nesting(kind: SourceKind, text: string, block: Block): number {
  if (kind !== 'nixConfig' && kind !== 'domainXml') return 0
  const body = text.slice(block.start, Math.min(block.end, block.start + 1_000_000))
  if (kind === 'domainXml') return count(body, /<[A-Za-z]/g) - count(body, /<\/|\/>/g)
  return count(body, /[{[(]/g) - count(body, /[}\])]/g) + (count(body, /''/g) % 2)
}

function count(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0
}

/** A block joins the section before it when both are the same output, or it only continues it (closing tags after a gap). */
function continues(previous: Draft, verdict: Verdict, lines: string[], block: Block): boolean {
  if (block.fresh) return false
  if (verdict.section.kind === previous.section.kind && verdict.section.format === previous.section.format) return true
  if (verdict.recogniser !== undefined || previous.recogniser === undefined) return false
  const claimed = lines.filter((l) => previous.recogniser!.claims(l)).length
  return claimed / lines.length >= (previous.recogniser.share ?? DEFAULT_SHARE)
}

interface Verdict {
  section: Omit<Section, 'from' | 'to' | 'text'>
  recogniser?: Recogniser
}

/**
 * The content's verdict, weighed against the block's hint. A hint decides lines nothing recognises
 * only where it surely applies: the whole file (its name) or the output right after the prompt.
 */
function classify(lines: string[], block: Block): Verdict {
  const verdict = classifyLines(lines, block)
  if (block.command !== undefined) verdict.section.command = block.command
  return verdict
}

function classifyLines(lines: string[], block: Block): Verdict {
  const recogniser = bestRecogniser(lines)
  const hint = block.hint
  const hintApplies = hint !== undefined && (recogniser ? recogniser.kind === hint.kind || AGREES[hint.kind]?.includes(recogniser.kind) : block.hintBy === 'name' || block.fresh)
  if (hintApplies) {
    const format = recogniser?.kind === hint.kind ? recogniser.format : formatOf(hint.kind)
    return {section: {kind: hint.kind, format, by: block.hintBy!, ...(hint.label ? {label: hint.label} : {})}, ...(recogniser ? {recogniser} : {})}
  }
  if (recogniser) return {section: {kind: recogniser.kind, format: recogniser.format, by: 'content'}, recogniser}
  return {section: {kind: 'log', format: 'text', by: 'content'}}
}

function formatOf(kind: SourceKind): string {
  return RECOGNISERS.find((r) => r.kind === kind)?.format ?? kind
}

/**
 * The recogniser that claims the largest share of the lines, above its threshold. One stops reading
 * as soon as the lines it missed leave it no way to win: at start-up every pattern runs cold, and
 * most recognisers are out after a few lines.
 */
function bestRecogniser(lines: string[]): Recogniser | undefined {
  let best: Recogniser | undefined
  let bestShare = 0
  for (const r of RECOGNISERS) {
    if (r.maxLines !== undefined && lines.length > r.maxLines) continue
    const threshold = r.share ?? DEFAULT_SHARE
    const wins = (share: number) => share >= threshold && share > bestShare
    let claimed = 0
    let missed = 0
    let required = r.requires === undefined
    for (const line of lines) {
      if (r.claims(line)) claimed++
      else if (!wins((lines.length - ++missed) / lines.length)) break
      if (!required && r.requires!(line)) required = true
    }
    const share = claimed / lines.length
    if (required && wins(share)) {
      best = r
      bestShare = share
    }
  }
  return best
}

function sampleLines(text: string, block: Block): string[] {
  const lines: string[] = []
  let at = block.start
  while (at < block.end && lines.length < SAMPLE_LINES) {
    let eol = text.indexOf('\n', at)
    if (eol < 0 || eol > block.end) eol = block.end
    const line = text.slice(at, Math.min(eol, at + 2000)).replace(/\r$/, '')
    if (/\S/.test(line)) lines.push(line)
    at = eol + 1
  }
  return lines
}

const FENCE = /^\s*(?:```|~~~)/
const HEADING = /^\s*(?:#{2,6}\s+\S.*|(?=(={3,}))\1.*(?<!=)={3,}|={6,}|(?=(-{3,}))\2\s*\S.*(?<!-)-{3,}|\*\*[^*]+\*\*:?|\[(?:code|quote)[^\]]*\]|\[\/(?:code|quote)\])\s*$/i
/** A short line that only introduces what follows ("Output of lspci -nnk:", "dmesg:"). */
const LEAD_IN = /^\s*[^\s:].{0,100}:\s*$/

/**
 * Blocks of lines, by offsets: a prompt, fence or heading line ends a block (and is not part of any),
 * and so does a blank line, until the file has MAX_BLOCKS.
 */
function splitBlocks(text: string, nameHint: CommandHint | undefined): Block[] {
  const blocks: Block[] = []
  let hint = nameHint
  let hintBy: 'name' | 'command' | undefined = nameHint ? 'name' : undefined
  let fresh = false
  let promptText: string | undefined
  let open: Block | undefined
  let n = 0
  let at = 0
  let inFence = false
  const close = (end: number) => {
    if (open) {
      open.end = end
      blocks.push(open)
      open = undefined
    }
  }
  while (at < text.length) {
    let eol = text.indexOf('\n', at)
    if (eol < 0) eol = text.length
    n++
    const line = text.slice(at, Math.min(eol, at + 2000))
    const first = line.trimStart()[0]
    const marker = first === '$' || first === '#' || first === '`' || first === '~' || first === '=' || first === '-' || first === '*' || first === '[' || first === '>' || first === '❯' || /^\s*[\w.-]+@[\w.-]+[:\s]/.test(line) || (line.trimEnd().endsWith(':') && line.length < 110)
    // Past MAX_BLOCKS a file is split no further: a paste of a million prompts stays one cheap block.
    if (marker && blocks.length <= MAX_BLOCKS) {
      const command = promptCommand(line)
      const fence = command === undefined && FENCE.test(line)
      const heading = command === undefined && !fence && (HEADING.test(line) || (LEAD_IN.test(line) && !RECOGNISERS.some((r) => r.claims(line))))
      if (command !== undefined || fence || heading) {
        close(at)
        const named = fence ? undefined : hintOfCommand(command ?? line)
        if (!fence) promptText = command
        if (command !== undefined || named) {
          hint = named
          hintBy = named ? 'command' : undefined
          fresh = true
        } else if (fence && inFence) {
          // A closing fence ends the command's output: what follows is the person's words again.
          hint = nameHint
          hintBy = nameHint ? 'name' : undefined
          promptText = undefined
        }
        if (fence) inFence = !inFence
        at = eol + 1
        continue
      }
    }
    if (!/\S/.test(line)) {
      if (blocks.length <= MAX_BLOCKS) close(at)
    } else if (!open) {
      open = {from: n, to: n, start: at, end: eol, ...(hint ? {hint, hintBy: hintBy!} : {}), ...(fresh ? {fresh} : {}), ...(promptText !== undefined ? {command: promptText} : {})}
      fresh = false
    } else open.to = n
    at = eol + 1
  }
  close(text.length)
  return blocks
}
