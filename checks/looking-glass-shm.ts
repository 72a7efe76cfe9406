import {defineCheck, type Reporter} from '../src/engine/types.js'
import type {Facts} from '../src/facts/types.js'
import type {FreeLogSignal} from '../src/parse/free-log.js'
import {moduleKey} from '../src/parse/modprobe.js'
import {domainLabel, domainSubject} from './lib/domain.js'
import {isNixos} from './lib/host.js'
import {logLine, logSignalsOf, qemuUser} from './lib/libvirt.js'
import {
  canReadWrite,
  formatMiB,
  isLookingGlassPath,
  isPowerOfTwo,
  LIBVIRT_DEFAULT_SHMEM_BYTES,
  lookingGlassMemories,
  nodeAt,
  requiredMiB,
  resolutionsFor,
  ruleEvidence,
  shmTmpfilesRules,
  type Account,
  type LookingGlassMemory,
  type TmpfilesRule,
} from './lib/looking-glass.js'

const MIB = 1024 * 1024
/** The client's default file (app:shmFile). */
const DEFAULT_SHM = '/dev/shm/looking-glass'
/** 1920x1080 SDR needs 32 MiB; less is a setup for small guests only. */
const FULL_HD_MIB = 32
/** Looking Glass keeps 10 MiB for itself: at or below that no frame fits at all. */
const OVERHEAD_MIB = 10
/** Guides tell people to fill these in; systemd-tmpfiles cannot resolve them. */
const PLACEHOLDER_USER = /^(?:your[-_]?user(?:name)?(?:[-_]?here)?|user|username|<[^>]*>|\{\{.*\}\})$/i

/**
 * Looking Glass reads frames from a file the guest's IVSHMEM device maps: /dev/shm/looking-glass (or
 * /dev/kvmfr0). It must be big enough for two frames plus 10 MiB, readable and writable by both the
 * person running the client and the qemu user, and it must be the file the domain's <shmem> names.
 */
export default defineCheck({
  id: 'looking-glass-shm',
  title: "Looking Glass's shared memory is big enough and open to you and to qemu",
  area: 'looking-glass',
  reports: ['looking-glass-shm'],
  needs: [],
  uses: ['domains', 'devNodes', 'fileAccess', 'nixConfig', 'qemuConf', 'user', 'os', 'modules', 'modprobe', 'logSignals'],
  run(facts, report) {
    const memories = (facts.domains ?? []).flatMap(lookingGlassMemories)
    const rules = shmTmpfilesRules(facts).filter((rule) => isLookingGlassPath(rule.path))
    const mismatch = logSignalsOf(facts, 'lg-version-mismatch')
    const tooSmall = logSignalsOf(facts, 'lg-shm-too-small')
    const denied = logSignalsOf(facts, 'shm-permission')
    if (memories.length === 0 && rules.length === 0 && mismatch.length === 0 && tooSmall.length === 0 && denied.length === 0) {
      return report.skip(facts.domains ? 'no domain uses Looking Glass (no <shmem name="looking-glass">, no kvmfr)' : 'no domain XML: add `virsh dumpxml VM` output')
    }
    const ctx = context(facts, rules)
    const unseen: string[] = []
    for (const memory of memories) {
      checkSize(memory, tooSmall, ctx, report)
      const seen = memory.kind === 'kvmfr' ? checkKvmfr(memory, ctx, report) : checkShmFile(memory, denied, ctx, report)
      if (!seen) unseen.push(memory.path)
    }
    checkRules(memories, rules, ctx, report)
    checkClientPath(memories, rules, ctx, report)
    reportLeftoverSignals(memories, denied, tooSmall, ctx, report)
    if (mismatch.length > 0) {
      const versions = mismatch.find((s) => s.data?.expected)?.data
      report.error('looking-glass-shm', {
        subject: 'looking-glass-host',
        message: `The Looking Glass client and the host application in the guest are different versions${versions ? ` (the client expects ${versions.expected}, the host has ${versions.got ?? 'another'})` : ''}: install the host application of the client's exact release.`,
        evidence: mismatch.map(logLine),
        values: ctx.values({}),
      })
    }
    if (unseen.length) report.skip(`cannot see ${unseen.join(', ')}: add \`ls -l ${unseen.join(' ')}\` as dev-nodes.txt`)
  },
})

interface Context {
  facts: Facts
  client?: {account: Account; how: string}
  qemu?: {account: Account; how: string}
  rules: TmpfilesRule[]
  /** Fix placeholders, defaults first, the finding's own values over them. */
  values(own: Record<string, string>): Record<string, string>
}

