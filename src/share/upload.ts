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
  const answer = await response.text().catch(() => '')
  if (!response.ok) {
    const said = firstLine(answer).slice(0, 120)
    const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`
    return {ok: false, message: said && said !== response.statusText ? `${status}: ${said}` : status}
  }
  const link = firstLine(answer)
  if (!/^https?:\/\/\S+$/.test(link)) return {ok: false, message: `HTTP ${response.status} without a link in the answer`}
  return {ok: true, url: link, service: service.name, truncated: response.status === 206}
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
