/**
 * Asks recheck (a ReDoS checker: automata analysis, then fuzzing) for the worst input of every
 * regular expression in src and in the knowledge base, and keeps each attack in
 * test/hostile/regex-attacks.json. test/hostile/regex.test.ts replays them at 1 MB and fails on a
 * pattern that has no entry, so a new pattern needs one run of this script (`npm run regex-attacks`).
 * Only patterns without an entry are analysed: recheck takes about a second each.
 */
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {check} from 'recheck'
import {ATTACKS_FILE, type AttackEntry, patternKey} from '../test/helpers/regex-attacks.js'
import {everyPattern} from '../test/helpers/regex-literals.js'
import {repoRoot} from '../test/helpers/paths.js'

const path = join(repoRoot, ATTACKS_FILE)
const known = JSON.parse(readFileSync(path, 'utf8')) as Record<string, AttackEntry>
const patterns = everyPattern(repoRoot)
const wanted = new Map(patterns.map((p) => [patternKey(p.source, p.flags), p]))
const kept: Record<string, AttackEntry> = Object.fromEntries(Object.entries(known).filter(([key]) => wanted.has(key)))
const todo = [...wanted].filter(([key]) => !(key in kept))

let next = 0
async function analyse(): Promise<void> {
  while (next < todo.length) {
    const [key, p] = todo[next++]!
    // g and y change where a match starts, not how it backtracks; recheck rejects them.
    const result = await check(p.source, p.flags.replace(/[gy]/g, ''), {timeout: 10_000, randomSeed: 1})
    const entry: AttackEntry = {status: result.status}
    if (result.status === 'vulnerable') entry.attack = {pumps: result.attack.pumps.map(({prefix, pump}) => ({prefix, pump})), suffix: result.attack.suffix}
    kept[key] = entry
    process.stderr.write(`${result.status.padEnd(10)} ${p.at}\n`)
  }
}
await Promise.all([analyse(), analyse(), analyse(), analyse()])
const sorted = Object.fromEntries(Object.entries(kept).sort(([a], [b]) => a.localeCompare(b)))
writeFileSync(path, `${JSON.stringify(sorted, null, 1)}\n`)
console.log(`${todo.length} analysed, ${Object.keys(sorted).length} kept in ${ATTACKS_FILE}`)
