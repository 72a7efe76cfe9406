import {constants} from 'node:fs'
import {open} from 'node:fs/promises'
import {isAscii} from 'node:buffer'

/** Bytes read at a time. */
export const PART_BYTES = 1024 * 1024
/** A line longer than this is cut here and the rest of it skipped (readers look at 4,096 characters at most). */
const MAX_LINE_BYTES = 64 * 1024
const NEWLINE = 0x0a

/**
 * A UTF-8 file's text from byte `from`, in parts that end at a line end (but the last). A part is
 * decoded on its own: a line end is never inside a UTF-8 sequence, and ASCII parts, most of a log,
 * are decoded byte for byte. Memory is one part, whatever the file's size.
 */
export async function* textParts(path: string, from = 0, partBytes = PART_BYTES): AsyncGenerator<string> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK)
  try {
    const buffer = Buffer.alloc(partBytes)
    let carry: Buffer = Buffer.alloc(0)
    let position = from
    let skipping = false
    for (;;) {
      const {bytesRead} = await handle.read(buffer, 0, partBytes, position)
      if (bytesRead === 0) break
      position += bytesRead
      let bytes = buffer.subarray(0, bytesRead)
      if (position - bytesRead === 0 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3)
      if (skipping) {
        const end = bytes.indexOf(NEWLINE)
        if (end < 0) continue
        bytes = bytes.subarray(end)
        skipping = false
      }
      const lastEnd = bytes.lastIndexOf(NEWLINE)
      if (lastEnd < 0) {
        carry = Buffer.concat([carry, bytes])
        if (carry.length > MAX_LINE_BYTES) {
          carry = carry.subarray(0, MAX_LINE_BYTES)
          skipping = true
        }
        continue
      }
      yield decode(carry.length ? Buffer.concat([carry, bytes.subarray(0, lastEnd + 1)]) : bytes.subarray(0, lastEnd + 1))
      // The buffer is read into again: what is carried is copied out of it.
      carry = Buffer.from(bytes.subarray(lastEnd + 1))
    }
    if (carry.length) yield decode(carry)
  } finally {
    await handle.close()
  }
}

export function decode(bytes: Buffer): string {
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8')
}