function context(facts: Facts, rules: TmpfilesRule[]): Context {
  const client = clientAccount(facts, rules)
  const qemu = qemuAccount(facts)
  const qemuGroup = qemu && qemu.account.name !== 'root' ? qemu.account.groups[0]! : isNixos(facts) ? 'qemu-libvirtd' : 'kvm'
  const base: Record<string, string> = {shmPath: DEFAULT_SHM, shmName: 'looking-glass', sizeMiB: String(FULL_HD_MIB), qemuGroup, domain: 'VM'}
  if (client) base.user = client.account.name
  return {facts, rules, ...(client ? {client} : {}), ...(qemu ? {qemu} : {}), values: (own) => ({...base, ...own})}
}

/** Who runs the client: the person the evidence is from (`id`), else the user the tmpfiles rule names. */
function clientAccount(facts: Facts, rules: TmpfilesRule[]): Context['client'] {
  if (facts.user?.name && facts.user.name !== 'root') return {account: {name: facts.user.name, groups: facts.user.groups}, how: '`id` output'}
  const named = rules.find((rule) => rule.user && !PLACEHOLDER_USER.test(rule.user))?.user
  if (named) return {account: {name: named, groups: nixGroupsOf(facts, named)}, how: 'the tmpfiles rule'}
  return undefined
}

/** The qemu account when we know it; distributions other than NixOS put it in kvm too. */
function qemuAccount(facts: Facts): Context['qemu'] {
  const user = qemuUser(facts)
  if (!user?.certain) return undefined
  const extra = isNixos(facts) ? nixGroupsOf(facts, user.name) : ['kvm']
  return {account: {name: user.name, groups: [...(user.group ? [user.group] : []), ...extra]}, how: user.how}
}

function nixGroupsOf(facts: Facts, user: string): string[] {
  return (facts.nixConfig ?? []).flatMap((c) => c.userGroups.filter((u) => u.user === user).flatMap((u) => u.groups.flatMap((g) => g.value ?? [])))
}

function memoryEvidence(memory: LookingGlassMemory): string {
  return `${domainLabel(memory.domain)}: ${memory.element}`
}

function memoryValues(memory: LookingGlassMemory, ctx: Context, sizeMiB?: number): Record<string, string> {
  const own: Record<string, string> = {shmPath: memory.path, domain: domainSubject(memory.domain)}
  if (memory.shmem) own.shmName = memory.shmem.name
  const size = sizeMiB ?? (memory.sizeBytes && isPowerOfTwo(memory.sizeBytes) && memory.sizeBytes >= FULL_HD_MIB * MIB ? memory.sizeBytes / MIB : undefined)
  if (size !== undefined) own.sizeMiB = String(size)
  return ctx.values(own)
}

