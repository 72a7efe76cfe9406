import {readlink, stat} from 'node:fs/promises'
import {posix} from 'node:path'
import type {CommandRunner} from '../commands.js'
import type {Source, SourceSet} from '../types.js'
import {collectDevNodes, readAccounts, userGroupsSource} from './access.js'
import {hostPath, type LiveContext} from './context.js'
import {fileSource, listDir, readAttr} from './files.js'
import {kmsgSource} from './kmsg.js'
import {collectLibvirt} from './libvirt.js'
import {nixEvaluation} from './nix-evaluation.js'
import {collectPciSysfs} from './pci.js'
import {findPciIds, pciNamesSource} from './pci-names.js'
import {parsePciSysfs} from '../../parse/pci-sysfs.js'
import {virtSource} from './virt.js'
import {importedPaths} from '../../parse/nix/imports.js'
import {naturalOrder} from '../../util/order.js'

export interface LiveOptions {
  root?: string
  run: CommandRunner
  libvirtUri?: string
  user?: string
  /** The generation to judge as current instead of /run/current-system's (the NixOS module's activation check). */
  currentSystem?: string
}

/** A named group of sources, so a progress display can show each as it finishes. */
export interface Collector {
  title: string
  collect(ctx: LiveContext): Promise<Source[]>
  /**
   * It may start a program (lspci, virsh, nix-instantiate), before it reads any file: this one in the
   * order they start, the longest first, as each start costs this thread ~10 ms.
   */
  startsProgram?: number
}

export function liveContext(options: LiveOptions): LiveContext {
  const currentSystem = options.currentSystem ?? process.env.VFIO_DOCTOR_CURRENT_SYSTEM
  return {
    root: options.root ?? '/',
    run: options.run,
    libvirtUri: options.libvirtUri ?? 'qemu:///system',
    user: options.user ?? process.env.SUDO_USER ?? process.env.USER ?? 'root',
    ...(currentSystem ? {currentSystem} : {}),
  }
}

/** Every live collector; they are independent and run concurrently. */
export const COLLECTORS: Collector[] = [
  {
    title: 'Kernel and CPU',
    collect: (ctx) =>
      Promise.all([
        fileSource(ctx, 'cmdline', '/proc/cmdline'),
        fileSource(ctx, 'cpuinfo', '/proc/cpuinfo'),
        fileSource(ctx, 'modules', '/proc/modules'),
        fileSource(ctx, 'procVersion', '/proc/version'),
        fileSource(ctx, 'osRelease', '/etc/os-release'),
        // What `uname -r` prints, without starting a process for it.
        fileSource(ctx, 'uname', '/proc/sys/kernel/osrelease'),
        virtSource(ctx),
      ]).then((sources) => sources.filter((s) => s !== undefined)),
  },
  {title: 'Kernel log', collect: async (ctx) => [await kernelLog(ctx)]},
  {
    title: 'IOMMU and PCI devices',
    collect: async (ctx) => {
      // Devices are named from pci.ids where the host has one, else by lspci, which then starts first.
      const idsPath = findPciIds(ctx)
      const started = idsPath ? undefined : lspci(ctx)
      const [groups, sysfs, tables, units] = await Promise.all([
        iommuGroups(ctx),
        collectPciSysfs(ctx),
        nameList(ctx, 'acpiTables', '/sys/firmware/acpi/tables'),
        nameList(ctx, 'iommuClass', '/sys/class/iommu'),
      ])
      const names = started ?? (idsPath && sysfs.status === 'ok' ? pciNamesSource(ctx, idsPath, parsePciSysfs(sysfs.text!).devices) : lspci(ctx))
      return [groups, sysfs, tables, units, await names]
    },
    startsProgram: 3,
  },
  {
    title: 'KVM, VFIO and Looking Glass devices',
    collect: async (ctx) => {
      const accounts = await readAccounts(ctx)
      return [await collectDevNodes(ctx, accounts), await kvmParams(ctx), userGroupsSource(ctx.user, accounts)]
    },
  },
  {title: 'libvirt domains', collect: (ctx) => collectLibvirt(ctx, readAccounts(ctx)), startsProgram: 2},
  {
    title: 'NixOS generations and module configuration',
    collect: async (ctx) => {
      const evaluation = nixEvaluation(ctx)
      return [...(await nixos(ctx)), ...(await configFiles(ctx)), ...(await evaluation)]
    },
    startsProgram: 1,
  },
]

