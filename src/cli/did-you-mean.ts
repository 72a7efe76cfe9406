import {closest, distance} from 'fastest-levenshtein'

/** " (did you mean X?)" when a known name is a few edits away. */
export function didYouMean(wrong: string, known: string[]): string {
  if (known.length === 0) return ''
  const best = closest(wrong, known)
  return distance(wrong, best) <= Math.max(2, Math.floor(wrong.length / 3)) ? ` (did you mean ${best}?)` : ''
}
