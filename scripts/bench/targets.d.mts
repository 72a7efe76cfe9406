// Types for targets.mjs, so the TypeScript tests can import it.
export interface Limit {
  ratio?: number
  ms?: number
  rssMiB?: number
  mbPerSecond?: number
}
export type Figures = Partial<Record<keyof Limit, number>>
export interface Target {
  id: string
  title: string
  limit: Limit
  runs?: (benchRuns: number) => number
  warmUp?: boolean
  commands?: (inputs: unknown) => unknown
}
export const FORMATS: string[]
export const TARGETS: Target[]
export function describeLimit(limit: Limit): string
export function misses(limit: Limit, figures: Figures): string[]