export async function collectLive(options: LiveOptions): Promise<SourceSet> {
  const ctx = liveContext(options)
  const groups = await programsFirst(COLLECTORS, (c) => c.collect(ctx))
  return {mode: 'live', root: ctx.root, sources: groups.flat()}
}

/**
 * Starts the collectors that start programs, lets them start those (execa loads, the processes
 * fork), then the rest: the programs run on another core while this one reads files, which are
 * read synchronously. The results keep the collectors' order.
 */
export async function programsFirst<T>(collectors: Collector[], start: (c: Collector) => Promise<T>): Promise<T[]> {
  const starters = collectors.filter((c) => c.startsProgram !== undefined).sort((a, b) => a.startsProgram! - b.startsProgram!)
  const early = new Map(starters.map((c) => [c, start(c)]))
  await new Promise((resolve) => setImmediate(resolve))
  return Promise.all(collectors.map((c) => early.get(c) ?? start(c)))
}

async function commandSource(ctx: LiveContext, kind: Source['kind'], command: string, args: string[]): Promise<Source> {
  const origin = [command, ...args].join(' ')
  const r = await ctx.run(command, args)
  return r.status === 'ok' ? {kind, origin, status: 'ok', text: r.stdout} : {kind, origin, status: r.status, reason: r.reason}
}

/** /dev/kmsg, else dmesg, else journalctl -k; a restricted log is `denied` with the way round it. */
async function kernelLog(ctx: LiveContext): Promise<Source> {
  const kmsg = kmsgSource(ctx)
  if (kmsg.status === 'ok') return kmsg
  const dmesg = await commandSource(ctx, 'kernelLog', 'dmesg', [])
  if (dmesg.status === 'ok') return dmesg
  const journal = await commandSource(ctx, 'kernelLog', 'journalctl', ['-k', '-b', '--no-pager'])
  if (journal.status === 'ok' && journal.text?.trim() && !/^-- No entries --/m.test(journal.text)) return journal
  if ([kmsg, dmesg, journal].some((s) => s.status === 'denied'))
    return {kind: 'kernelLog', origin: 'dmesg', status: 'denied', reason: 'the kernel log is restricted to root (kernel.dmesg_restrict=1)', hint: 'run vfio-doctor with sudo'}
  return {...dmesg, reason: `${kmsg.reason}; ${dmesg.reason}; journalctl: ${journal.reason ?? 'no kernel messages'}`}
}

/** /sys/kernel/iommu_groups as `find -type l` output; an empty folder is an answer (no groups). */
async function iommuGroups(ctx: LiveContext): Promise<Source> {
  const base = '/sys/kernel/iommu_groups'
  const origin = `find ${base} -type l`
  const groups = await listDir(ctx, base)
  if (!groups) {
    const sysMounted = (await listDir(ctx, '/sys/kernel')) !== undefined
    return sysMounted ? {kind: 'iommuListing', origin, status: 'ok', text: ''} : {kind: 'iommuListing', origin, status: 'missing', reason: '/sys is not mounted'}
  }
  const lines: string[] = []
  for (const g of groups.sort(naturalOrder)) {
    for (const d of (await listDir(ctx, `${base}/${g}/devices`)) ?? []) lines.push(`${base}/${g}/devices/${d}`)
  }
  return {kind: 'iommuListing', origin, status: 'ok', text: lines.join('\n') + (lines.length ? '\n' : '')}
}

async function nameList(ctx: LiveContext, kind: 'acpiTables' | 'iommuClass', dir: string): Promise<Source> {
  const names = await listDir(ctx, dir)
  if (!names) return {kind, origin: `ls ${dir}`, status: 'missing', reason: `${dir} does not exist`}
  return {kind, origin: `ls ${dir}`, status: 'ok', text: names.join('\n') + (names.length ? '\n' : '')}
}

/** lspci only adds names; a missing lspci is fine. */
async function lspci(ctx: LiveContext): Promise<Source> {
  const s = await commandSource(ctx, 'lspci', 'lspci', ['-nnk'])
  return s.status === 'missing' ? {...s, hint: 'install pciutils for device names'} : s
}

async function kvmParams(ctx: LiveContext): Promise<Source> {
  const lines: string[] = []
  for (const module of ['kvm', 'kvm_intel', 'kvm_amd', 'vfio_iommu_type1', 'vfio_pci']) {
    const dir = `/sys/module/${module}/parameters`
    for (const name of (await listDir(ctx, dir)) ?? []) {
      const value = await readAttr(ctx, `${dir}/${name}`)
      if (value !== undefined && !/\s/.test(value)) lines.push(`${module}.${name}=${value}`)
    }
  }
  if (lines.length === 0) return {kind: 'kvmParams', origin: '/sys/module/kvm/parameters', status: 'missing', reason: 'the kvm module is not loaded'}
  return {kind: 'kvmParams', origin: '/sys/module/*/parameters', status: 'ok', text: lines.join('\n') + '\n'}
}

