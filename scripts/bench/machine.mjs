// What the figures were measured on: ratios travel between machines, milliseconds do not.
import {cpus, loadavg, release, totalmem} from 'node:os'

export function describeMachine() {
  const cores = cpus()
  return {
    cpu: cores[0]?.model ?? 'unknown CPU',
    cores: cores.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    date: new Date().toISOString().slice(0, 10),
  }
}

export const loadAverage = () => loadavg().map((load) => load.toFixed(2)).join(', ')
