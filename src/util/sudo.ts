/** A Unix owner, as chown takes it. */
export interface Owner {
  uid: number
  gid: number
}

/** The largest id a person can have: 2^32 - 1 is (uid_t)-1, which tells chown "leave it". */
const MAX_ID = 2 ** 32 - 2

/**
 * The person who ran `sudo vfio-doctor`, from SUDO_UID and SUDO_GID, when this process is root.
 * Undefined otherwise: a user's SUDO_UID is left over from somewhere else (and chown would fail),
 * and a value that is not a decimal id is no one's.
 */
export function sudoCaller(env: NodeJS.ProcessEnv = process.env, uid = process.getuid?.()): Owner | undefined {
  if (uid !== 0) return undefined
  const callerUid = decimalId(env.SUDO_UID)
  const callerGid = decimalId(env.SUDO_GID)
  return callerUid === undefined || callerGid === undefined ? undefined : {uid: callerUid, gid: callerGid}
}

function decimalId(text: string | undefined): number | undefined {
  if (!text || !/^\d{1,10}$/.test(text)) return undefined
  const id = Number(text)
  return id <= MAX_ID ? id : undefined
}
