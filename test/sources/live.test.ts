import {existsSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {collectLive, programsFirst, type Collector} from '../../src/sources/live/index.js'
import type {Source} from '../../src/sources/types.js'
import {FakeRoot, scriptedRunner} from '../helpers/fake-root.js'

const CPUINFO = 'processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Core(TM) i7-7700 CPU @ 3.60GHz\nflags\t\t: fpu vme vmx sse2\n'

function baseHost(): FakeRoot {
  return new FakeRoot()
    .file('proc/cmdline', 'initrd=\\EFI\\nixos\\x-initrd.efi init=/nix/store/y/init intel_iommu=on loglevel=4\n')
    .file('proc/cpuinfo', CPUINFO)
    .file('proc/modules', 'vfio_pci 16384 0 - Live 0x0000000000000000\nkvm_intel 409600 0 - Live 0x0000000000000000\n')
    .file('etc/os-release', 'ID=nixos\nPRETTY_NAME="NixOS 25.05 (Warbler)"\n')
    .file('etc/passwd', 'root:x:0:0::/root:/bin/sh\nvini:x:1000:100::/home/vini:/bin/sh\nqemu-libvirtd:x:301:301::/var/empty:/bin/false\n')
    .file('etc/group', 'root:x:0:\nusers:x:100:\nlibvirtd:x:67:vini\nkvm:x:302:vini\nqemu-libvirtd:x:301:\n')
    .pciDevice('0000:00:02.0', {vendor: '8086', device: '5912', class: '030000', driver: 'i915', group: 0, bootVga: true})
    .pciDevice('0000:01:00.0', {vendor: '10de', device: '1b81', class: '030000', driver: 'vfio-pci', group: 1, bootVga: false})
    .pciDevice('0000:01:00.1', {vendor: '10de', device: '10f0', class: '040300', driver: 'vfio-pci', group: 1})
    .file('sys/firmware/acpi/tables/DMAR', '')
    .file('sys/firmware/acpi/tables/APIC', '')
    .folder('sys/class/iommu/dmar0')
    .file('sys/module/kvm/parameters/ignore_msrs', 'Y\n')
    .file('dev/kvm', '')
}

const byKind = (sources: Source[], kind: Source['kind']) => sources.filter((s) => s.kind === kind)

describe('live reader on a fake root', () => {
  it('reads /proc, /sys and /etc into sources with status ok', async () => {
    const root = baseHost()
    const run = scriptedRunner({'dmesg': {status: 'ok', stdout: '[    0.035553] DMAR: IOMMU enabled\n'}})
    const set = await collectLive({root: root.file('proc/sys/kernel/osrelease', '6.12.18\n').dir, run, user: 'vini'})
    const text = (kind: Source['kind']) => byKind(set.sources, kind)[0]?.text
    expect(text('cmdline')).toContain('intel_iommu=on')
    expect(text('uname')).toBe('6.12.18\n')
    expect(text('kernelLog')).toContain('DMAR: IOMMU enabled')
    expect(text('iommuListing')!.trim().split('\n')).toEqual([
      '/sys/kernel/iommu_groups/0/devices/0000:00:02.0',
      '/sys/kernel/iommu_groups/1/devices/0000:01:00.0',
      '/sys/kernel/iommu_groups/1/devices/0000:01:00.1',
    ])
    expect(text('pciSysfs')).toContain('0000:01:00.0 vendor=10de device=1b81 class=030000 driver=vfio-pci boot_vga=0 iommu_group=1')
    expect(text('pciSysfs')).toContain('0000:00:02.0 vendor=8086 device=5912 class=030000 driver=i915 boot_vga=1 iommu_group=0')
    expect(text('acpiTables')!.split('\n')).toContain('DMAR')
    expect(text('iommuClass')).toBe('dmar0\n')
    expect(text('kvmParams')).toContain('kvm.ignore_msrs=Y')
    expect(text('userGroups')).toBe('uid=1000(vini) gid=100(users) groups=100(users),67(libvirtd),302(kvm)\n')
    expect(text('devNodes')).toMatch(/^-rw\S+ 1 root root 0 .* \/dev\/kvm$/m)
    expect(text('devNodes')).toContain("ls: cannot access '/dev/vfio': No such file or directory")
  })

  it('reads the kernel log from /dev/kmsg without starting dmesg', async () => {
    const run = scriptedRunner({})
    const set = await collectLive({root: baseHost().file('dev/kmsg', '6,1,35553,-;DMAR: IOMMU enabled\n').dir, run, user: 'vini'})
    expect(byKind(set.sources, 'kernelLog')).toEqual([{kind: 'kernelLog', origin: '/dev/kmsg', status: 'ok', text: '[    0.035553] DMAR: IOMMU enabled\n'}])
    expect(run.calls.filter((c) => /^(?:dmesg|journalctl)/.test(c))).toEqual([])
  })

  it('marks a restricted kernel log denied with the hint to use sudo', async () => {
    const run = scriptedRunner({
      dmesg: {status: 'denied', reason: 'dmesg: read kernel buffer failed: Operation not permitted'},
      'journalctl -k -b --no-pager': {status: 'ok', stdout: '-- No entries --\n'},
    })
    const set = await collectLive({root: baseHost().dir, run, user: 'vini'})
    const log = byKind(set.sources, 'kernelLog')[0]!
    expect(log).toMatchObject({status: 'denied', hint: 'run vfio-doctor with sudo'})
    expect(log.text).toBeUndefined()
  })

  it('falls back to journalctl -k when dmesg is refused', async () => {
    const run = scriptedRunner({
      dmesg: {status: 'denied', reason: 'Operation not permitted'},
      'journalctl -k -b --no-pager': {status: 'ok', stdout: 'Mar 29 10:00:00 lumine kernel: DMAR: IOMMU enabled\n'},
    })
    const set = await collectLive({root: baseHost().dir, run, user: 'vini'})
    expect(byKind(set.sources, 'kernelLog')[0]).toMatchObject({status: 'ok', origin: 'journalctl -k -b --no-pager'})
  })

  it('gives empty IOMMU groups as an empty listing, not a missing source', async () => {
    const root = new FakeRoot().folder('sys/kernel/iommu_groups').file('proc/cpuinfo', CPUINFO)
    const set = await collectLive({root: root.dir, run: scriptedRunner({}), user: 'nobody'})
    expect(byKind(set.sources, 'iommuListing')[0]).toMatchObject({status: 'ok', text: ''})
    expect(byKind(set.sources, 'pciSysfs')[0]).toMatchObject({status: 'missing'})
    expect(byKind(set.sources, 'cmdline')[0]).toMatchObject({status: 'missing', reason: '/proc/cmdline does not exist'})
  })

  it('reads NixOS generations and their kernel-params through the store links', async () => {
    const root = baseHost()
      .file('nix/store/aaa-nixos-system/kernel-params', 'intel_iommu=on vfio-pci.ids=10de:1b81,10de:10f0 loglevel=4')
      .file('nix/store/bbb-nixos-system/kernel-params', 'intel_iommu=on loglevel=4')
      .link('run/current-system', '/nix/store/aaa-nixos-system')
      .link('run/booted-system', '/nix/store/bbb-nixos-system')
    const set = await collectLive({root: root.dir, run: scriptedRunner({}), user: 'vini'})
    const params = byKind(set.sources, 'nixKernelParams')
    expect(params.map((p) => [p.label, p.status, p.text])).toEqual([
      ['current', 'ok', 'intel_iommu=on vfio-pci.ids=10de:1b81,10de:10f0 loglevel=4'],
      ['booted', 'ok', 'intel_iommu=on loglevel=4'],
    ])
    expect(byKind(set.sources, 'nixSystem').map((s) => s.text)).toEqual(['/nix/store/aaa-nixos-system\n', '/nix/store/bbb-nixos-system\n'])
  })

  it('walks every file a domain uses from / (namei -l), so a 0700 home shows', async () => {
    const xml = `<domain type='kvm'><name>win11</name><devices>
      <disk type='file' device='cdrom'><source file='/home/vini/Win11.iso'/><target dev='sdb' bus='sata'/></disk>
    </devices></domain>`
    const root = baseHost().file('etc/libvirt/qemu/win11.xml', xml).file('home/vini/Win11.iso', 'iso', 0o644)
    const {chmodSync} = await import('node:fs')
    chmodSync(`${root.dir}/home/vini`, 0o700)
    const set = await collectLive({root: root.dir, run: scriptedRunner({}), user: 'vini'})
    expect(byKind(set.sources, 'domainXml').map((s) => s.label)).toEqual(['win11'])
    const namei = byKind(set.sources, 'permissions')[0]!.text!
    expect(namei).toContain('f: /home/vini/Win11.iso')
    expect(namei).toMatch(/^drwx------ root root vini$/m)
    expect(namei).toMatch(/^-rw-r--r-- root root Win11\.iso$/m)
  })

  it('asks virsh for each domain, and stops asking after one timeout', async () => {
    const run = scriptedRunner({
      'virsh -c qemu:///system list --all --name': {status: 'ok', stdout: 'a\nb\nc\n\n'},
      'virsh -c qemu:///system dumpxml --inactive a': {status: 'ok', stdout: '<domain><name>a</name></domain>'},
      'virsh -c qemu:///system dumpxml --inactive b': {status: 'timeout', reason: 'virsh did not answer in time'},
    })
    const set = await collectLive({root: baseHost().dir, run, user: 'vini'})
    expect(byKind(set.sources, 'domainXml').map((s) => `${s.label}:${s.status}`)).toEqual(['a:ok', 'b:timeout', 'c:timeout'])
    expect(run.calls.filter((c) => c.includes('dumpxml'))).toHaveLength(2)
  })
})

describe('programsFirst', () => {
  it('starts the collectors that start programs first, longest first, the rest a turn later, and keeps their order', async () => {
    const started: string[] = []
    const collector = (title: string, startsProgram?: number): Collector => ({title, collect: async () => [], ...(startsProgram ? {startsProgram} : {})})
    const collectors = [collector('kernel'), collector('pci', 3), collector('libvirt', 2), collector('nixos', 1), collector('devices')]
    let turnEnded = false
    setImmediate(() => (turnEnded = true))
    const results = await programsFirst(collectors, async (c) => {
      started.push(`${c.title}${turnEnded ? ' (later)' : ''}`)
      return c.title
    })
    expect(started).toEqual(['nixos', 'libvirt', 'pci', 'kernel (later)', 'devices (later)'])
    expect(results).toEqual(['kernel', 'pci', 'libvirt', 'nixos', 'devices'])
  })

  it('starts virsh before lspci on a live run, the longer first', async () => {
    const order: string[] = []
    const root = baseHost()
    const run = scriptedRunner({})
    const set = await collectLive({
      root: root.dir,
      user: 'vini',
      run: async (command, args) => {
        order.push(command)
        return run(command, args)
      },
    })
    expect(order.slice(0, 2)).toEqual(['virsh', 'lspci'])
    expect(set.sources.map((s) => s.kind)).toContain('cpuinfo')
  })
})

describe('virsh on this machine', () => {
  const socketHere = ['/run/libvirt/virtqemud-sock', '/run/libvirt/libvirt-sock'].some((p) => existsSync(p) || existsSync(`/var${p}`))

  it.runIf(!socketHere)('does not start virsh on this machine, which has no libvirt daemon socket, and says why', async () => {
    const run = scriptedRunner({})
    const set = await collectLive({root: '/', run, user: 'root'})
    expect(run.calls.filter((c) => c.startsWith('virsh'))).toEqual([])
    expect(byKind(set.sources, 'virshList')).toEqual([
      {
        kind: 'virshList',
        origin: 'virsh -c qemu:///system list --all --name',
        status: 'error',
        reason: 'no libvirt daemon listens for qemu:///system: neither /run/libvirt/virtqemud-sock nor /run/libvirt/libvirt-sock exists, so virsh was not started',
        hint: 'is libvirt installed, and its daemon (libvirtd or virtqemud) started?',
      },
    ])
  })

  it('asks virsh on this machine for another URI, whatever sockets there are', async () => {
    const run = scriptedRunner({})
    await collectLive({root: '/', run, user: 'root', libvirtUri: 'test:///default'})
    expect(run.calls).toContain('virsh -c test:///default list --all --name')
  })
})
