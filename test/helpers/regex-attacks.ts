/** recheck's worst inputs for the project's patterns, kept by scripts/regex-attacks.ts. */
export const ATTACKS_FILE = 'test/hostile/regex-attacks.json'

export interface AttackEntry {
  status: 'safe' | 'vulnerable' | 'unknown'
  /** The attack string: each prefix then its pump repeated, then the suffix. */
  attack?: {pumps: Array<{prefix: string; pump: string}>; suffix: string}
}

export const patternKey = (source: string, flags: string) => `/${source}/${[...flags].filter((f) => f !== 'g' && f !== 'y').sort().join('')}`
