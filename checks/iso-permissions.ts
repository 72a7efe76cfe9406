import {defineCheck, type FindingInput} from '../src/engine/types.js'
import type {Facts} from '../src/facts/types.js'
import type {FreeLogSignal, FreeLogSignalKind} from '../src/parse/free-log.js'
import type {PathAccess, PathEntry} from '../src/parse/permissions.js'
import {baseName, domainLabel, domainSubject} from './lib/domain.js'
import {logLine, logSignalsOf, qemuUser, type QemuUser} from './lib/libvirt.js'

const IMAGES_DIR = '/var/lib/libvirt/images'

/**
 * Every file a domain's disks and cdroms open must be reachable by the qemu user: each directory on
 * the way needs x, the file needs r. libvirt's dynamic_ownership chowns the file itself when the VM
 * starts, never its parent directories, so a 0700 home directory is the classic failure.
 */
export default defineCheck({
  id: 'iso-permissions',
  title: 'The qemu user can open the files the domains use',
  area: 'vm',
  reports: ['iso-permissions'],
  needs: ['domains'],
  uses: ['fileAccess', 'logSignals', 'os', 'nixConfig', 'qemuConf', 'nixos'],
  run(facts, report) {
    const files = domainFiles(facts)
    const denied = signalsByPath(facts, 'iso-permission-denied')
    const notFound = signalsByPath(facts, 'file-not-found')
    if (!facts.fileAccess && denied.size === 0 && ![...notFound.keys()].some((p) => files.has(p))) {
      return report.skip('no permissions evidence: add `namei -l PATH` output for each disk and ISO the domains use')
    }
    const user = qemuUser(facts)
    // A denial proves qemu is not an unrestricted root; without a better idea, judge by the "other" bits.
    const account = user?.name === 'root' ? undefined : user
    const reported = new Set<string>()
    const missing = (path: string, file: DomainFile, evidence: string[]) => {
      report.error('iso-permissions', {
        subject: path,
        message: `${path}, the ${file.use} of ${file.domain}, does not exist: the domain cannot start with it attached.`,
        evidence,
        values: fixValues(path, parentOf(path), 'x', account?.name, file.domainName),
      })
      reported.add(path)
    }

    for (const [path, signals] of denied) {
      const file = files.get(path)
      const access = facts.fileAccess?.get(path)
      const walk = access ? firstBlocker(access, account) : undefined
      const uid = signals.find((s) => s.data?.uid)?.data?.uid
      const where = walk ? describeBlocker(walk, uid ? `uid ${uid}` : account ? who(account) : 'the qemu user') : 'run `namei -l` on the path to see which component stops it'
      report.error('iso-permissions', {
        subject: path,
        message: `qemu could not open ${path}${file ? ` (${file.use} of ${file.domain})` : ''}: permission denied; ${where}.`,
        evidence: [...signals.map(logLine), ...(access ? chainEvidence(access, walk?.entry) : []), ...userEvidence(account)],
        values: fixValues(path, walk?.entry.path ?? parentOf(path), walk?.need ?? 'x', uid ?? account?.name, file?.domainName),
      })
      reported.add(path)
    }
    for (const [path, signals] of notFound) {
      const file = files.get(path)
      if (file && !reported.has(path)) missing(path, file, signals.map(logLine))
    }

    if (!facts.fileAccess) return
    if (!user) return report.skip('cannot tell which user qemu runs as: add /etc/os-release (and on NixOS the configuration)')
    if (user.name === 'root') return report.pass(`qemu runs as root (${user.how}): file modes do not stop it`)
    for (const [path, file] of files) {
      const access = facts.fileAccess.get(path)
      if (!access || reported.has(path)) continue
      if (access.missing) {
        missing(path, file, [`permissions: ${path}: No such file or directory`])
        continue
      }
      const walk = firstBlocker(access, user)
      if (!walk) {
        report.pass(`${who(user)} can reach ${path}${access.chain[0]?.path === '/' ? '' : ' (as far as the listing shows)'}`)
        continue
      }
      const onFile = walk.need === 'r'
      const finding: FindingInput = {
        subject: path,
        message: `${file.domain}: ${describeBlocker(walk, who(user))}, so qemu cannot open its ${file.use} ${path}.${onFile && !user.ownershipOff ? relabelNote(file) : ''}`,
        evidence: [...chainEvidence(access, walk.entry), ...userEvidence(user)],
        values: fixValues(path, walk.entry.path, walk.need, user.name, file.domainName),
      }
      // On a guessed account (NixOS without its configuration), or a writable image's own mode, say it less
      // firmly: libvirt's dynamic_ownership chowns each disk to qemu's account at start and gives writable
      // ones back at stop, so root:root 0600 is how a healthy stopped VM's disk looks. Read-only media it
      // never gives back (security_dac.c), so one still unreadable has not been relabelled.
      if ((onFile && !user.ownershipOff && !file.readOnly) || !user.certain) report.warning('iso-permissions', finding)
      else report.error('iso-permissions', finding)
    }
  },
})

