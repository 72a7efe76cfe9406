/** The seed every fast-check property runs from: FC_SEED (a number), or one fixed seed, so CI failures replay anywhere. */
export const DEFAULT_FC_SEED = 20261204

/** FC_SEED=random draws a seed for this run; it is still printed, so a failure replays with FC_SEED=<it>. */
export function fcSeed(env: NodeJS.ProcessEnv = process.env): number {
  const chosen = env.FC_SEED
  if (chosen === undefined || chosen === '') return DEFAULT_FC_SEED
  if (chosen === 'random') return (Date.now() ^ (Math.random() * 0x7fffffff)) | 0
  const seed = Number(chosen)
  if (!Number.isInteger(seed)) throw new Error(`FC_SEED must be an integer or "random", not ${JSON.stringify(chosen)}`)
  return seed
}
