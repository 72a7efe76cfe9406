import {closeSync, constants, openSync, readSync} from 'node:fs'
import {isAscii} from 'node:buffer'

/** Bytes read at a time. */
export const PART_BYTES = 1024 * 1024
/**
 * What is read is decoded in pieces of about this size, each ending at a line end: a string this
 * small is one V8 allocates young and frees cheaply, where strings of 256 KB and more live outside
 * its heap, and decoding 50 MB of them cost 20 to 30 times as much (allocation and the collections
 * their memory set off).
 */
const DECODE_BYTES = 64 * 1024
/** A line still unfinished past this many bytes and a part is cut here and the rest of it skipped (readers look at 4,096 characters at most). */
const MAX_LINE_BYTES = 64 * 1024
const NEWLINE = 0x0a

/**
 * A UTF-8 file's text from byte `from`, in parts that end at a line end (but the last). A part is
 * decoded on its own: a line end is never inside a UTF-8 sequence, and ASCII parts, most of a log,
 * are decoded byte for byte. Memory is one part, whatever the file's size. Parts are read
 * synchronously: the reader waits for each anyway, and a 50 MB log's fifty trips through libuv's
 * thread pool cost it ~30 ms more.
 */
export async function* textParts(path: string, from = 0, partBytes = PART_BYTES): AsyncGenerator<string> {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
  try {
    // Each read goes in after the line the last part left unfinished (`kept` bytes at the buffer's
    // start, at most MAX_LINE_BYTES), so a part is never copied to join it to that line.
    const buffer = Buffer.alloc(MAX_LINE_BYTES + partBytes)
    let kept = 0
    let position = from
    let skipping = false
    if (from === 0) {
      const bytesRead = readSync(fd, buffer, 0, 3, 0)
      if (bytesRead === 3 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) position = 3
    }
    for (;;) {
      const bytesRead = readSync(fd, buffer, kept, partBytes, position)
      if (bytesRead === 0) break
      let fresh = kept
      position += bytesRead
      if (skipping) {
        // The rest of a line too long to keep: drop it up to its end.
        const end = buffer.subarray(fresh, kept + bytesRead).indexOf(NEWLINE)
        if (end < 0) continue
        fresh += end
        skipping = false
      }
      // The new bytes join what was kept (moved only after a skipped stretch).
      if (fresh > kept) buffer.copyWithin(kept, fresh, kept + bytesRead)
      const bytes = buffer.subarray(0, kept + bytesRead - (fresh - kept))
      // Whole lines go out in pieces; the unfinished line after them (all of it, with no line end) is kept.
      const lastEnd = bytes.lastIndexOf(NEWLINE)
      for (let piece = 0; piece <= lastEnd; ) {
        const end = pieceEnd(bytes, piece, lastEnd)
        yield decode(bytes.subarray(piece, end + 1))
        piece = end + 1
      }
      const unfinished = bytes.length - lastEnd - 1
      buffer.copyWithin(0, lastEnd + 1, bytes.length)
      kept = Math.min(unfinished, MAX_LINE_BYTES)
      skipping = unfinished > MAX_LINE_BYTES
    }
    if (kept) yield decode(buffer.subarray(0, kept))
  } finally {
    closeSync(fd)
  }
}

/** The line end that closes a piece starting at `from`: the last one within DECODE_BYTES, or the first after it. */
function pieceEnd(bytes: Buffer, from: number, lastEnd: number): number {
  if (lastEnd - from < DECODE_BYTES) return lastEnd
  const within = bytes.lastIndexOf(NEWLINE, from + DECODE_BYTES - 1)
  return within >= from ? within : bytes.indexOf(NEWLINE, from + DECODE_BYTES)
}

export function decode(bytes: Buffer): string {
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8')
}
