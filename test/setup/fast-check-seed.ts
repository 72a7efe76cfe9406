/** Settles the run's fast-check seed once (FC_SEED=random draws one), prints it, and passes it to the workers. */
import {fcSeed} from './fc-seed.js'

export default function setup(): void {
  // Each vitest project runs the global setup; the first one settles the seed for all.
  if (process.env.FC_SEED_SETTLED) return
  const seed = fcSeed()
  process.env.FC_SEED = String(seed)
  process.env.FC_SEED_SETTLED = '1'
  console.log(`fast-check seed ${seed} (FC_SEED=${seed} replays it; FC_SEED=random explores)`)
}
