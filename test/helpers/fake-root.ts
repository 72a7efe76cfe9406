import {mkdirSync, mkdtempSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import type {CommandResult, CommandRunner} from '../../src/sources/commands.js'

/** A fake host root in a temp folder: files, folders and symlinks, as /sys and /proc lay them out. */
export class FakeRoot {
  readonly dir = mkdtempSync(join(tmpdir(), 'vfio-doctor-root-'))

  file(path: string, content: string, mode?: number): this {
    const full = join(this.dir, path)
    mkdirSync(dirname(full), {recursive: true})
    writeFileSync(full, content, mode === undefined ? {} : {mode})
    return this
  }

  folder(path: string): this {
    mkdirSync(join(this.dir, path), {recursive: true})
    return this
  }

  /** A symlink at `path` whose target is written as given (absolute targets stay absolute, as in sysfs). */
  link(path: string, target: string): this {
    const full = join(this.dir, path)
    mkdirSync(dirname(full), {recursive: true})
    symlinkSync(target, full)
    return this
  }

  /** A PCI device the way sysfs shows it, with its driver and IOMMU group links. */
  pciDevice(address: string, attrs: {vendor: string; device: string; class: string; driver?: string; group?: number; bootVga?: boolean}): this {
    const dir = `sys/bus/pci/devices/${address}`
    this.file(`${dir}/vendor`, `0x${attrs.vendor}\n`).file(`${dir}/device`, `0x${attrs.device}\n`).file(`${dir}/class`, `0x${attrs.class}\n`)
    if (attrs.bootVga !== undefined) this.file(`${dir}/boot_vga`, attrs.bootVga ? '1\n' : '0\n')
    if (attrs.driver) this.link(`${dir}/driver`, `../../../bus/pci/drivers/${attrs.driver}`)
    if (attrs.group !== undefined) {
      this.link(`${dir}/iommu_group`, `../../../kernel/iommu_groups/${attrs.group}`)
      this.link(`sys/kernel/iommu_groups/${attrs.group}/devices/${address}`, `../../../../bus/pci/devices/${address}`)
    }
    return this
  }
}

/** A command runner that answers from a table; anything not in it is "not installed". */
export function scriptedRunner(answers: Record<string, CommandResult>): CommandRunner & {calls: string[]} {
  const calls: string[] = []
  const run = async (command: string, args: string[]) => {
    const line = [command, ...args].join(' ')
    calls.push(line)
    return answers[line] ?? {status: 'missing' as const, reason: `${command} is not installed`}
  }
  return Object.assign(run, {calls})
}
