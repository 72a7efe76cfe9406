import {UsageError} from '../util/errors.js'

export interface Resolution {
  width: number
  height: number
}

/** `--looking-glass 2560x1440`: the guest's screen, which sizes Looking Glass's shared memory. */
export function parseResolution(text: string): Resolution {
  const m = /^(\d{3,5})[x\u00d7](\d{3,5})$/i.exec(text.trim())
  if (!m) throw new UsageError(`--looking-glass ${text}: expected WIDTHxHEIGHT, like 2560x1440`)
  return {width: Number(m[1]), height: Number(m[2])}
}
