import type {OsFacts} from '../facts/types.js'
import {splitLines} from './lines.js'

export function parseOsRelease(text: string): OsFacts {
  const values = new Map<string, string>()
  for (const line of splitLines(text)) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim())
    if (m) values.set(m[1]!, m[2]!.replace(/^["']|["']$/g, ''))
  }
  const os: OsFacts = {}
  const set = (key: Exclude<keyof OsFacts, 'idLike'>, from: string) => {
    const v = values.get(from)
    if (v) os[key] = v
  }
  set('id', 'ID')
  set('name', 'NAME')
  set('versionId', 'VERSION_ID')
  set('prettyName', 'PRETTY_NAME')
  const like = values.get('ID_LIKE')?.split(/\s+/).filter(Boolean)
  if (like?.length) os.idLike = like
  return os
}
