import stringWidth from 'string-width'
import wrapAnsi from 'wrap-ansi'
import {describe, expect, it} from 'vitest'
import {wrapLines} from '../../src/util/wrap.js'

describe('wrapLines', () => {
  it('gives a printable ASCII line that fits what wrap-ansi gives it (without measuring its words)', () => {
    // Lines of words, spaces (leading, trailing, doubled) and punctuation, from a fixed seed.
    let seed = 7
    const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n
    const pieces = [' ', '  ', 'vfio-pci', '0000:01:00.0', 'a', '"x"', '{', '}', '--', 'IOMMU', '.', '10de:1b81']
    for (let i = 0; i < 500; i++) {
      const text = Array.from({length: next(12)}, () => pieces[next(pieces.length)]).join(next(2) ? ' ' : '')
      const width = text.length + next(3) + 2
      expect(wrapLines(text, width, '  ')).toEqual(wrapAnsi(text, width - 2, {trim: true}).split('\n').map((line) => `  ${line}`))
    }
  })

  it('wraps at spaces, with the first and the hanging indent', () => {
    expect(wrapLines('one two three four five', 12, '- ', '  ')).toEqual(['- one two', '  three four', '  five'])
  })

  it('counts a wide (CJK) character as two columns', () => {
    const lines = wrapLines('日本語の説明 二列の文字 です', 14, '  ')
    expect(lines).toEqual(['  日本語の説明', '  二列の文字', '  です'])
    expect(Math.max(...lines.map((l) => stringWidth(l)))).toBeLessThanOrEqual(14)
  })

  it('counts a combining character as none: "é" written e + U+0301 is one column', () => {
    const word = 'cafe\u0301'
    expect(word.length).toBe(5)
    // wrap-ansi composes it (NFC): the same letter, as a terminal shows it.
    expect(wrapLines(`${word} ${word} ${word}`, 9)).toEqual([`${word} ${word}`, word].map((l) => l.normalize('NFC')))
  })

  it('measures styled text without its colour escapes, and keeps them', () => {
    const lines = wrapLines('\u001b[31mred words wrap here\u001b[39m', 10)
    expect(lines.map((l) => l.replace(/\u001b\[\d+m/g, ''))).toEqual(['red words', 'wrap here'])
    expect(lines[0]).toMatch(/^\u001b\[31m/)
  })

  it('breaks a word longer than a line, so no line goes past the width', () => {
    const lines = wrapLines(`path ${'x'.repeat(25)}`, 10)
    expect(lines.every((l) => stringWidth(l) <= 10)).toBe(true)
    expect(lines.join('').replace(/ /g, '')).toBe(`path${'x'.repeat(25)}`)
  })
})
