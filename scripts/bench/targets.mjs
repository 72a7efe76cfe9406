// Issue 15's targets, as one table. `limit` keys name the figure they bound: ratio (median of the
// pairwise ratios to `node -e 0`), ms (median wall time), rssMiB (peak RSS of the process),
// mbPerSecond (parser throughput). `runs` turns BENCH_RUNS into this target's run count;
// `commands` lists what to run, given the inputs (fixture hosts, generated hosts).
import {basename} from 'node:path'

export const FORMATS = ['text', 'json', 'markdown', 'bbcode', 'junit', 'html']

const everyFormat = (label, dir) => FORMATS.map((format) => ({what: `${label} --format ${format}`, format, argv: ['check', '--input', dir, '--format', format]}))

export const BIG_HOST = {groups: 1000, logMB: 50, domains: 100}
export const HUGE_LOG = {groups: 10, logMB: 500, domains: 0}
/** Issue 18: the picture of a host with 1,000 groups (and gen-host's ordinary 1 MB log). */
export const PICTURE_HOST = {groups: 1000, logMB: 1, domains: 1}

export const TARGETS = [
  {
    id: 'startup',
    title: '`--version`, `--help`, `list`, `explain iommu-firmware-off`',
    limit: {ratio: 2.2},
    runs: (n) => n,
    commands: () => [['--version'], ['--help'], ['list'], ['explain', 'iommu-firmware-off']].map((argv) => ({what: argv.join(' '), argv})),
  },
  {
    id: 'fixtures',
    title: '`check --input` on the fixture hosts, every format',
    limit: {ratio: 2.5},
    runs: (n) => n,
    commands: (inputs) => inputs.fixtures.flatMap((dir) => everyFormat(`check --input ${basename(dir)}`, dir)),
  },
  {
    id: 'live',
    title: 'live `check --quiet` on this machine',
    limit: {ratio: 3.0},
    runs: (n) => n,
    commands: () => [{what: 'check --quiet (live)', argv: ['check', '--quiet']}],
  },
  {
    id: 'big',
    title: '1,000 groups + 50 MB log + 100 domains, every format',
    limit: {ms: 1500, rssMiB: 250},
    // A run takes seconds: the median of three alternating runs is enough against a 1.5 s bound.
    runs: (n) => Math.min(n, 3),
    commands: async (inputs) => everyFormat('check --input 50 MB host', await inputs.host('big', BIG_HOST)),
  },
  {
    id: 'huge',
    title: '500 MB kernel log, peak memory',
    limit: {rssMiB: 300},
    // Peak memory does not depend on a noisy moment or a warm cache: one run. Each format takes
    // tens of seconds, so only JSON is measured unless BENCH_HUGE=1.
    runs: () => 1,
    warmUp: false,
    commands: async (inputs) => everyFormat('check --input 500 MB log', await inputs.host('huge', HUGE_LOG)).filter((c) => inputs.hugeFormats.includes(c.format)),
  },
  {
    id: 'picture',
    title: '`groups --format svg` on 1,000 groups',
    limit: {ms: 1000},
    runs: (n) => n,
    commands: async (inputs) => [{what: 'groups --format svg (1,000 groups)', argv: ['groups', '--input', await inputs.host('picture', PICTURE_HOST), '--format', 'svg']}],
  },
  {
    id: 'kernel-log-parse',
    title: 'the 50 MB kernel log parses (in-process)',
    limit: {mbPerSecond: 100},
  },
]

const BOUNDS = {
  ratio: {atMost: true, unit: '×', digits: 2},
  ms: {atMost: true, unit: ' ms', digits: 0},
  rssMiB: {atMost: true, unit: ' MiB', digits: 0},
  mbPerSecond: {atMost: false, unit: ' MB/s', digits: 0},
}

/** The limit as a reader sees it: `≤ 1500 ms, ≤ 250 MiB`. */
export function describeLimit(limit) {
  return Object.entries(limit)
    .map(([key, bound]) => `${BOUNDS[key].atMost ? '≤' : '≥'} ${bound}${BOUNDS[key].unit}`)
    .join(', ')
}

/** What the figures miss of the limit, one phrase each; empty when every bound holds. */
export function misses(limit, figures) {
  return Object.entries(limit).flatMap(([key, bound]) => {
    const {atMost, unit, digits} = BOUNDS[key]
    const value = figures[key]
    if (value === undefined) return [`${key} not measured`]
    const holds = atMost ? value <= bound : value >= bound
    return holds ? [] : [`${value.toFixed(digits)}${unit} ${atMost ? '>' : '<'} ${bound}${unit}`]
  })
}
