import {describe, expect, it} from 'vitest'
import Capture from '../../src/commands/capture.js'
import Check from '../../src/commands/check.js'
import Explain from '../../src/commands/explain.js'
import Groups from '../../src/commands/groups.js'
import List from '../../src/commands/list.js'

describe('--help', () => {
  it.each([
    ['check', Check],
    ['capture', Capture],
    ['groups', Groups],
    ['explain', Explain],
    ['list', List],
  ])('%s has examples, each with a description and a runnable command', (_, command) => {
    const examples = (command.examples ?? []) as Array<string | {description: string; command: string}>
    expect(examples.length).toBeGreaterThanOrEqual(2)
    for (const e of examples) {
      expect(typeof e).toBe('object')
      const {description, command: line} = e as {description: string; command: string}
      expect(description.length).toBeGreaterThan(10)
      expect(line).toMatch(/^(sudo )?<%= config\.bin %> /)
    }
  })

  it('check documents every format and the sharing flags', () => {
    expect(Check.flags.format.options).toEqual(['text', 'json', 'markdown', 'bbcode', 'junit', 'html', 'sarif', 'github', 'codequality'])
    for (const flag of ['redact', 'share', 'yes', 'share-url'] as const) expect(Check.flags[flag].description).toBeTruthy()
    expect(Check.flags.redact.allowNo).toBe(true)
  })

  it('groups documents its picture', () => {
    expect(Groups.flags.format.options).toEqual(['text', 'svg'])
    expect(Groups.flags.format.description).toContain('svg')
    expect(Groups.flags.redact.allowNo).toBe(true)
  })
})
