/** Numbers as libvirt reads them from domain XML, so the model agrees with what libvirt would accept. */

/** A plain decimal count (vcpus, topology); undefined when it is not one. */
export function decimalUint(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*\d{1,15}\s*$/.test(text)) return undefined
  return Number(text)
}

/**
 * An address attribute read with C strtoul base 0, as libvirt does: "0x1f" is hex,
 * a leading 0 means octal ("010" is 8, "08" is rejected), anything else decimal.
 */
export function libvirtUint(text: string): number | undefined {
  const s = text.trim()
  if (/^0[xX][0-9a-fA-F]{1,8}$/.test(s)) return parseInt(s.slice(2), 16)
  if (/^0[0-7]{0,11}$/.test(s)) return parseInt(s, 8)
  if (/^[1-9][0-9]{0,9}$/.test(s)) return Number(s)
  return undefined
}

export const KIB = 1024

/**
 * A scaled integer in bytes (libvirt's virScaleInteger): b/bytes; k, KiB = 1024; KB = 1000; and so
 * on through M, G, T, P, E. Case does not matter. No unit means `defaultScale`. Undefined when the
 * value or unit is unreadable or the result is too big for an exact number.
 */
export function scaledBytes(value: string, unit: string | undefined, defaultScale: number): number | undefined {
  const count = decimalUint(value)
  const scale = unit === undefined || unit === '' ? defaultScale : unitScale(unit)
  if (count === undefined || scale === undefined) return undefined
  const bytes = count * scale
  return Number.isSafeInteger(bytes) ? bytes : undefined
}

function unitScale(unit: string): number | undefined {
  const u = unit.toLowerCase()
  if (u === 'b' || u === 'byte' || u === 'bytes') return 1
  const power = 'kmgtpe'.indexOf(u.charAt(0)) + 1
  const rest = u.slice(1)
  const base = rest === '' || rest === 'ib' ? 1024 : rest === 'b' ? 1000 : undefined
  return power === 0 || base === undefined ? undefined : base ** power
}
