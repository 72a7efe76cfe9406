/** The NixOS configurations in the seed documents, located by line (shared by the Nix tests). */
import {join} from 'node:path'
import {readShared, seedsDir} from '../helpers/paths.js'

export interface Snippet {
  seed: string
  /** 1-based, inclusive. */
  from: number
  to: number
  /** The document with every other line blanked, so parsed line numbers are the document's. */
  text: string
}

export const SEED = {
  blog2025: '000_8b0cdaf3597e3fbf.txt',
  jakeHamilton: '001_5802c661ff60c12a.txt',
  nixosWiki: '002_467ecb762679129a.txt',
  vini: '003_2a7385938a418358.txt',
  arroyo: '004_ba619669a63f6198.txt',
} as const

export function readSeed(name: string): string {
  return readShared(join(seedsDir, name))
}

/** Keep lines in the given ranges, blank the rest. */
export function isolate(seed: string, ranges: Array<[number, number]>): Snippet {
  const doc = readSeed(seed)
  const keep = (n: number): boolean => ranges.some(([from, to]) => n >= from && n <= to)
  const text = doc
    .split('\n')
    .map((line, i) => (keep(i + 1) ? line : ''))
    .join('\n')
  return {seed, from: ranges[0]![0], to: ranges[ranges.length - 1]![1], text}
}

/** The inside of every ```nix fenced block of a Markdown seed. */
export function fencedNixBlocks(seed: string): Snippet[] {
  const lines = readSeed(seed).split('\n')
  const blocks: Snippet[] = []
  let open = -1
  lines.forEach((line, i) => {
    if (open < 0 && /^\s*```nix\s*$/.test(line)) open = i + 2
    else if (open >= 0 && /^\s*```\s*$/.test(line)) {
      blocks.push(isolate(seed, [[open, i]]))
      open = -1
    }
  })
  return blocks
}

/**
 * The configurations pasted without fences. 001 and 004 lost lines (no `let`, unclosed
 * brackets and strings); 002 lost only its indentation.
 */
export const UNFENCED = {
  jakeHamilton: (): Snippet => isolate(SEED.jakeHamilton, [[42, 82]]),
  nixosWiki: (): Snippet => isolate(SEED.nixosWiki, [[19, 24], [41, 44], [48, 64], [71, 71]]),
  arroyoVfio: (): Snippet => isolate(SEED.arroyo, [[96, 104]]),
  arroyoBlacklist: (): Snippet => isolate(SEED.arroyo, [[108, 108]]),
  arroyoLibvirt: (): Snippet => isolate(SEED.arroyo, [[112, 119]]),
}
