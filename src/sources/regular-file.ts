import {closeSync, constants, fstatSync, openSync, readSync} from 'node:fs'

/**
 * A regular file's bytes. Opened non-blocking, so a named pipe where a file should be (on a host,
 * or in an evidence folder) is refused instead of waiting forever for a writer; a folder, socket
 * or device fails with code ENOTREG.
 *
 * The reading itself is synchronous: a live run reads a few hundred small files from /proc and
 * /sys, and each of the four steps through libuv's thread pool cost more than the step itself.
 * The promise stays, so that callers need not care.
 */
export async function readRegularFile(path: string, options: {tailBytes?: number; maxBytes?: number; headBytes?: number} = {}): Promise<Buffer> {
  let fd: number
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (err) {
    // A socket cannot be opened at all (ENXIO): it is not a file either.
    throw (err as NodeJS.ErrnoException).code === 'ENXIO' ? notRegular(path) : err
  }
  try {
    const st = fstatSync(fd)
    if (!st.isFile()) throw notRegular(path)
    if (options.maxBytes !== undefined && st.size > options.maxBytes) throw Object.assign(new Error(`${path} is larger than ${options.maxBytes} bytes`), {code: 'EFBIG'})
    // Only the start of a big file: what it holds is told from there.
    if (options.headBytes !== undefined && st.size > options.headBytes) return readAt(fd, options.headBytes, 0)
    // Only the end of a long log: a qemu log that has grown to gigabytes is not read whole.
    if (options.tailBytes !== undefined && st.size > options.tailBytes) return readAt(fd, options.tailBytes, st.size - options.tailBytes)
    return readToEnd(fd, st.size)
  } finally {
    closeSync(fd)
  }
}

function readAt(fd: number, length: number, position: number): Buffer {
  const bytes = Buffer.alloc(length)
  return bytes.subarray(0, readSync(fd, bytes, 0, length, position))
}

/** To the end, however long: a sysfs or /proc file says 4096 bytes or 0 whatever it holds. */
function readToEnd(fd: number, size: number): Buffer {
  const chunks: Buffer[] = []
  let chunk = Buffer.allocUnsafe(Math.max(size, 4096))
  let filled = 0
  for (;;) {
    const n = readSync(fd, chunk, filled, chunk.length - filled, null)
    if (n === 0) break
    filled += n
    if (filled === chunk.length) {
      chunks.push(chunk)
      chunk = Buffer.allocUnsafe(chunk.length)
      filled = 0
    }
  }
  chunks.push(chunk.subarray(0, filled))
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)
}

function notRegular(path: string): Error {
  return Object.assign(new Error(`${path} is not a regular file`), {code: 'ENOTREG'})
}