interface DomainFile {
  domain: string
  domainName: string
  use: string
  /** A cdrom, or a disk marked <readonly/>: libvirt chowns it at start and never gives it back. */
  readOnly: boolean
}

/** Absolute file paths of every disk and cdrom, with what uses them. */
function domainFiles(facts: Facts): Map<string, DomainFile> {
  const files = new Map<string, DomainFile>()
  for (const domain of facts.domains ?? []) {
    for (const disk of domain.disks) {
      const path = disk.sourceFile
      if (!path?.startsWith('/') || (disk.type !== undefined && disk.type !== 'file')) continue
      if (!files.has(path)) files.set(path, {domain: domainLabel(domain), domainName: domainSubject(domain), use: disk.device === 'disk' ? 'disk image' : disk.device, readOnly: disk.readonly || disk.device === 'cdrom'})
    }
  }
  return files
}

/** Why a file's own mode may or may not stop qemu once libvirt's dynamic_ownership has run. */
function relabelNote(file: DomainFile): string {
  return file.readOnly
    ? ' libvirt chowns read-only media to qemu when a VM starts and never gives them back, so this one has not been relabelled: the VM has not started with it yet, or relabelling is off or fails here (seed 001\'s ISO).'
    : ' libvirt normally chowns the file when the VM starts (dynamic_ownership), so this bites when that is off or the file is on NFS/FUSE.'
}

/** Free-log signals of one kind, by the path they name. */
function signalsByPath(facts: Facts, kind: FreeLogSignalKind): Map<string, FreeLogSignal[]> {
  const byPath = new Map<string, FreeLogSignal[]>()
  for (const signal of logSignalsOf(facts, kind)) {
    const path = signal.data?.path
    if (path) byPath.set(path, [...(byPath.get(path) ?? []), signal])
  }
  return byPath
}

interface Blocker {
  entry: PathEntry
  need: 'x' | 'r'
}

/**
 * The first directory the user cannot pass through (x) or, past them all, the file it cannot read
 * (r). The walk ends at the file itself, even when a symlink led it elsewhere.
 */
function firstBlocker(access: PathAccess, user: QemuUser | undefined): Blocker | undefined {
  const last = access.chain.length - 1
  for (const [i, entry] of access.chain.entries()) {
    if (entry.mode.startsWith('l')) continue // a symlink's own mode means nothing; namei lists its target next
    const need = i === last ? 'r' : 'x'
    if (!allows(entry, user, need)) return {entry, need}
  }
  return undefined
}

/**
 * Mode bits for this user: owner (by name or, in `ls -n` style, number), group (when known) or
 * other. A "+" (ACL) may grant more, so it never blocks.
 */
function allows(entry: PathEntry, user: QemuUser | undefined, need: 'r' | 'x'): boolean {
  if (entry.mode.endsWith('+')) return true
  const owner = user && (entry.owner === user.name || entry.owner === user.uid)
  const triad = owner ? entry.mode.slice(1, 4) : user?.group !== undefined && entry.group === user.group ? entry.mode.slice(4, 7) : entry.mode.slice(7, 10)
  return need === 'r' ? triad[0] === 'r' : /[xst]/.test(triad[2] ?? '-')
}

function describeBlocker({entry, need}: Blocker, who: string): string {
  const listed = `(${entry.mode} ${entry.owner}:${entry.group})`
  return need === 'x' ? `directory ${entry.path} ${listed} does not let ${who} through` : `${entry.path} ${listed} is not readable by ${who}`
}

function chainEvidence(access: PathAccess, blocker: PathEntry | undefined): string[] {
  return access.chain.map((e) => `permissions: ${e.mode} ${e.owner} ${e.group} ${e.path}${e === blocker ? '   <- here' : ''}`)
}

function userEvidence(user: QemuUser | undefined): string[] {
  return user ? [`qemu runs as ${user.name}${user.group ? `:${user.group}` : ''} (${user.how})`] : []
}

/** "libvirt-qemu", "uid 1000 (my-user)". */
function who(user: QemuUser): string {
  if (!user.uid) return user.name
  return user.name === user.uid ? `uid ${user.uid}` : `uid ${user.uid} (${user.name})`
}

/** `setfacl -m u:NAME:x` takes a user name or a numeric uid. */
function fixValues(path: string, blocker: string, need: 'x' | 'r', qemuAccount: string | undefined, domain: string | undefined): Record<string, string> {
  const fileName = baseName(path)
  return {
    path,
    fileName,
    blocker,
    need,
    ...(qemuAccount ? {qemuUser: qemuAccount} : {}),
    imagesDir: IMAGES_DIR,
    newPath: `${IMAGES_DIR}/${fileName}`,
    domain: domain ?? 'VM',
  }
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/')
  return i <= 0 ? '/' : path.slice(0, i)
}
