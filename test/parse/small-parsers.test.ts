import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {parseCmdline, vfioIdsOf} from '../../src/parse/cmdline.js'
import {parseCpuinfo} from '../../src/parse/cpuinfo.js'
import {kernelAtLeast, parseKernelRelease} from '../../src/parse/kernel-release.js'
import {moduleKey} from '../../src/parse/modprobe.js'
import {parseModules} from '../../src/parse/modules.js'
import {parseOsRelease} from '../../src/parse/os-release.js'
import {parsePciSysfs} from '../../src/parse/pci-sysfs.js'
import {parseDetectVirt, parseKvmParams, parseUserGroups, parseVirshList} from '../../src/parse/small.js'
import {corpusDir, hasShared} from '../helpers/paths.js'

describe('cmdline', () => {
  // Seed 000's real command line.
  const seed000 =
    'initrd=\\EFI\\nixos\\l5q5mzranynx29kl5mfr9p9r6ljxjrmr-initrd-linux-6.12.18-initrd.efi init=/nix/store/c91cmpkrzsmai5kx426clw6mhfa2bfk5-nixos-system-lumine-25.05.20250309.e3e32b6/init intel_iommu=on loglevel=4'
  it('reads keys and values in order', () => {
    const c = parseCmdline(seed000 + '\n')
    expect(c.params.map((p) => p.key)).toEqual(['initrd', 'init', 'intel_iommu', 'loglevel'])
    expect(c.last.get('intel_iommu')).toBe('on')
  })
  it.each([
    ['GRUB_CMDLINE_LINUX_DEFAULT="quiet splash intel_iommu=on"', ['quiet', 'splash', 'intel_iommu']],
    ['`GRUB_CMDLINE_LINUX_DEFAULT="quiet splash intel_iommu=on vfio-pci-ids=8086:9a49"`', ['quiet', 'splash', 'intel_iommu', 'vfio-pci-ids']],
    ["GRUB_CMDLINE_LINUX='amd_iommu=on iommu=pt'", ['amd_iommu', 'iommu']],
    ['"quiet amd_iommu=on"', ['quiet', 'amd_iommu']],
  ])('reads the parameters of a pasted /etc/default/grub line: %s', (line, keys) => {
    expect(parseCmdline(line).params.map((p) => p.key)).toEqual(keys)
  })
  it('lets the last of a repeated key win and keeps quoted spaces', () => {
    const c = parseCmdline('amd_iommu=on iommu=pt amd_iommu=pt dyndbg="file vfio* +p" quiet')
    expect(c.last.get('amd_iommu')).toBe('pt')
    expect(c.last.get('dyndbg')).toBe('file vfio* +p')
    expect(c.last.get('quiet')).toBe(true)
    expect(c.params.filter((p) => p.key === 'amd_iommu')).toHaveLength(2)
  })
  it('accepts a pasted "Kernel command line:" dmesg line', () => {
    const c = parseCmdline(`[    0.035515] Kernel command line: ${seed000}`)
    expect(c.last.get('loglevel')).toBe('4')
  })
  it('reads vfio-pci.ids, lower-cased', () => {
    expect(vfioIdsOf(parseCmdline('vfio-pci.ids=1002:67DF,1002:aaf0'))).toEqual(['1002:67df', '1002:aaf0'])
    expect(vfioIdsOf(parseCmdline('quiet'))).toEqual([])
  })
  it('stops at -- (the rest is for init)', () => {
    expect(parseCmdline('quiet -- single').last.has('single')).toBe(false)
  })
})

describe('cpuinfo over the real corpus', () => {
  const dir = join(corpusDir, 'cpuinfo')
  const files = hasShared ? readdirSync(dir) : []
  const parsed = files.map((f) => {
    const text = readFileSync(join(dir, f), 'utf8')
    return {f, text, cpu: parseCpuinfo(text)}
  })
  const intel = parsed.filter((p) => p.cpu?.vendor === 'intel').length
  const amd = parsed.filter((p) => p.cpu?.vendor === 'amd').length
  it.skipIf(!hasShared)(`${files.length} cpuinfo files: ${intel} Intel, ${amd} AMD; vendor and vmx/svm agree with the file`, () => {
    for (const {f, text, cpu} of parsed) {
      expect(cpu, f).toBeDefined()
      const vendorLine = /vendor_id\s*:\s*(\S+)/.exec(text)?.[1]
      if (vendorLine === 'GenuineIntel') expect(cpu!.vendor, f).toBe('intel')
      if (vendorLine === 'AuthenticAMD') expect(cpu!.vendor, f).toBe('amd')
      const flags = /^flags\s*:(.*)$/m.exec(text)?.[1] ?? ''
      expect(cpu!.virtFlag === 'vmx', f).toBe(/\bvmx\b/.test(flags))
      expect(cpu!.hypervisor, f).toBe(/\bhypervisor\b/.test(flags))
      expect(cpu!.logicalCpus, f).toBe(text.match(/^processor\s*:/gm)?.length)
    }
  })
  it('reads a pasted flags line alone', () => {
    const cpu = parseCpuinfo('flags : fpu vme de pse tsc msr pae mce svm hypervisor')
    expect(cpu).toMatchObject({vendor: 'amd', virtFlag: 'svm', hypervisor: true})
  })
  it('gives cores and threads per core', () => {
    const cpu = parseCpuinfo('processor : 0\nvendor_id : GenuineIntel\nsiblings : 8\ncpu cores : 4\nflags : vmx\n')
    expect(cpu).toMatchObject({cores: 4, threadsPerCore: 2})
  })
})

