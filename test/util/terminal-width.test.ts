import {describe, expect, it} from 'vitest'
import {terminalWidth} from '../../src/util/terminal-width.js'

const terminal = {isTTY: true, columns: 132}
const pipe = {isTTY: false}

describe('terminalWidth', () => {
  it('takes COLUMNS when set, on a terminal and on a pipe', () => {
    expect(terminalWidth(terminal, {COLUMNS: '60'})).toBe(60)
    expect(terminalWidth(pipe, {COLUMNS: '120'})).toBe(120)
  })

  it("else the terminal's width, else 80", () => {
    expect(terminalWidth(terminal, {})).toBe(132)
    expect(terminalWidth(pipe, {})).toBe(80)
    expect(terminalWidth(pipe, {COLUMNS: 'wide'})).toBe(80)
  })

  it('never narrower than 40 columns', () => {
    expect(terminalWidth(pipe, {COLUMNS: '12'})).toBe(40)
  })
})
