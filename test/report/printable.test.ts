import {describe, expect, it} from 'vitest'
import {printableText} from '../../src/report/printable.js'

describe('printableText: what evidence may put on a terminal', () => {
  it.each([
    ['plain text, tabs and newlines stay', 'DMAR: IOMMU enabled\n\tx', 'DMAR: IOMMU enabled\n\tx'],
    ['an escape sequence is defused', '\u001b]0;pwned\u0007 ok', '\ufffd]0;pwned\ufffd ok'],
    ['a carriage return that would hide a line', 'safe\rhidden', 'safe\ufffdhidden'],
    ['CRLF line ends become LF', 'a\r\nb\r\n', 'a\nb\n'],
    ['C1 controls', 'a\u009b31mb', 'a\ufffd31mb'],
    ['a run of NULs from a crash shows as at most 8 marks', `[ 1.0] a${'\0'.repeat(100_000)}\n[ 2.0] b`, `[ 1.0] a${'\ufffd'.repeat(8)}\n[ 2.0] b`],
    ['a short run keeps its length', 'x\0\0\0y', 'x\ufffd\ufffd\ufffdy'],
  ])('%s', (_, text, shown) => {
    expect(printableText(text)).toBe(shown)
  })
})
