import type {Source} from '../sources/types.js'

/**
 * Evidence is anyone's text: an escape sequence in a pasted log or a file name would reach the
 * reader's terminal (clear it, retitle it, hide lines with carriage returns). Every control
 * character but tab and newline is shown as U+FFFD in what is printed, a run of them as at most
 * MAX_SHOWN_RUN (a log written during a crash holds megabytes of NULs); CRLF line ends become LF.
 */
const MAX_SHOWN_RUN = 8
const CONTROL_RUN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]+/g
const ANY_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/

export function printableText(text: string): string {
  // Most text has none: a 200 MB log is not copied to find that out.
  if (!ANY_CONTROL.test(text)) return text
  return text.replace(/\r\n/g, '\n').replace(CONTROL_RUN, (run) => '\ufffd'.repeat(Math.min(run.length, MAX_SHOWN_RUN)))
}

/**
 * A source as a report shows it, made printable: its strings and a streamed log's kept lines. What
 * the readers found in a streamed log (`digest.read`: the parsed log, the names a redactor learns)
 * is never printed, and it is large: it stays as it is.
 */
export function printableSource(source: Source): Source {
  const {digest, ...rest} = source
  const shown = printable(rest)
  return digest ? {...shown, digest: {...digest, kept: digest.kept.map((l) => ({n: l.n, text: printableText(l.text)}))}} : shown
}

/** Every string in plain data (objects, arrays), made printable; keys and shape stay. */
export function printable<T>(value: T): T {
  if (typeof value === 'string') return printableText(value) as T
  if (Array.isArray(value)) return value.map(printable) as T
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, printable(v)])) as T
  return value
}
