// The bench's pure parts (scripts/bench/): nothing here is timed.
import {describe, expect, it} from 'vitest'
import {coveringHosts} from '../scripts/bench/fixture-cover.mjs'
import {median, pairwiseRatios, summarize} from '../scripts/bench/stats.mjs'
import {describeLimit, misses, TARGETS} from '../scripts/bench/targets.mjs'

describe('median', () => {
  it.each([
    [[7], 7],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[10, 10, 500], 10],
  ])('of %j is %d', (values, expected) => {
    expect(median(values)).toBe(expected)
  })

  it('refuses no values', () => {
    expect(() => median([])).toThrow('median of no values')
  })
})

describe('pairwiseRatios', () => {
  it.each([
    [[100, 150], [50, 50], [2, 3]],
    // A noisy moment slows both runs of a pair: the ratio stays.
    [[100, 400], [50, 200], [2, 2]],
  ])('%j against floors %j', (command, floor, expected) => {
    expect(pairwiseRatios(command, floor)).toEqual(expected)
  })

  it('refuses runs without a floor run each', () => {
    expect(() => pairwiseRatios([1, 2], [1])).toThrow('2 command runs against 1 floor runs')
  })
})

describe('summarize', () => {
  it('takes the median time, the median ratio and the highest peak RSS', () => {
    const command = [
      {ms: 100, rssMiB: 60},
      {ms: 400, rssMiB: 70},
      {ms: 120, rssMiB: 65},
    ]
    const floor = [
      {ms: 50, rssMiB: 40},
      {ms: 200, rssMiB: 40},
      {ms: 40, rssMiB: 40},
    ]
    expect(summarize(command, floor)).toEqual({ms: 120, ratio: 2, rssMiB: 70})
  })
})

describe('misses', () => {
  it.each([
    [{ratio: 2.5}, {ratio: 2.5}, []],
    [{ratio: 2.5}, {ratio: 2.51}, ['2.51× > 2.5×']],
    [{ms: 1500, rssMiB: 250}, {ms: 900, rssMiB: 180}, []],
    [{ms: 1500, rssMiB: 250}, {ms: 1600.4, rssMiB: 838.2}, ['1600 ms > 1500 ms', '838 MiB > 250 MiB']],
    [{rssMiB: 300}, {ms: 30000, rssMiB: 120}, []],
    [{mbPerSecond: 100}, {mbPerSecond: 100}, []],
    [{mbPerSecond: 100}, {mbPerSecond: 45}, ['45 MB/s < 100 MB/s']],
    [{ratio: 3}, {}, ['ratio not measured']],
  ])('limit %j, figures %j', (limit, figures, expected) => {
    expect(misses(limit, figures)).toEqual(expected)
  })
})

describe('the target table', () => {
  it('holds issue 15 targets', () => {
    expect(Object.fromEntries(TARGETS.map((t) => [t.id, describeLimit(t.limit)]))).toEqual({
      startup: '≤ 2.2×',
      fixtures: '≤ 2.5×',
      live: '≤ 3×',
      big: '≤ 1500 ms, ≤ 250 MiB',
      huge: '≤ 300 MiB',
      picture: '≤ 1000 ms',
      'kernel-log-parse': '≥ 100 MB/s',
    })
  })
})

describe('coveringHosts', () => {
  it.each([
    [{a: ['dmesg.txt']}, ['a']],
    [{a: ['dmesg.txt', 'lspci.txt'], b: ['dmesg.txt'], c: ['domain.xml']}, ['a', 'c']],
    // The host with most kinds first; one that adds nothing new is left out.
    [{a: ['x'], b: ['x', 'y', 'z'], c: ['y', 'w']}, ['b', 'c']],
  ])('%j', (filesByHost, expected) => {
    expect(coveringHosts(filesByHost)).toEqual(expected)
  })
})
