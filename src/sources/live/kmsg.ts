/**
 * The kernel log as `dmesg` prints it, read from /dev/kmsg instead of starting dmesg: each program a
 * live run starts costs it a fork of this process and execa's machinery, ~15 ms together.
 *
 * /dev/kmsg gives one record a read ("6,339,5140900,-;NET: Registered ...\n", then " KEY=value"
 * lines), from the oldest still in the ring buffer; opened non-blocking, it answers EAGAIN after the
 * newest. A record overwritten while reading gives EPIPE once, and reading goes on. The message
 * escapes bytes below 0x20 and above 0x7e as \xNN, a line break as \x0a: they are decoded as dmesg
 * decodes them, and a message's later lines are indented under its first, as dmesg does.
 * Under --root a regular file in the kmsg format stands for the device (tests plant one).
 */
import {closeSync, constants, fstatSync, openSync, readSync} from 'node:fs'
import type {Source} from '../types.js'
import {hostPath, type LiveContext} from './context.js'
import {errorStatus} from './files.js'

const KMSG = '/dev/kmsg'
/** The kernel refuses a read into less than the longest record it may give (CONSOLE_EXT_LOG_MAX). */
const RECORD_BUFFER = 8192
/** The ring buffer is at most 32 MiB of text (log_buf_len); past this the rest is left out. */
export const MAX_KMSG_BYTES = 64 * 1024 * 1024

export function kmsgSource(ctx: LiveContext): Source {
  const base = {kind: 'kernelLog' as const, origin: KMSG}
  let fd: number
  try {
    fd = openSync(hostPath(ctx, KMSG), constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (err) {
    return {...base, ...errorStatus(err, KMSG)}
  }
  try {
    const st = fstatSync(fd)
    if (!st.isCharacterDevice() && !st.isFile()) return {...base, status: 'error', reason: `${KMSG} is neither the kernel's device nor a file`}
    return {...base, status: 'ok', text: dmesgText(readRecords(fd))}
  } catch (err) {
    return {...base, ...errorStatus(err, KMSG)}
  } finally {
    closeSync(fd)
  }
}

function readRecords(fd: number): string {
  const buffer = Buffer.allocUnsafe(RECORD_BUFFER)
  const chunks: Buffer[] = []
  let total = 0
  while (total < MAX_KMSG_BYTES) {
    let n: number
    try {
      n = readSync(fd, buffer, 0, RECORD_BUFFER, null)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'EAGAIN') break
      if (code === 'EPIPE') continue
      throw err
    }
    if (n === 0) break
    chunks.push(Buffer.from(buffer.subarray(0, n)))
    total += n
  }
  return Buffer.concat(chunks).toString('utf8')
}

const RECORD = /^(\d+),\d+,(\d+),[^;]*;(.*)$/

/** Records to dmesg's lines: "[    5.140900] NET: Registered ...". Dictionary lines (" SUBSYSTEM=pci") are not printed. */
export function dmesgText(records: string): string {
  const lines: string[] = []
  for (const line of records.split('\n')) {
    const record = RECORD.exec(line)
    if (!record) continue
    const micros = BigInt(record[2]!)
    const stamp = `[${String(micros / 1_000_000n).padStart(5)}.${String(micros % 1_000_000n).padStart(6, '0')}] `
    lines.push(stamp + unescape(record[3]!).split('\n').join('\n' + ' '.repeat(stamp.length)))
  }
  return lines.length ? lines.join('\n') + '\n' : ''
}

/** \xNN runs back to their bytes, read as UTF-8; control characters other than tab and line break stay escaped. */
function unescape(message: string): string {
  return message.replace(/(?:\\x[0-9a-f]{2})+/g, (run) =>
    Buffer.from(run.replaceAll('\\x', ''), 'hex')
      .toString('utf8')
      .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`),
  )
}
