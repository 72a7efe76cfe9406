import {constants} from 'node:fs'
import {open} from 'node:fs/promises'

/**
 * A regular file's bytes. Opened non-blocking, so a named pipe where a file should be (on a host,
 * or in an evidence folder) is refused instead of waiting forever for a writer; a folder, socket
 * or device fails with code ENOTREG.
 */
export async function readRegularFile(path: string, options: {tailBytes?: number; maxBytes?: number; headBytes?: number} = {}): Promise<Buffer> {
  // A socket cannot be opened at all (ENXIO): it is not a file either.
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch((err: NodeJS.ErrnoException) => {
    throw err.code === 'ENXIO' ? notRegular(path) : err
  })
  try {
    const st = await handle.stat()
    if (!st.isFile()) throw notRegular(path)
    if (options.maxBytes !== undefined && st.size > options.maxBytes) throw Object.assign(new Error(`${path} is larger than ${options.maxBytes} bytes`), {code: 'EFBIG'})
    // Only the start of a big file: what it holds is told from there.
    if (options.headBytes !== undefined && st.size > options.headBytes) {
      const head = Buffer.alloc(options.headBytes)
      const {bytesRead} = await handle.read(head, 0, options.headBytes, 0)
      return head.subarray(0, bytesRead)
    }
    // Only the end of a long log: a qemu log that has grown to gigabytes is not read whole.
    if (options.tailBytes !== undefined && st.size > options.tailBytes) {
      const tail = Buffer.alloc(options.tailBytes)
      const {bytesRead} = await handle.read(tail, 0, options.tailBytes, st.size - options.tailBytes)
      return tail.subarray(0, bytesRead)
    }
    return await handle.readFile()
  } finally {
    await handle.close()
  }
}

function notRegular(path: string): Error {
  return Object.assign(new Error(`${path} is not a regular file`), {code: 'ENOTREG'})
}