/** /run/current-system and /run/booted-system: their store paths and kernel-params. */
async function nixos(ctx: LiveContext): Promise<Source[]> {
  const out: Source[] = []
  for (const label of ['current', 'booted'] as const) {
    const link = `/run/${label}-system`
    // During activation the new generation is not yet /run/current-system: the NixOS module names it.
    const target = label === 'current' && ctx.currentSystem ? ctx.currentSystem : await readlink(hostPath(ctx, link)).catch(() => undefined)
    if (!target) continue
    out.push({kind: 'nixSystem', origin: link, label, status: 'ok', text: `${target}\n`})
    // A relative target is relative to /run, never to wherever vfio-doctor was started.
    out.push(await fileSource(ctx, 'nixKernelParams', posix.resolve('/run', target, 'kernel-params'), label))
    // The bootspec (NixOS 23.05 on): the kernel and initrd the generation boots, with its parameters.
    const bootspec = await fileSource(ctx, 'nixBootspec', posix.resolve('/run', target, 'boot.json'), label)
    if (bootspec.status !== 'missing') out.push(bootspec)
  }
  return out.length ? out : [{kind: 'nixSystem', origin: '/run/current-system', status: 'missing', reason: 'not a NixOS host (no /run/current-system)'}]
}

/**
 * libvirt's qemu.conf: /etc/libvirt on every distribution, /var/lib/libvirt where NixOS's libvirtd
 * reads the file its module generates. An absent file is libvirt's defaults, so it is left out.
 */
const QEMU_CONF_PATHS = ['/etc/libvirt/qemu.conf', '/var/lib/libvirt/qemu.conf']

/** /etc/modprobe.d/*.conf, /etc/nixos/*.nix and qemu.conf: what the person configured. */
async function configFiles(ctx: LiveContext): Promise<Source[]> {
  const reads: Array<Promise<Source>> = QEMU_CONF_PATHS.map((path) => fileSource(ctx, 'qemuConf', path, path.split('/')[1]))
  for (const n of (await listDir(ctx, '/etc/modprobe.d')) ?? []) if (n.endsWith('.conf')) reads.push(fileSource(ctx, 'modprobe', `/etc/modprobe.d/${n}`, n))
  const read = await Promise.all(reads)
  return [...read.filter((s) => s.kind !== 'qemuConf' || s.status !== 'missing'), ...(await nixosTree(ctx))]
}

/** A configuration tree is a few dozen files at most; the limits keep a generated or cyclic one bounded. */
export const NIX_TREE_LIMITS = {files: 64, depth: 8}

/**
 * /etc/nixos/*.nix, then every file their `imports` (and a flake's `modules`) name by a relative
 * path, breadth first: a directory means its default.nix, a file already read is not read again
 * (so a cycle ends), and past the limits the rest is left out with a note.
 */
async function nixosTree(ctx: LiveContext): Promise<Source[]> {
  const queue = ((await listDir(ctx, '/etc/nixos')) ?? []).filter((n) => n.endsWith('.nix')).map((n) => ({path: `/etc/nixos/${n}`, depth: 0}))
  const seen = new Set(queue.map((q) => q.path))
  const out: Source[] = []
  for (let next = queue.shift(); next; next = queue.shift()) {
    if (out.length >= NIX_TREE_LIMITS.files) {
      out.push({kind: 'nixConfig', origin: next.path, status: 'error', reason: `more than ${NIX_TREE_LIMITS.files} NixOS configuration files: ${next.path} and the rest were not read`})
      break
    }
    const source = await fileSource(ctx, 'nixConfig', next.path, next.path.startsWith('/etc/nixos/') ? next.path.slice('/etc/nixos/'.length) : next.path)
    out.push(source)
    if (source.status !== 'ok' || next.depth >= NIX_TREE_LIMITS.depth) continue
    for (const {path} of importedPaths(source.text!)) {
      let target = posix.resolve(posix.dirname(next.path), path)
      if ((await stat(hostPath(ctx, target)).catch(() => undefined))?.isDirectory()) target = `${target}/default.nix`
      if (seen.has(target)) continue
      seen.add(target)
      queue.push({path: target, depth: next.depth + 1})
    }
  }
  return out
}