/** The size the domain gives, against the formula; a "too small" message from Looking Glass settles it. */
function checkSize(memory: LookingGlassMemory, tooSmall: FreeLogSignal[], ctx: Context, report: Reporter): void {
  if (memory.kind === 'kvmfr' && memory.sizeBytes === undefined) return
  const bytes = memory.sizeBytes ?? LIBVIRT_DEFAULT_SHMEM_BYTES
  const miB = bytes / MIB
  const given = memory.sizeBytes === undefined ? `has no <size>, so libvirt gives it ${formatMiB(bytes)}` : `is ${formatMiB(bytes)}`
  const what = `${domainLabel(memory.domain)}: ${memory.path} ${given}`
  const evidence = [memoryEvidence(memory)]
  if (memory.kind === 'shmem' && (!isPowerOfTwo(bytes) || bytes < MIB)) {
    return report.error('looking-glass-shm', {
      subject: memory.path,
      message: `${what}: libvirt refuses a shmem size that is not a power of two of at least 1 MiB, so the domain does not start.`,
      evidence,
      values: memoryValues(memory, ctx, Math.max(FULL_HD_MIB, 2 ** Math.ceil(Math.log2(miB)))),
    })
  }
  const {fits, next} = resolutionsFor(bytes)
  const goodFor = fits ? `enough for frames up to ${fits} (SDR)` : 'too small for any frame'
  const nextText = next ? `; ${next.resolution} needs ${next.miB} MiB` : ''
  if (tooSmall.length > 0) {
    const recommended = Math.max(...tooSmall.map((s) => Number(s.data?.recommendedMiB ?? 0)), 2 * miB)
    return report.error('looking-glass-shm', {
      subject: memory.path,
      message: `${what} and Looking Glass says it is too small for the guest's resolution: make it ${recommended} MiB.`,
      evidence: [...evidence, ...tooSmall.map(logLine)],
      values: memoryValues(memory, ctx, recommended),
    })
  }
  const screen = ctx.facts.lookingGlassResolution
  if (screen) {
    const needed = requiredMiB(screen.width, screen.height)
    const at = `${screen.width}x${screen.height}`
    if (miB < needed) {
      return report.error('looking-glass-shm', {
        subject: memory.path,
        message: `${what}: Looking Glass at ${at} needs ${needed} MiB (two frames of ${at} at 4 bytes a pixel, plus 10 MiB, rounded up to a power of two); the bottom of the screen is cut off or the client refuses.`,
        evidence,
        values: memoryValues(memory, ctx, needed),
      })
    }
    return report.pass(`${what}: enough for ${at} (${needed} MiB needed)`)
  }
  if (miB <= OVERHEAD_MIB) {
    return report.error('looking-glass-shm', {
      subject: memory.path,
      message: `${what}: Looking Glass needs ${OVERHEAD_MIB} MiB for itself plus two frames, so no frame fits (1920x1080 needs ${FULL_HD_MIB} MiB).`,
      evidence,
      values: memoryValues(memory, ctx, FULL_HD_MIB),
    })
  }
  if (miB < FULL_HD_MIB) {
    return report.warning('looking-glass-shm', {
      subject: memory.path,
      message: `${what}: ${goodFor}${nextText}. A larger guest screen is cut off at the bottom.`,
      evidence,
      values: memoryValues(memory, ctx, FULL_HD_MIB),
    })
  }
  report.pass(`${what}: ${goodFor}${nextText}`)
}

/** /dev/shm/NAME: there (or made at boot by a rule), not older and smaller than the domain's size, open to both users. */
function checkShmFile(memory: LookingGlassMemory, denied: FreeLogSignal[], ctx: Context, report: Reporter): boolean {
  const node = nodeAt(ctx.facts, memory.path)
  const signals = denied.filter((s) => signalPath(s) === memory.path)
  const rule = ctx.rules.find((r) => r.path === memory.path)
  if (!node && signals.length === 0) return false
  const evidence = [memoryEvidence(memory), ...(node ? [node.evidence] : []), ...signals.map(logLine), ...(rule ? [ruleEvidence(rule)] : [])]
  if (node && !node.exists) {
    const who = ctx.qemu ? `${ctx.qemu.account.name} (${ctx.qemu.how})` : 'the qemu user'
    report.warning('looking-glass-shm', {
      subject: memory.path,
      message: rule
        ? `${memory.path} does not exist although a tmpfiles rule makes it: the rule has not run since boot or the file was deleted. If the VM starts first, QEMU creates it as ${who} and the client cannot open it.`
        : `${memory.path} does not exist and nothing creates it for you: QEMU will create it as ${who} when ${domainSubject(memory.domain)} starts, and the client cannot open it.`,
      evidence,
      values: memoryValues(memory, ctx),
    })
    return true
  }
  if (node?.size && memory.sizeBytes && node.size < memory.sizeBytes) {
    report.error('looking-glass-shm', {
      subject: memory.path,
      message: `${memory.path} is ${formatMiB(node.size)} but ${domainLabel(memory.domain)} asks for ${formatMiB(memory.sizeBytes)}: QEMU will not start the VM ("backing store size ... does not match 'size' option") until the old file is deleted.`,
      evidence,
      values: memoryValues(memory, ctx),
    })
    return true
  }
  const blocked = node ? blockedAccounts(node, ctx) : []
  if (blocked.length > 0 || signals.length > 0) {
    evidence.push(...accountEvidence(ctx))
    const state = node ? `${node.path} is ${node.mode} ${node.owner}:${node.group}` : `${memory.path} could not be opened`
    const whom = blocked.length ? `: ${blocked.join(' and ')} cannot read and write it` : ''
    const cause = rule && node ? ` The tmpfiles rule asks for ${rule.mode ?? '?'} ${rule.user ?? '?'}:${rule.group ?? '?'}, so something else made it: QEMU, as its own user, when the file was missing at VM start (after \`rm ${memory.path}\`, seed 001's resize step), or a command run with sudo.` : ''
    report.error('looking-glass-shm', {
      subject: memory.path,
      message: `${state}${whom}.${cause}`,
      evidence,
      values: memoryValues(memory, ctx),
    })
    return true
  }
  if (node) report.pass(`${memory.path}: ${node.mode} ${node.owner}:${node.group}, open to ${[ctx.client?.account.name, ctx.qemu?.account.name].filter(Boolean).join(' and ') || 'its owner and group'}`)
  return true
}

