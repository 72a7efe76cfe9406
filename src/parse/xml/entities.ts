/**
 * Character references and the five predefined entities, nothing else.
 * Any other `&name;` stays literal: entity declarations are never read, so nothing can expand.
 */

const PREDEFINED: Readonly<Record<string, string>> = {amp: '&', lt: '<', gt: '>', quot: '"', apos: "'"}

// One pass, no backtracking: the alternatives are anchored on '&' and end at the first ';'.
const REFERENCE = /&(?:#x([0-9a-fA-F]{1,8})|#([0-9]{1,10})|(amp|lt|gt|quot|apos));/g

/** XML 1.0 `Char`: a reference to anything else (NUL, a lone surrogate) is not decoded. */
function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  )
}

export function decodeXmlText(raw: string): string {
  if (!raw.includes('&')) return raw
  return raw.replace(REFERENCE, (whole, hex: string | undefined, dec: string | undefined, name: string | undefined) => {
    if (name !== undefined) return PREDEFINED[name] ?? whole
    const code = hex !== undefined ? parseInt(hex, 16) : Number(dec)
    return isXmlChar(code) ? String.fromCodePoint(code) : whole
  })
}
