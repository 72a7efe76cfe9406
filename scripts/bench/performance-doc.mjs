// docs/performance.md: the prose around the figures is written by hand; the block between the
// markers is what the last `npm run bench` measured, replaced on each run.
import {readFileSync, writeFileSync} from 'node:fs'
import {PARSE_RUNS} from '../bench-parsers.mjs'
import {markdownTable} from './table.mjs'

const START = '<!-- bench:start (written by npm run bench; edits here are lost) -->'
const END = '<!-- bench:end -->'

export function measuredBlock({machine, settings, results, parsers, misses}) {
  const m = machine
  return [
    `Measured ${m.date} on ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Linux ${m.kernel}, Node.js ${m.node}; load average ${settings.loadBefore} before and ${settings.loadAfter} after; ${settings.elapsed} in all.`,
    `${settings.runsNote} Peak RSS from ${settings.rssSource}. ${settings.fixturesNote} ${settings.hugeNote}`,
    '',
    markdownTable(results),
    '',
    `Parsers (in-process, median of ${PARSE_RUNS}; ${parsers.corpusNote}):`,
    '',
    markdownTable(parsers.table),
    '',
    misses.length === 0 ? 'Every target is met.' : `Missed (${misses.length}):\n\n${misses.map((miss) => `- ${miss}`).join('\n')}`,
  ].join('\n')
}

export function writeMeasuredBlock(file, block) {
  const doc = readFileSync(file, 'utf8')
  const start = doc.indexOf(START)
  const end = doc.indexOf(END)
  if (start < 0 || end < start) throw new Error(`${file} has no ${START} ... ${END} block`)
  writeFileSync(file, `${doc.slice(0, start + START.length)}\n${block}\n${doc.slice(end)}`)
}
