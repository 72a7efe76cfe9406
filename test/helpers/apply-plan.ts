/**
 * Applies a plan to a copy of an evidence folder the way the person's rebuild and reboot would, so
 * `check` can judge the result:
 *   - firmware steps: the files the firmware change alters (an IOMMU group listing once VT-d is on,
 *     the iGPU once it is enabled) come from the caller, who takes them from the seed document or the
 *     fixture's fixed variant; the plan must ask for exactly those steps;
 *   - the configuration: NixOS configuration files (but hardware-configuration.nix) replaced by vfio.nix (other distributions:
 *     modprobe-vfio.conf), the kernel command line and the generation's kernel-params rebuilt, the
 *     passed functions bound to vfio-pci where the evidence shows drivers, vfio in lsmod, the
 *     user's new groups, boot-time kernel log lines that came from removed parameters gone;
 *   - files: a moved ISO listed at its new place, /dev/shm made fresh by the tmpfiles rule;
 *   - the domain XML replaced by the rewritten one;
 *   - qemu and free-form logs dropped: they are of VM runs before the change, and the VM has not run
 *     since (nothing here can say how the next run goes).
 */
import {cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {isDisplayDevice} from '../../src/facts/merge-pci.js'
import type {buildPlan} from '../../src/plan/build.js'
import type {StepKind} from '../../src/plan/types.js'
import {kindOfFileName} from '../../src/sources/kinds.js'
import type {SourceKind} from '../../src/sources/types.js'

type BuiltPlan = ReturnType<typeof buildPlan>

/** What the firmware shows once the person made the plan's firmware changes: evidence files by name. */
export interface FirmwareResult {
  steps: StepKind[]
  files: Record<string, string>
}

const FIRMWARE_STEPS: StepKind[] = ['firmware-virtualization', 'firmware-iommu', 'firmware-interrupt-remapping', 'firmware-igpu']
const VFIO_MODULES = ['vfio_pci', 'vfio', 'vfio_iommu_type1']

export function applyPlan(evidence: string, plan: BuiltPlan, firmware?: FirmwareResult): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'vfio-doctor-applied-')), 'evidence')
  cpSync(evidence, dir, {recursive: true})
  const files = () => readdirSync(dir).map((name) => ({name, path: join(dir, name), kind: kindOfFileName(name)}))
  const ofKind = (...kinds: SourceKind[]) => files().filter((f) => kinds.includes(f.kind))
  const asked = plan.steps.map((s) => s.kind).filter((k) => FIRMWARE_STEPS.includes(k))
  const given = firmware?.steps ?? []
  if (asked.join() !== given.join()) throw new Error(`the plan asks for firmware steps [${asked.join(', ')}], the test simulates [${given.join(', ')}]`)
  for (const [name, text] of Object.entries(firmware?.files ?? {})) writeFileSync(join(dir, name), text)

  applyConfiguration(plan, ofKind)
  bindPassedFunctions(plan, ofKind)
  for (const step of plan.steps) {
    if (step.kind === 'move-file' && step.move) listMovedFile(dir, plan, step.move)
  }
  if (plan.choices.lookingGlass) freshShm(plan, ofKind)
  if (plan.domain) {
    const file = files().find((f) => f.kind === 'domainXml' && f.name === plan.domain!.file)
    if (!file) throw new Error(`no ${plan.domain.file} in the evidence`)
    writeFileSync(file.path, plan.domain.rewritten)
  }
  for (const f of ofKind('qemuLog', 'log')) rmSync(f.path)
  return dir
}

type OfKind = (...kinds: SourceKind[]) => Array<{name: string; path: string; kind: SourceKind}>

