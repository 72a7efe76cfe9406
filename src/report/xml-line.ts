/**
 * The line of a domain's XML file that an evidence line quotes ("domain win10 (domain-win10.xml):
 * <input type='evdev'><source dev='/dev/input/by-id/...'/>"): the first element quoted that exactly one
 * line of the file holds, with each of its quoted attributes. Two lines that could be meant give none:
 * a file without a line is better than the wrong line.
 */

/** Quoted elements read from the evidence: only its first few. */
const MAX_TAGS = 4
// The name and what follows it cannot share a character (a space parts them), and an attribute starts
// after a space: each pattern reads the text once, however long the evidence.
const START_TAG = /<([A-Za-z][\w:.-]*)((?:\s[^<>]*)?)>/g
const ATTRIBUTE = /\s([A-Za-z][\w:.-]*)=(?:'([^']*)'|"([^"]*)")/g

interface QuotedTag {
  name: string
  attributes: Array<[string, string]>
}

export function quotedXmlLine(evidence: string, parts: Array<{text: string; firstLine: number}>): number | undefined {
  const quoted = evidence.slice(evidence.indexOf('): ') + 3)
  if (!quoted.startsWith('<')) return undefined
  const lines = parts.flatMap((p) => p.text.split('\n').map((text, i) => ({text, n: p.firstLine + i})))
  for (const tag of quotedTags(quoted)) {
    const holding = lines.filter((l) => holds(l.text, tag))
    if (holding.length === 1) return holding[0]!.n
  }
  return undefined
}

function quotedTags(quoted: string): QuotedTag[] {
  const out: QuotedTag[] = []
  for (const m of quoted.matchAll(START_TAG)) {
    if (out.length === MAX_TAGS) break
    out.push({name: m[1]!, attributes: [...m[2]!.matchAll(ATTRIBUTE)].map((a) => [a[1]!, a[2] ?? a[3] ?? ''])})
  }
  return out
}

/** The line opens the element with every quoted attribute, in either quote. */
function holds(line: string, tag: QuotedTag): boolean {
  const at = line.indexOf(`<${tag.name}`)
  if (at < 0 || !/[\s/>]|^$/.test(line.charAt(at + tag.name.length + 1))) return false
  return tag.attributes.every(([name, value]) => line.includes(`${name}='${value}'`) || line.includes(`${name}="${value}"`))
}
