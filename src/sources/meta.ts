import {toolVersion} from '../util/version.js'
import {UsageError} from '../util/errors.js'
import type {Source, SourceStatus} from './types.js'
import {KINDS} from './kinds.js'

/** A capture's meta.json: who wrote it, when, and the status of every source it tried. */
export const META_FILE = 'meta.json'
/** Bumped when a capture's layout changes in a way older readers cannot follow. */
export const CAPTURE_FORMAT = 1

export interface CaptureMeta {
  format: number
  tool: {name: 'vfio-doctor'; version: string}
  date: string
  /** What redaction replaced ("1 user name and 2 MAC addresses"), or that it was off (--no-redact). */
  redaction?: string
  sources: Array<Omit<Source, 'text' | 'command'> & {file?: string}>
}

export function makeCaptureMeta(sources: CaptureMeta['sources'], date: Date, redaction?: string): CaptureMeta {
  return {format: CAPTURE_FORMAT, tool: {name: 'vfio-doctor', version: toolVersion()}, date: date.toISOString(), ...(redaction ? {redaction} : {}), sources}
}

/** Parses meta.json; a capture from a newer format is refused with the version that made it. */
export function checkCaptureMeta(text: string): CaptureMeta | undefined {
  let meta: unknown
  try {
    meta = JSON.parse(text)
  } catch {
    return undefined // a stray meta.json that is not ours: ignore it
  }
  if (!isMeta(meta)) return undefined
  if (meta.format > CAPTURE_FORMAT) {
    throw new UsageError(
      `this capture was made by vfio-doctor ${versionShown(meta.tool.version)} (capture format ${meta.format}); this is vfio-doctor ${toolVersion()} (format ${CAPTURE_FORMAT}): upgrade vfio-doctor to read it`,
    )
  }
  return {...meta, sources: meta.sources.filter(isRecordedSource)}
}

/** The version as a semver can spell it: meta.json is anyone's text, and this goes to a terminal. */
function versionShown(version: unknown): string {
  return (typeof version === 'string' ? version.replace(/[^0-9A-Za-z.+-]/g, '').slice(0, 40) : '') || 'of unknown version'
}

function isMeta(value: unknown): value is CaptureMeta {
  const m = value as CaptureMeta
  return typeof m === 'object' && m !== null && typeof m.format === 'number' && m.tool?.name === 'vfio-doctor' && Array.isArray(m.sources)
}

const STATUSES: ReadonlySet<unknown> = new Set<SourceStatus>(['ok', 'missing', 'denied', 'timeout', 'error'])

/** meta.json comes with the capture, from anyone: only known kinds and statuses pass. */
function isRecordedSource(s: unknown): s is CaptureMeta['sources'][number] {
  const r = s as Source
  return typeof r === 'object' && r !== null && typeof r.kind === 'string' && Object.hasOwn(KINDS, r.kind) && typeof r.origin === 'string' && STATUSES.has(r.status)
}