/** The rebuild: configuration files, kernel command line, generation, modules, groups, kernel log. */
function applyConfiguration(plan: BuiltPlan, ofKind: OfKind): void {
  const c = plan.choices
  if (c.host.nixos) {
    // hardware-configuration.nix is generated and the plan never touches it; the rest is replaced.
    const configs = ofKind('nixConfig')
    for (const f of configs) if (f.name !== 'hardware-configuration.nix') rmSync(f.path)
    writeFileSync(join(dirOf(configs[0]?.path ?? ofKind('osRelease', 'cmdline', 'kernelLog', 'iommuListing', 'domainXml')[0]!.path), 'vfio.nix'), plan.nixosModule)
  } else {
    for (const f of ofKind('modprobe')) {
      const kept = readFileSync(f.path, 'utf8').split('\n').filter((l) => !/^\s*(options\s+vfio[-_]pci|softdep\s+\S+\s+pre:.*vfio)/.test(l))
      writeFileSync(f.path, kept.join('\n'))
    }
    const any = ofKind('osRelease', 'cmdline', 'kernelLog', 'iommuListing', 'lspci', 'pciSysfs')[0]
    if (any) writeFileSync(join(dirOf(any.path), 'modprobe-vfio.conf'), plan.otherDistros.modprobeConf)
  }
  const newCmdline = (old: string) => rebuiltCmdline(old, plan)
  for (const f of ofKind('cmdline')) writeFileSync(f.path, newCmdline(readFileSync(f.path, 'utf8').trim()) + '\n')
  for (const f of ofKind('nixKernelParams')) writeFileSync(f.path, newCmdline(readFileSync(f.path, 'utf8').trim()).split(' ').filter((p) => !p.startsWith('init=') && !p.startsWith('initrd=')).join(' ') + '\n')
  const systems = ofKind('nixSystem')
  const current = systems.find((f) => f.name.startsWith('current'))
  if (current) for (const f of systems) writeFileSync(f.path, readFileSync(current.path, 'utf8'))
  for (const f of ofKind('kernelLog')) writeFileSync(f.path, rebootedLog(readFileSync(f.path, 'utf8'), plan, newCmdline))
  for (const f of ofKind('modules')) {
    const text = readFileSync(f.path, 'utf8')
    const have = new Set(text.split('\n').map((l) => l.split(/\s/)[0]))
    const lsmod = /^Module\s/.test(text)
    const added = VFIO_MODULES.filter((m) => !have.has(m)).map((m) => (lsmod ? `${m.padEnd(24)}16384  0` : `${m} 16384 0 - Live 0x0000000000000000`))
    writeFileSync(f.path, [...text.trimEnd().split('\n').filter((l) => !l.startsWith('vfio_virqfd')), ...added].join('\n') + '\n')
  }
  if (c.user) {
    for (const f of ofKind('userGroups')) {
      const text = readFileSync(f.path, 'utf8')
      if (!text.includes(`(${c.user})`)) continue
      const missing = [['libvirtd', 67], ['kvm', 302]].filter(([g]) => !text.includes(`(${g})`))
      writeFileSync(f.path, text.trimEnd() + missing.map(([g, id]) => `,${id}(${g})`).join('') + '\n')
    }
  }
}

/** The old command line without the parameters the plan removes or replaces, with the plan's. */
function rebuiltCmdline(old: string, plan: BuiltPlan): string {
  const wanted = plan.choices.kernelParams.map((p) => p.text)
  const stale = new Set(plan.choices.staleParams.map((p) => p.text))
  const keys = new Set(wanted.map((p) => p.split('=')[0]))
  const kept = old.split(/\s+/).filter((p) => p && !stale.has(p) && !keys.has(p.split('=')[0]))
  return [...kept, ...wanted].join(' ')
}

/** The next boot's kernel log: its command line, and no lines the removed parameters caused. */
function rebootedLog(text: string, plan: BuiltPlan, newCmdline: (old: string) => string): string {
  const removed = plan.choices.staleParams.map((p) => p.text)
  const framebufferFixed = plan.choices.kernelParams.some((p) => /sysfb_init|efifb:off/.test(p.text))
  return text
    .split('\n')
    .filter((line) => {
      const unknown = /Unknown option - '([^']+)'/.exec(line)?.[1]
      if (unknown && removed.some((p) => p.split(/[=,]/).includes(unknown))) return false
      if (/(Failed to find module|Module .* not found).*vfio_virqfd/.test(line)) return false
      if (framebufferFixed && /BAR \d+: can't reserve/.test(line)) return false
      return true
    })
    .map((line) => line.replace(/((?:Kernel )?[Cc]ommand line: )(.*)$/, (_, head: string, cmd: string) => head + newCmdline(cmd)))
    .join('\n')
}

