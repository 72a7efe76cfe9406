import {toolVersion} from '../util/version.js'

/** A paste service: where to POST and how (the raw body, or a multipart form field `file`). */
export interface PasteService {
  name: string
  url: string
  body: 'raw' | 'multipart'
}

/** paste.rs: POST the text, the answer's body is the link; 206 means it kept only the start. */
export const PASTE_RS: PasteService = {name: 'paste.rs', url: 'https://paste.rs/', body: 'raw'}
/** 0x0.st: a form with the file in the field `file`; the answer's body is the link. */
export const NULL_POINTER: PasteService = {name: '0x0.st', url: 'https://0x0.st/', body: 'multipart'}

export const SHARE_TIMEOUT_MS = 20_000

export type ShareResult = {ok: true; url: string; service: string; truncated: boolean} | {ok: false; message: string}

export interface ShareOptions {
  /** --share-url or VFIO_DOCTOR_SHARE_URL: this service only, no fallback. */
  url?: string
  timeoutMs?: number
}

/** The services to try, in order: the person's own, or paste.rs then 0x0.st. */
export function servicesFor(url?: string): PasteService[] {
  if (!url) return [PASTE_RS, NULL_POINTER]
  const host = safeHost(url)
  return [{name: host ?? url, url, body: host === '0x0.st' ? 'multipart' : 'raw'}]
}

/**
 * Uploads the report and returns its link, or one line saying what went wrong with each service
 * tried. Never throws: sharing is an extra, the report has already been printed.
 */
export async function shareReport(text: string, options: ShareOptions = {}): Promise<ShareResult> {
  const failures: string[] = []
  for (const service of servicesFor(options.url)) {
    const result = await uploadTo(service, text, options.timeoutMs ?? SHARE_TIMEOUT_MS)
    if (result.ok) return result
    failures.push(`${service.name}: ${result.message}`)
  }
  return {ok: false, message: `could not share the report (${failures.join('; ')})`}
}

async function uploadTo(service: PasteService, text: string, timeoutMs: number): Promise<ShareResult> {
  const headers: Record<string, string> = {'user-agent': `vfio-doctor/${toolVersion()}`}
  let body: string | FormData
  if (service.body === 'multipart') {
    body = new FormData()
    body.append('file', new Blob([text], {type: 'text/markdown'}), 'vfio-doctor-report.md')
  } else {
    body = text
    headers['content-type'] = 'text/plain; charset=utf-8'
  }
  let response: Response
  try {
    response = await fetch(service.url, {method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs)})
  } catch (err) {
    return {ok: false, message: networkMessage(err, timeoutMs)}
  }
  const answer = await readLimited(response, MAX_ANSWER_BYTES).catch(() => '')
  if (!response.ok) {
    const said = printableLine(firstLine(answer)).slice(0, 120)
    const statusText = printableLine(response.statusText)
    const status = `HTTP ${response.status}${statusText ? ` ${statusText}` : ''}`
    return {ok: false, message: said && said !== statusText ? `${status}: ${said}` : status}
  }
  // A link is printed to a terminal: printable ASCII only, so an answer cannot move the cursor or retitle the window.
  const link = firstLine(answer)
  if (!/^https?:\/\/[\x21-\x7e]{1,2000}$/.test(link) || !safeHost(link)) return {ok: false, message: `HTTP ${response.status} without a link in the answer`}
  return {ok: true, url: link, service: service.name, truncated: response.status === 206}
}

/** A paste service answers with a link: more than this is not one (an endless answer is cut here). */
const MAX_ANSWER_BYTES = 4096

async function readLimited(response: Response, limit: number): Promise<string> {
  const reader = response.body?.getReader()
  if (!reader) return ''
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    while (size < limit) {
      const {done, value} = await reader.read()
      if (done) break
      chunks.push(value)
      size += value.length
    }
  } finally {
    await reader.cancel().catch(() => undefined)
  }
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, limit))
}

/** Control characters (escape sequences among them) removed. */
function printableLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
}

function networkMessage(err: unknown, timeoutMs: number): string {
  const e = err as Error & {cause?: {code?: string; message?: string}}
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}`
  const cause = e.cause?.code ?? e.cause?.message
  return cause ? `${e.message} (${cause})` : e.message
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.trim() ?? ''
}

function safeHost(url: string): string | undefined {
  try {
    return new URL(url).host
  } catch {
    return undefined
  }
}
