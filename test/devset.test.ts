/**
 * The development set of real pasted evidence (docs/accuracy.md): no error on a host an expert calls
 * healthy, and recall never below the floor reached so far. Raise the floor as recall improves.
 */
import {describe, expect, it} from 'vitest'
import {loadCases, scoreDevset} from '../scripts/accuracy/score.js'
import {knowledgeIds} from '../src/knowledge/page.js'

const RECALL_FLOOR = 0.9

describe('development set', () => {
  const cases = loadCases()

  it('every case names its source and only known failure modes', () => {
    const known = knowledgeIds()
    for (const c of cases) {
      expect(c.source, c.name).toMatch(/^https:\/\//)
      expect(c.expect.filter((id) => !known.includes(id)), c.name).toEqual([])
      expect(c.healthy, c.name).toBe(c.expect.length === 0)
    }
  })

  it(`has no error on a healthy host, and recall of at least ${RECALL_FLOOR * 100}%`, async () => {
    const score = await scoreDevset()
    expect(score.falseErrors.map((r) => `${r.case.name}: ${r.errors.join(', ')}`)).toEqual([])
    expect(score.recall).toBeGreaterThanOrEqual(RECALL_FLOOR)
  })
})
