/**
 * systemd-detect-virt's answer from the files it reads (src/sources/live/virt.ts), on fake roots, and
 * on this machine beside the real program where it is installed.
 */
import {execFileSync} from 'node:child_process'
import {describe, expect, it} from 'vitest'
import {virtSource} from '../../src/sources/live/virt.js'
import {parseDetectVirt} from '../../src/parse/small.js'
import {FakeRoot, scriptedRunner} from '../helpers/fake-root.js'

const ctx = (root: string) => ({root, run: scriptedRunner({}), libvirtUri: 'test:///default', user: 'root'})

describe('virtSource', () => {
  it.each([
    ['docker', (r: FakeRoot) => r.file('.dockerenv', ''), '/.dockerenv', 'docker'],
    ['podman', (r: FakeRoot) => r.file('run/.containerenv', 'engine="podman-4.9.3"\n'), '/run/.containerenv', 'podman'],
    ['systemd-nspawn, as systemd writes it', (r: FakeRoot) => r.file('run/systemd/container', 'systemd-nspawn\n'), '/run/systemd/container', 'systemd-nspawn'],
    ['a container manager over a marker file', (r: FakeRoot) => r.file('run/host/container-manager', 'podman\n').file('.dockerenv', ''), '/run/host/container-manager', 'podman'],
    ['WSL 2', (r: FakeRoot) => r.file('proc/sys/kernel/osrelease', '5.15.153.1-microsoft-standard-WSL2\n'), '/proc/sys/kernel/osrelease', 'wsl'],
    ['QEMU by its DMI vendor', (r: FakeRoot) => r.file('sys/class/dmi/id/sys_vendor', 'QEMU\n').file('sys/class/dmi/id/product_name', 'Standard PC (Q35 + ICH9, 2009)\n'), '/sys/class/dmi/id/sys_vendor', 'qemu'],
    ['VirtualBox by its product name', (r: FakeRoot) => r.file('sys/class/dmi/id/product_name', 'VirtualBox\n').file('sys/class/dmi/id/sys_vendor', 'innotek GmbH\n'), '/sys/class/dmi/id/product_name', 'oracle'],
    ['VMware', (r: FakeRoot) => r.file('sys/class/dmi/id/sys_vendor', 'VMware, Inc.\n'), '/sys/class/dmi/id/sys_vendor', 'vmware'],
  ])('tells %s', async (_, make, origin, word) => {
    expect(await virtSource(ctx(make(new FakeRoot().file('proc/sys/kernel/osrelease', '6.12.18\n')).dir))).toEqual({kind: 'detectVirt', origin, status: 'ok', text: `${word}\n`})
  })

  it.each([
    ['a desktop board', (r: FakeRoot) => r.file('sys/class/dmi/id/sys_vendor', 'Micro-Star International Co., Ltd.\n').file('sys/class/dmi/id/board_vendor', 'Micro-Star International Co., Ltd.\n').file('proc/sys/kernel/osrelease', '6.12.18\n')],
    ['no DMI at all', (r: FakeRoot) => r],
  ])('gives no source for %s: the cpuinfo flag decides', async (_, make) => {
    expect(await virtSource(ctx(make(new FakeRoot()).dir))).toBeUndefined()
  })

  it('names the file in the evidence', () => {
    expect(parseDetectVirt('docker\n', '/.dockerenv')).toEqual({kind: 'container', name: 'docker', evidence: '/.dockerenv: docker'})
    expect(parseDetectVirt('docker\n')).toEqual({kind: 'container', name: 'docker', evidence: 'systemd-detect-virt: docker'})
  })

  const systemdSays = (() => {
    try {
      return execFileSync('systemd-detect-virt', {encoding: 'utf8'}).trim()
    } catch (err) {
      // It prints "none" and exits 1 on bare metal.
      return ((err as {stdout?: string}).stdout ?? '').trim() || undefined
    }
  })()

  it.runIf(systemdSays !== undefined)('agrees with systemd-detect-virt on this machine where a file tells', async () => {
    const source = await virtSource(ctx('/'))
    if (source) expect(source.text!.trim()).toBe(systemdSays)
    else expect(systemdSays).toMatch(/^(?:none|kvm|qemu|vmware|microsoft|xen|bhyve|amazon|google|vm-other|oracle|parallels|bochs|qnx|acrn)$/)
  })
})
