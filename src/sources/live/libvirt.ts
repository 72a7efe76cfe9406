import {lstatSync} from 'node:fs'
import {parseVirshList} from '../../parse/small.js'
import {NO_SYSTEM_DAEMON, SYSTEM_DAEMON_SOCKETS} from '../libvirt-daemon.js'
import type {Source} from '../types.js'
import {nameiText, type Accounts} from './access.js'
import type {LiveContext} from './context.js'
import {fileSource, listDir} from './files.js'

const QEMU_LOG_TAIL_LINES = 300
/** 300 lines are far less than this, however long qemu's lines get. */
const QEMU_LOG_TAIL_BYTES = 1024 * 1024
/** Domains asked for one by one; a list longer than this is not a passthrough desktop, and asking would never end. */
const MAX_DOMAINS = 200

/**
 * Domains through virsh (list, then dumpxml each), falling back to the XML files on disk; then the
 * tail of each domain's qemu log and the access chain of every file the domains use.
 * A virsh that times out costs its timeout once: the remaining domains are not asked.
 * The accounts come as a promise: virsh, the slowest program of a live run, starts before they are read.
 */
export async function collectLibvirt(ctx: LiveContext, accounts: Promise<Accounts>): Promise<Source[]> {
  const domains = await domainsFromVirsh(ctx)
  const xmlSources = domains ?? (await domainsFromDisk(ctx))
  const names = xmlSources.filter((s) => s.status === 'ok' && s.label).map((s) => s.label!)
  const logs = await Promise.all(names.map((name) => qemuLogTail(ctx, name)))
  const permissions = await permissionsSource(ctx, xmlSources, await accounts)
  return [...xmlSources, ...logs, ...(permissions ? [permissions] : [])]
}

async function domainsFromVirsh(ctx: LiveContext): Promise<Source[] | undefined> {
  const listArgs = ['-c', ctx.libvirtUri, 'list', '--all', '--name']
  const origin = `virsh ${listArgs.join(' ')}`
  const noDaemon = systemDaemonAbsent(ctx)
  if (noDaemon) return [{kind: 'virshList', origin, status: 'error', reason: noDaemon, hint: 'is libvirt installed, and its daemon (libvirtd or virtqemud) started?'}]
  const listed = await ctx.run('virsh', listArgs)
  if (listed.status !== 'ok') {
    // The list failing is itself evidence (libvirtd down, no permission); keep it, then read the files.
    return listed.status === 'missing' ? undefined : [{kind: 'virshList', origin, status: listed.status, reason: listed.reason, hint: 'is libvirtd running? are you in the libvirtd group?'}]
  }
  const sources: Source[] = [{kind: 'virshList', origin, status: 'ok', text: listed.stdout}]
  let gaveUp: string | undefined
  const names = parseVirshList(listed.stdout)
  if (names.length > MAX_DOMAINS) {
    sources.push({kind: 'domainXml', origin: 'virsh dumpxml', status: 'error', reason: `${names.length - MAX_DOMAINS} more domains were not read: vfio-doctor reads the first ${MAX_DOMAINS}`})
  }
  for (const name of names.slice(0, MAX_DOMAINS)) {
    const args = ['-c', ctx.libvirtUri, 'dumpxml', '--inactive', name]
    if (gaveUp) {
      sources.push({kind: 'domainXml', origin: `virsh dumpxml ${name}`, label: name, status: 'timeout', reason: gaveUp})
      continue
    }
    const xml = await ctx.run('virsh', args)
    if (xml.status === 'ok') sources.push({kind: 'domainXml', origin: `virsh dumpxml --inactive ${name}`, label: name, status: 'ok', text: xml.stdout})
    else {
      sources.push({kind: 'domainXml', origin: `virsh dumpxml ${name}`, label: name, status: xml.status, reason: xml.reason})
      if (xml.status === 'timeout') gaveUp = 'not asked: virsh already timed out'
    }
  }
  return sources
}

/**
 * `virsh -c qemu:///system` connects to one of these sockets (under /run, or /var/run where that is
 * not the same folder) and fails at once without them, after ~70 ms of loading libvirt: on this
 * machine, with neither, virsh is not started and the reason says why. Under --root the folder's
 * sockets say nothing of the daemon virsh would ask, and another URI is another daemon: virsh runs.
 */
function systemDaemonAbsent(ctx: LiveContext): string | undefined {
  if (ctx.root !== '/' || ctx.libvirtUri !== 'qemu:///system') return undefined
  const paths = SYSTEM_DAEMON_SOCKETS.flatMap((p) => [p, `/var${p}`])
  if (paths.some((p) => lstatSync(p, {throwIfNoEntry: false}) !== undefined)) return undefined
  return `${NO_SYSTEM_DAEMON}: neither ${SYSTEM_DAEMON_SOCKETS.join(' nor ')} exists, so virsh was not started`
}

async function domainsFromDisk(ctx: LiveContext): Promise<Source[]> {
  const dir = '/etc/libvirt/qemu'
  const names = await listDir(ctx, dir)
  if (!names) return [{kind: 'virshList', origin: 'virsh', status: 'missing', reason: 'virsh is not installed and /etc/libvirt/qemu cannot be read', hint: 'install libvirt, or run with sudo'}]
  const xmls = names.filter((n) => n.endsWith('.xml'))
  return Promise.all(xmls.map((n) => fileSource(ctx, 'domainXml', `${dir}/${n}`, n.replace(/\.xml$/, ''))))
}

async function qemuLogTail(ctx: LiveContext, name: string): Promise<Source> {
  const source = await fileSource(ctx, 'qemuLog', `/var/log/libvirt/qemu/${name}.log`, name, {tailBytes: QEMU_LOG_TAIL_BYTES})
  if (source.status === 'ok' && source.text) source.text = source.text.split('\n').slice(-QEMU_LOG_TAIL_LINES).join('\n')
  if (source.status === 'denied') source.hint = 'run vfio-doctor with sudo to read qemu logs'
  return source
}

/** Every file a domain opens (disks, ISOs, firmware, NVRAM, evdev devices, shm) as `namei -l` chains. */
async function permissionsSource(ctx: LiveContext, xmls: Source[], accounts: Accounts): Promise<Source | undefined> {
  const {parseDomainXml} = await import('../../parse/domain-xml.js')
  const paths = new Set<string>()
  for (const s of xmls) {
    if (s.status !== 'ok' || s.kind !== 'domainXml' || !s.text) continue
    const d = parseDomainXml(s.text, s.origin)
    for (const disk of d.disks) if (disk.sourceFile?.startsWith('/')) paths.add(disk.sourceFile)
    for (const p of [d.os.loader, d.os.nvram]) if (p?.startsWith('/')) paths.add(p)
    for (const input of d.inputs) if (input.sourceDev?.startsWith('/')) paths.add(input.sourceDev)
    for (const shm of d.shmems) paths.add(`/dev/shm/${shm.name}`)
  }
  if (paths.size === 0) return undefined
  return {kind: 'permissions', origin: 'namei -l (files the domains use)', status: 'ok', text: await nameiText(ctx, [...paths].sort(), accounts)}
}
