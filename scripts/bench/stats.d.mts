// Types for stats.mjs, so the TypeScript tests can import it.
export interface Run {
  ms: number
  rssMiB: number
}
export interface Figures {
  ms: number
  ratio: number
  rssMiB: number
}
export function median(values: number[]): number
export function pairwiseRatios(commandMs: number[], floorMs: number[]): number[]
export function summarize(command: Run[], floor: Run[]): Figures
