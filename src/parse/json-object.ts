/**
 * A small JSON document that should be an object (a bootspec, Nix's answer): its keys, or
 * undefined when the text is longer than `maxLength`, not JSON, or not an object. Never throws.
 */
export function parseJsonObject(text: string, maxLength: number): Record<string, unknown> | undefined {
  if (text.length > maxLength) return undefined
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch {
    return undefined
  }
  return typeof document === 'object' && document !== null && !Array.isArray(document) ? (document as Record<string, unknown>) : undefined
}
