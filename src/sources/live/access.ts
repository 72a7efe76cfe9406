import {lstatSync, type Stats} from 'node:fs'
import type {Source} from '../types.js'
import {hostPath, type LiveContext} from './context.js'
import {listDir} from './files.js'
import {readRegularFile} from '../regular-file.js'

/** uid/gid -> name from the host's /etc/passwd and /etc/group. */
export interface Accounts {
  users: Map<number, string>
  groups: Map<number, string>
  /** group name -> member user names (supplementary). */
  members: Map<string, string[]>
  /** user name -> [uid, primary gid]. */
  byName: Map<string, [number, number]>
}

const accountsCache = new WeakMap<LiveContext, Promise<Accounts>>()

/** Read once per run: several collectors need names for uids. */
export function readAccounts(ctx: LiveContext): Promise<Accounts> {
  let accounts = accountsCache.get(ctx)
  if (!accounts) accountsCache.set(ctx, (accounts = loadAccounts(ctx)))
  return accounts
}

async function loadAccounts(ctx: LiveContext): Promise<Accounts> {
  const read = (p: string) => readRegularFile(hostPath(ctx, p)).then((b) => b.toString('utf8'), () => '')
  const [passwd, group] = await Promise.all([read('/etc/passwd'), read('/etc/group')])
  const accounts: Accounts = {users: new Map(), groups: new Map(), members: new Map(), byName: new Map()}
  for (const line of passwd.split('\n')) {
    const [name, , uid, gid] = line.split(':')
    if (name && uid && gid) {
      accounts.users.set(Number(uid), name)
      accounts.byName.set(name, [Number(uid), Number(gid)])
    }
  }
  for (const line of group.split('\n')) {
    const [name, , gid, members] = line.split(':')
    if (!name || gid === undefined) continue
    accounts.groups.set(Number(gid), name)
    accounts.members.set(name, (members ?? '').split(',').filter(Boolean))
  }
  return accounts
}

function lstatOrError(path: string): Stats | NodeJS.ErrnoException {
  try {
    return lstatSync(path)
  } catch (err) {
    return err as NodeJS.ErrnoException
  }
}

/** `ls -l` mode string from st.mode: "drwx------", "crw-rw----". */
export function modeString(st: Stats): string {
  const type = st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : st.isCharacterDevice() ? 'c' : st.isBlockDevice() ? 'b' : st.isFIFO() ? 'p' : st.isSocket() ? 's' : '-'
  const bits = 'rwxrwxrwx'
  let perms = ''
  for (let i = 0; i < 9; i++) perms += st.mode & (1 << (8 - i)) ? bits[i] : '-'
  const chars = perms.split('')
  if (st.mode & 0o4000) chars[2] = chars[2] === 'x' ? 's' : 'S'
  if (st.mode & 0o2000) chars[5] = chars[5] === 'x' ? 's' : 'S'
  if (st.mode & 0o1000) chars[8] = chars[8] === 'x' ? 't' : 'T'
  return type + chars.join('')
}

function owner(st: Stats, accounts: Accounts): [string, string] {
  return [accounts.users.get(st.uid) ?? String(st.uid), accounts.groups.get(st.gid) ?? String(st.gid)]
}

/**
 * `namei -l PATH` output for each path: every component from / with its mode, owner and group, so
 * a check can name the first one the qemu user cannot traverse.
 */
export async function nameiText(ctx: LiveContext, paths: string[], accounts: Accounts): Promise<string> {
  const blocks: string[] = []
  for (const path of paths) {
    const lines = [`f: ${path}`]
    const parts = path.split('/').filter(Boolean)
    let current = ''
    for (const [i, part] of ['/', ...parts].entries()) {
      current = i === 0 ? '/' : `${current === '/' ? '' : current}/${part}`
      const st = lstatOrError(hostPath(ctx, current))
      if (st instanceof Error) {
        lines.push(` ${part} - ${st.code === 'ENOENT' ? 'No such file or directory' : 'Permission denied'}`)
        break
      }
      const [user, group] = owner(st, accounts)
      // As namei prints it: no indent before the mode (the parser reads namei's own layout).
      lines.push(`${modeString(st)} ${user} ${group} ${part}`)
    }
    blocks.push(lines.join('\n'))
  }
  return blocks.join('\n') + '\n'
}

/** `ls -ld` lines for device nodes; absent ones as ls reports them. */
export async function lsText(ctx: LiveContext, paths: string[], accounts: Accounts): Promise<string> {
  const lines: string[] = []
  for (const path of paths) {
    const st = lstatOrError(hostPath(ctx, path))
    if (st instanceof Error) {
      lines.push(`ls: cannot access '${path}': No such file or directory`)
      continue
    }
    const [user, group] = owner(st, accounts)
    const size = st.isCharacterDevice() || st.isBlockDevice() ? `${Math.floor(st.rdev / 256)}, ${st.rdev % 256}` : String(st.size)
    lines.push(`${modeString(st)} 1 ${user} ${group} ${size} Jan  1 00:00 ${path}`)
  }
  return lines.join('\n') + '\n'
}

/** /dev nodes that passthrough depends on: kvm, vfio, Looking Glass shm and kvmfr. */
export async function collectDevNodes(ctx: LiveContext, accounts: Accounts): Promise<Source> {
  const vfio = (await listDir(ctx, '/dev/vfio'))?.map((n) => `/dev/vfio/${n}`) ?? []
  const kvmfr = (await listDir(ctx, '/dev'))?.filter((n) => /^kvmfr\d+$/.test(n)).map((n) => `/dev/${n}`) ?? []
  const shm = (await listDir(ctx, '/dev/shm'))?.filter((n) => /looking-glass|scream/.test(n)).map((n) => `/dev/shm/${n}`) ?? []
  const paths = ['/dev/kvm', '/dev/vfio', ...vfio, ...kvmfr, ...(shm.length ? shm : ['/dev/shm/looking-glass'])]
  return {kind: 'devNodes', origin: 'ls -ld /dev/kvm /dev/vfio ...', status: 'ok', text: await lsText(ctx, paths, accounts)}
}

/** The person's groups in `id` format, from /etc/passwd and /etc/group (no command needed). */
export function userGroupsSource(user: string, accounts: Accounts): Source {
  const entry = accounts.byName.get(user)
  if (!entry) return {kind: 'userGroups', origin: '/etc/group', status: 'missing', reason: `user ${user} is not in /etc/passwd`}
  const [uid, gid] = entry
  const gids = new Set([gid])
  for (const [g, name] of accounts.groups) if (accounts.members.get(name)?.includes(user)) gids.add(g)
  const groups = [...gids].map((g) => `${g}(${accounts.groups.get(g) ?? g})`).join(',')
  const text = `uid=${uid}(${user}) gid=${gid}(${accounts.groups.get(gid) ?? gid}) groups=${groups}\n`
  return {kind: 'userGroups', origin: '/etc/passwd, /etc/group', status: 'ok', text}
}