/** Whom the verdict is about, and how we know: "client: vini (`id` output)". */
function accountEvidence(ctx: Context): string[] {
  return [ctx.client, ctx.qemu].flatMap((who, i) => (who ? [`${i === 0 ? 'client' : 'qemu'}: ${who.account.name}, groups ${who.account.groups.join(' ') || 'none'} (${who.how})`] : []))
}

/** Who of the client user and the qemu user the mode bits keep out, described. */
function blockedAccounts(node: NonNullable<ReturnType<typeof nodeAt>>, ctx: Context): string[] {
  const blocked: string[] = []
  if (ctx.client) {
    if (canReadWrite(node, ctx.client.account) === false) blocked.push(`you (${ctx.client.account.name}, the client)`)
  } else if (systemOnly(node, ctx)) blocked.push('no ordinary user (the client)')
  if (ctx.qemu && canReadWrite(node, ctx.qemu.account) === false) blocked.push(`qemu (${ctx.qemu.account.name}, ${ctx.qemu.how})`)
  return blocked
}

const SYSTEM_ACCOUNTS = new Set(['root', 'qemu', 'libvirt-qemu', 'qemu-libvirtd'])

/** Without knowing the client user: a file only root or qemu's own account may write shuts every user out. */
function systemOnly(node: NonNullable<ReturnType<typeof nodeAt>>, ctx: Context): boolean {
  const mode = node.mode ?? ''
  if (mode.endsWith('+') || mode[8] === 'w') return false
  const systemGroup = SYSTEM_ACCOUNTS.has(node.group ?? '') || node.group === ctx.qemu?.account.groups[0]
  return SYSTEM_ACCOUNTS.has(node.owner ?? '') && (systemGroup || mode[5] !== 'w')
}

/** /dev/kvmfr0 is the kvmfr module's character device; QEMU makes a plain file there when the module was not loaded. */
function checkKvmfr(memory: LookingGlassMemory, ctx: Context, report: Reporter): boolean {
  const node = nodeAt(ctx.facts, memory.path)
  const loaded = ctx.facts.modules?.loaded.has('kvmfr')
  const staticSize = ctx.facts.modprobe?.options.find((o) => moduleKey(o.module) === 'kvmfr' && o.params.static_size_mb !== undefined)
  const evidence = [memoryEvidence(memory), ...(node ? [node.evidence] : []), ...(ctx.facts.modules ? [`lsmod: kvmfr ${loaded ? 'loaded' : 'not loaded'}`] : [])]
  const values = memoryValues(memory, ctx)
  if (staticSize && memory.sizeBytes && Number(staticSize.params.static_size_mb) * MIB !== memory.sizeBytes) {
    report.error('looking-glass-shm', {
      subject: memory.path,
      message: `kvmfr is loaded with static_size_mb=${staticSize.params.static_size_mb} but ${domainLabel(memory.domain)} maps ${formatMiB(memory.sizeBytes)} of ${memory.path}: the two must be equal.`,
      evidence: [...evidence, `${staticSize.origin} line ${staticSize.line}: options kvmfr static_size_mb=${staticSize.params.static_size_mb}`],
      values,
    })
  }
  if (!node) {
    if (loaded === false) report.error('looking-glass-shm', {subject: memory.path, message: `${domainLabel(memory.domain)} uses ${memory.path} but the kvmfr module is not loaded.`, evidence, values})
    return loaded === false
  }
  if (!node.exists || !node.mode?.startsWith('c')) {
    report.error('looking-glass-shm', {
      subject: memory.path,
      message: node.exists
        ? `${memory.path} is a regular file, not the kvmfr device: QEMU created it because the VM started before the kvmfr module was loaded. Delete it and load kvmfr.`
        : `${memory.path} does not exist: the kvmfr module is not loaded (or made no device).`,
      evidence,
      values,
    })
    return true
  }
  const blocked = blockedAccounts(node, ctx)
  if (blocked.length > 0) {
    report.error('looking-glass-shm', {subject: memory.path, message: `${memory.path} is ${node.mode} ${node.owner}:${node.group}: ${blocked.join(' and ')} cannot read and write it.`, evidence: [...evidence, ...accountEvidence(ctx)], values})
  } else report.pass(`${memory.path}: the kvmfr device, ${node.mode} ${node.owner}:${node.group}`)
  return true
}

