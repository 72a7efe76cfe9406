/**
 * Sort orders that do without ICU's collator. The first localeCompare of a process loads the
 * collator, about 8 ms of every start, and what vfio-doctor sorts is ASCII: ids, PCI addresses,
 * sysfs and file names.
 */

/** By UTF-16 code unit, as `<` compares: "0000:00:02.0" before "0000:00:1f.0", "B" before "a". */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

const RUN = /\d+|\D+/g

/** "2" before "10": runs of digits compare by their value, the rest by code point ("group 2", "10.conf"). */
export function naturalOrder(a: string, b: string): number {
  const x = a.match(RUN) ?? []
  const y = b.match(RUN) ?? []
  for (let i = 0; i < x.length && i < y.length; i++) {
    const [p, q] = [x[i]!, y[i]!]
    if (p === q) continue
    if (isDigit(p) && isDigit(q)) {
      const [u, v] = [p.replace(/^0+(?=\d)/, ''), q.replace(/^0+(?=\d)/, '')]
      // The same value written with more zeros ("01", "1") falls back to code points below.
      if (u.length !== v.length) return u.length - v.length
      if (u !== v) return byCodePoint(u, v)
    }
    return byCodePoint(p, q)
  }
  return x.length - y.length
}

function isDigit(run: string): boolean {
  return run.charCodeAt(0) >= 48 && run.charCodeAt(0) <= 57
}
