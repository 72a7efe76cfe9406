/**
 * What systemd-detect-virt answers, where a file tells it, without starting the program (each program
 * costs a live run a fork of this process and execa's machinery, ~15 ms): a container by the marker
 * its engine or systemd leaves, a virtual machine by the hypervisor its firmware names (DMI), in
 * systemd-detect-virt's words. Where no file tells, there is no source, and the cpuinfo "hypervisor"
 * flag and the kernel's "Hypervisor detected" line decide (src/facts/assemble.ts): systemd reads
 * that flag's CPUID leaf first, and on a host without it and without these files it says "none".
 */
import type {Source} from '../types.js'
import type {LiveContext} from './context.js'
import {exists, readAttr} from './files.js'

/** Files that name the container the host runs in (systemd writes the first two), or mark one. */
const CONTAINER_FILES: Array<[path: string, name?: string]> = [
  ['/run/host/container-manager'],
  ['/run/systemd/container'],
  ['/run/.containerenv', 'podman'],
  ['/.dockerenv', 'docker'],
]

/** systemd's table of DMI vendor prefixes (src/basic/virt.c), checked in these files' order. */
const DMI_FILES = ['product_name', 'sys_vendor', 'board_vendor', 'bios_vendor']
const DMI_VENDORS: Array<[prefix: string, name: string]> = [
  ['KVM', 'kvm'],
  ['OpenStack', 'kvm'],
  ['KubeVirt', 'kvm'],
  ['Amazon EC2', 'amazon'],
  ['QEMU', 'qemu'],
  ['VMware', 'vmware'],
  ['VMW', 'vmware'],
  ['innotek GmbH', 'oracle'],
  ['VirtualBox', 'oracle'],
  ['Oracle Corporation', 'oracle'],
  ['Xen', 'xen'],
  ['Bochs', 'bochs'],
  ['Parallels', 'parallels'],
  ['BHYVE', 'bhyve'],
  ['Hyper-V', 'microsoft'],
  ['Apple Virtualization', 'apple'],
  ['Google Compute Engine', 'google'],
]

export async function virtSource(ctx: LiveContext): Promise<Source | undefined> {
  const found = (origin: string, name: string): Source => ({kind: 'detectVirt', origin, status: 'ok', text: `${name}\n`})
  for (const [path, name] of CONTAINER_FILES) {
    if (name) {
      if (exists(ctx, path)) return found(path, name)
    } else {
      const named = (await readAttr(ctx, path))?.split(/\s/)[0]
      if (named) return found(path, named)
    }
  }
  if (/microsoft|wsl/i.test((await readAttr(ctx, '/proc/sys/kernel/osrelease')) ?? '')) return found('/proc/sys/kernel/osrelease', 'wsl')
  for (const file of DMI_FILES) {
    const path = `/sys/class/dmi/id/${file}`
    const value = await readAttr(ctx, path)
    const vendor = value && DMI_VENDORS.find(([prefix]) => value.startsWith(prefix))
    if (vendor) return found(path, vendor[1])
  }
  return undefined
}