/** Where the evidence shows drivers: the passed functions on vfio-pci, anything else vfio-pci had back on its host driver. */
function bindPassedFunctions(plan: BuiltPlan, ofKind: OfKind): void {
  const passed = new Set(plan.choices.passed.map((d) => d.address))
  const byAddress = plan.choices.binding.kind === 'address'
  const hostDriver = (address: string) => {
    const d = plan.facts.pciDevices?.find((p) => p.address === address)
    if (d && isDisplayDevice(d)) return ({'8086': 'i915', '1002': 'amdgpu', '10de': 'nouveau'} as Record<string, string>)[d.vendorId ?? ''] ?? ''
    return d?.classCode === '0403' ? 'snd_hda_intel' : ''
  }
  for (const f of ofKind('pciSysfs')) {
    const lines = readFileSync(f.path, 'utf8').split('\n').map((line) => {
      const address = line.split(/\s/)[0]!
      const bound = /\bdriver=vfio-pci\b/.test(line)
      if (!passed.has(address) && !bound) return line
      const driver = passed.has(address) ? 'vfio-pci' : hostDriver(address)
      let out = line.replace(/\s+driver(_override)?=\S+/g, '')
      if (driver) out += ` driver=${driver}`
      if (passed.has(address) && byAddress) out += ' driver_override=vfio-pci'
      return out
    })
    writeFileSync(f.path, lines.join('\n'))
  }
  for (const f of ofKind('lspci', 'iommuListing')) {
    const lines = readFileSync(f.path, 'utf8').split('\n')
    let current: string | undefined
    const out = lines.map((line) => {
      const m = /(?:^|\s)((?:[0-9a-f]{4}:)?[0-9a-f]{2}:[0-1][0-9a-f]\.[0-7]) /i.exec(line)
      if (m && !/^\s*Kernel /.test(line)) current = m[1]!.length === 7 ? `0000:${m[1]!.toLowerCase()}` : m[1]!.toLowerCase()
      if (!current || !/^\s*Kernel driver in use:/.test(line)) return line
      const driver = passed.has(current) ? 'vfio-pci' : /vfio-pci/.test(line) ? hostDriver(current) : undefined
      return driver === undefined ? line : line.replace(/(Kernel driver in use:\s*).*/, `$1${driver}`)
    })
    writeFileSync(f.path, out.join('\n'))
  }
}

/** `mv` keeps the owner; the plan's chmod makes it 0644; libvirt's image folder is open to qemu. */
function listMovedFile(dir: string, plan: BuiltPlan, move: {from: string; to: string}): void {
  const old = plan.facts.fileAccess?.get(move.from)?.chain.at(-1)
  const name = move.to.slice(move.to.lastIndexOf('/') + 1)
  const images = plan.facts.fileAccess && [...plan.facts.fileAccess.values()].find((a) => a.path.startsWith('/var/lib/libvirt/images/') && a.chain.length >= 6)
  const chain = images ? images.chain.slice(0, -1).map((e) => `${e.mode} ${e.owner} ${e.group} ${e.path === '/' ? '/' : e.path.slice(e.path.lastIndexOf('/') + 1)}`) : ['drwxr-xr-x root root /', 'drwxr-xr-x root root var', 'drwxr-xr-x root root lib', 'drwxr-xr-x root root libvirt', 'drwx--x--x root root images']
  const file = `-rw-r--r-- ${old?.owner ?? 'root'} ${old?.group ?? 'root'} ${name}`
  const path = join(dir, 'permissions-moved.txt')
  const before = existsSync(path) ? readFileSync(path, 'utf8') : ''
  writeFileSync(path, `${before}f: ${move.to}\n${[...chain, file].join('\n')}\n`)
}

/** After the reboot /dev/shm is empty and the tmpfiles rule makes the file again, empty, for the user and qemu. */
function freshShm(plan: BuiltPlan, ofKind: OfKind): void {
  const c = plan.choices
  const path = c.lookingGlass!.path
  for (const f of ofKind('devNodes')) {
    const text = readFileSync(f.path, 'utf8')
    if (!text.includes(path)) continue
    const line = c.user ? `-rw-rw---- 1 ${c.user} ${c.qemuGroup} 0 Jan  1 00:00 ${path}` : `ls: cannot access '${path}': No such file or directory`
    writeFileSync(f.path, text.split('\n').map((l) => (l.endsWith(path) && !l.startsWith('$') ? line : l)).join('\n'))
  }
}

function dirOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/'))
}