describe('small sources', () => {
  it('lsmod and /proc/modules', () => {
    const lsmod = 'Module                  Size  Used by\nvfio_pci               16384  0\nvfio_iommu_type1       45056  0\nkvm_intel             409600  0\n'
    expect([...parseModules(lsmod).loaded]).toEqual(['vfio_pci', 'vfio_iommu_type1', 'kvm_intel'])
    expect(parseModules('vfio-pci 16384 0 - Live 0x0\n').loaded.has(moduleKey('vfio_pci'))).toBe(true)
  })
  it('os-release', () => {
    expect(parseOsRelease('ID=nixos\nVERSION_ID="25.05"\nPRETTY_NAME="NixOS 25.05 (Warbler)"\n')).toEqual({id: 'nixos', versionId: '25.05', prettyName: 'NixOS 25.05 (Warbler)'})
  })
  it.each([
    ['6.12.18\n', '6.12.18', 6, 12],
    ['Linux lumine 6.1.0-25-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.106-3 x86_64 GNU/Linux', '6.1.0-25-amd64', 6, 1],
    ['Linux version 5.15.90 (nixbld@localhost) (gcc 12.2.0) #1-NixOS SMP', '5.15.90', 5, 15],
  ])('kernel release from %j', (text, release, major, minor) => {
    expect(parseKernelRelease(text)).toEqual({release, major, minor})
  })
  it('compares kernel releases', () => {
    expect(kernelAtLeast(parseKernelRelease('6.2.0')!, 6, 2)).toBe(true)
    expect(kernelAtLeast(parseKernelRelease('5.19.17')!, 6, 2)).toBe(false)
  })
  it('pci-sysfs lines', () => {
    const {devices, warnings} = parsePciSysfs('# vfio-doctor pci-sysfs v1\n0000:01:00.0 vendor=10de device=1b81 class=030000 driver=vfio-pci driver_override=vfio-pci boot_vga=0 iommu_group=1 reset_method=flr,bus\nnot-an-address x=1\n')
    expect(devices).toEqual([
      {address: '0000:01:00.0', vendorId: '10de', deviceId: '1b81', classCode: '0300', driver: 'vfio-pci', driverOverride: 'vfio-pci', bootVga: false, iommuGroup: 1, resetMethods: ['flr', 'bus']},
    ])
    expect(warnings).toHaveLength(1)
  })
  it('kvm parameters', () => {
    expect([...parseKvmParams('kvm.ignore_msrs=Y\nreport_ignored_msrs: N\n')]).toEqual([
      ['kvm.ignore_msrs', 'Y'],
      ['kvm.report_ignored_msrs', 'N'],
    ])
    // `grep -r . /sys/module/kvm/parameters`, the way KINDS tells a person to get them.
    expect([...parseKvmParams('/sys/module/kvm/parameters/ignore_msrs:N\n/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts:Y\n')]).toEqual([
      ['kvm.ignore_msrs', 'N'],
      ['vfio_iommu_type1.allow_unsafe_interrupts', 'Y'],
    ])
  })
  it.each([
    ['uid=1000(vini) gid=100(users) groups=100(users),1(wheel),67(libvirtd)', {name: 'vini', groups: ['users', 'wheel', 'libvirtd']}],
    ['vini : users wheel kvm', {name: 'vini', groups: ['users', 'wheel', 'kvm']}],
    ['users wheel', {name: '', groups: ['users', 'wheel']}],
  ])('user groups from %j', (text, want) => expect(parseUserGroups(text)).toEqual(want))
  it.each([
    ['none\n', 'none'],
    ['kvm\n', 'vm'],
    ['docker\n', 'container'],
  ])('systemd-detect-virt %j', (text, kind) => expect(parseDetectVirt(text)?.kind).toBe(kind))
  it('virsh list --name', () => expect(parseVirshList('win10\nlinux\n\n')).toEqual(['win10', 'linux']))
})

describe('small parsers are total', () => {
  const parsers = [parseCmdline, parseCpuinfo, parseModules, parseOsRelease, parseKernelRelease, parsePciSysfs, parseKvmParams, parseUserGroups, parseDetectVirt, parseVirshList]
  it('never throw on arbitrary text, NULs, CRLF', () => {
    fc.assert(
      fc.property(fc.string({unit: 'binary', maxLength: 400}), (s) => {
        for (const p of parsers) {
          p(s)
          p(s.replace(/\n/g, '\r\n'))
          p(`${s}\u0000${s}`)
        }
      }),
      {numRuns: 300},
    )
  })
  it('handle a 10 MB single line', () => {
    const line = 'a'.repeat(10 * 1024 * 1024)
    for (const p of parsers) p(line)
  })
})