/** The tmpfiles rule must name the file the domain's shmem is, and a real user. */
function checkRules(memories: LookingGlassMemory[], rules: TmpfilesRule[], ctx: Context, report: Reporter): void {
  const shmPaths = new Set(memories.filter((m) => m.kind === 'shmem').map((m) => m.path))
  for (const rule of rules) {
    const subject = `${rule.file} line ${rule.source.line}`
    const evidence = [ruleEvidence(rule)]
    if (shmPaths.size > 0 && !shmPaths.has(rule.path)) {
      const memory = memories.find((m) => m.kind === 'shmem')!
      report.warning('looking-glass-shm', {
        subject,
        message: `The tmpfiles rule prepares ${rule.path}, but ${domainLabel(memory.domain)} names its shmem '${memory.shmem!.name}', so QEMU uses ${memory.path}, which nothing prepares.`,
        evidence: [...evidence, memoryEvidence(memory)],
        values: memoryValues(memory, ctx),
      })
    }
    const user = rule.user
    const person = ctx.facts.user?.name && ctx.facts.user.name !== 'root' ? ctx.facts.user.name : undefined
    if (user && (PLACEHOLDER_USER.test(user) || (person && user !== person))) {
      report.warning('looking-glass-shm', {
        subject,
        message: PLACEHOLDER_USER.test(user)
          ? `The tmpfiles rule for ${rule.path} still has the guide's placeholder '${user}' as owner: systemd-tmpfiles cannot resolve it and skips the line.`
          : `The tmpfiles rule gives ${rule.path} to ${user}, but you are ${person}: the client cannot open it unless it runs as ${user}.`,
        evidence: [...evidence, ...(person ? [`id: ${person}`] : [])],
        values: ctx.values({shmPath: rule.path}),
      })
    }
  }
}

/** A shmem not named looking-glass lives elsewhere: the client must be told (-f), or it opens /dev/shm/looking-glass. */
function checkClientPath(memories: LookingGlassMemory[], rules: TmpfilesRule[], ctx: Context, report: Reporter): void {
  for (const memory of memories) {
    if (memory.kind !== 'shmem' || memory.path === DEFAULT_SHM) continue
    // A rule for the default path already gets the mismatch warning.
    if (rules.some((rule) => rule.path !== memory.path)) continue
    report.info('looking-glass-shm', {
      subject: memory.path,
      message: `${domainLabel(memory.domain)} names its shmem '${memory.shmem!.name}', so the file is ${memory.path}: start the client with \`-f ${memory.path}\` (app:shmFile), or rename the shmem to looking-glass.`,
      evidence: [memoryEvidence(memory)],
      values: memoryValues(memory, ctx),
    })
  }
}

/** Permission and size messages about a file no domain here names still say what is wrong. */
function reportLeftoverSignals(memories: LookingGlassMemory[], denied: FreeLogSignal[], tooSmall: FreeLogSignal[], ctx: Context, report: Reporter): void {
  const paths = new Set(memories.map((m) => m.path))
  const byPath = new Map<string, FreeLogSignal[]>()
  for (const signal of denied) {
    const path = signalPath(signal) ?? DEFAULT_SHM
    if (!paths.has(path)) byPath.set(path, [...(byPath.get(path) ?? []), signal])
  }
  for (const [path, signals] of byPath) {
    const reason = signals.find((s) => s.data?.reason)?.data?.reason
    report.error('looking-glass-shm', {
      subject: path,
      message: `${path} could not be opened${reason ? `: ${reason}` : ''}.`,
      evidence: signals.map(logLine),
      values: ctx.values({shmPath: path, shmName: path.slice(path.lastIndexOf('/') + 1)}),
    })
  }
  if (memories.length === 0 && tooSmall.length > 0) {
    const recommended = Math.max(...tooSmall.map((s) => Number(s.data?.recommendedMiB ?? 0)))
    report.error('looking-glass-shm', {
      subject: DEFAULT_SHM,
      message: `Looking Glass says its shared memory is too small for the guest's resolution${recommended ? `: make it ${recommended} MiB` : ''}.`,
      evidence: tooSmall.map(logLine),
      values: ctx.values(recommended ? {sizeMiB: String(recommended)} : {}),
    })
  }
}

function signalPath(signal: FreeLogSignal): string | undefined {
  return signal.data?.path ?? /(\/dev\/(?:shm\/\S+|kvmfr\d+))/.exec(signal.text)?.[1]?.replace(/[':,]+$/, '')
}
