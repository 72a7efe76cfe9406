/**
 * Every fast-check property runs from one seed, so a failure in CI fails again on any machine.
 * FC_SEED picks another seed (a number), or a fresh one each run ("random"), to explore.
 */
import fc from 'fast-check'

const chosen = process.env.FC_SEED
if (chosen !== 'random') fc.configureGlobal({seed: chosen === undefined ? 20261204 : Number(chosen)})
