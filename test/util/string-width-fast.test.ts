/** The bundle's string-width (src/util/string-width-fast.cjs) must measure exactly as the library does. */
import fc from 'fast-check'
import {createRequire} from 'node:module'
import stringWidth from 'string-width'
import {describe, expect, it} from 'vitest'

const fast = createRequire(import.meta.url)('../../src/util/string-width-fast.cjs') as (text: string) => number

describe('string-width with its printable ASCII answered at once', () => {
  it.each(['', 'plain words', 'tab\there', '\u001b[31mred\u001b[39m', '漢字', 'é', '👍 ok', 'del\u007f', 'nul\u0000'])('%j measures as string-width does', (text) => {
    expect(fast(text)).toBe(stringWidth(text))
  })

  it('on any string', () => {
    fc.assert(
      fc.property(fc.string({unit: 'binary', maxLength: 40}), (text) => {
        expect(fast(text)).toBe(stringWidth(text))
      }),
      {numRuns: 500},
    )
  })
})
