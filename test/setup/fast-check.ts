/**
 * Every fast-check property runs from one seed, so a failure in CI fails again on any machine.
 * The global setup (fast-check-seed.ts) settles and prints the seed once and hands it to every worker in FC_SEED.
 */
import fc from 'fast-check'
import {fcSeed} from './fc-seed.js'

fc.configureGlobal({seed: fcSeed()})
