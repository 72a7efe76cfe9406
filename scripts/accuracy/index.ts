/** npm run accuracy: scores the development set and writes docs/accuracy.md. */
import {writeFileSync} from 'node:fs'
import {scoreDevset, type Score} from './score.js'

const score = await scoreDevset()
writeFileSync(new URL('../../docs/accuracy.md', import.meta.url), render(score))
console.log(`recall ${pct(score.recall)} (${score.found} of ${score.expected}); ${score.falseErrors.length} healthy cases with an error; docs/accuracy.md written`)

function pct(x: number): string {
  return `${(x * 100).toFixed(0)}%`
}

function render(s: Score): string {
  const healthy = s.cases.filter((r) => r.case.healthy)
  const lines = [
    '# Accuracy on real pasted evidence',
    '',
    'Written by `npm run accuracy`. The development set (`test/devset/cases/`) holds real fragments from public',
    'threads and issues, each kept to the lines that matter, with its source and the failure modes an expert names',
    'from its files alone (`case.json`). None comes from the seed documents, and none was written to fit the code.',
    'It is a development set: the known messages were written while looking at its misses (each from the',
    "program's real wording, never from the case alone), so these figures flatter; a held-out set would not.",
    '',
    `- cases: ${s.cases.length} (${healthy.length} healthy)`,
    `- recall: **${pct(s.recall)}** (${s.found} of ${s.expected} expected ids named)`,
    `- healthy cases with an error: **${s.falseErrors.length}**${s.falseErrors.length ? ` (${s.falseErrors.map((r) => r.case.name).join(', ')})` : ''}`,
    '',
    '## Recall per failure mode',
    '',
    '| id | expected | named | recall |',
    '| --- | ---: | ---: | ---: |',
    ...[...s.byId].sort(([a], [b]) => a.localeCompare(b)).map(([id, e]) => `| \`${id}\` | ${e.expected} | ${e.found} | ${pct(e.found / e.expected)} |`),
    '',
    '## Every case',
    '',
    '| case | expected | named | missed |',
    '| --- | --- | --- | --- |',
    ...s.cases.map((r) => `| [${r.case.name}](${r.case.source}) | ${r.case.expect.join(', ') || '(healthy)'} | ${r.named.join(', ') || '-'} | ${r.missed.join(', ') || '-'} |`),
    '',
  ]
  return lines.join('\n')
}
