/** What each part of a pasted file is: real samples from the development set, and near misses. */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {assembleFacts} from '../../src/facts/assemble.js'
import {sourcesOfText} from '../../src/sources/evidence.js'
import {recogniseText} from '../../src/sources/recognise/index.js'
import {repoRoot} from '../helpers/paths.js'

const devset = (path: string) => readFileSync(join(repoRoot, 'test/devset/cases', path), 'utf8')
const formats = (text: string) => recogniseText(text).map((s) => `${s.format} ${s.from}-${s.to}`)

describe('recognises real pastes by their lines', () => {
  it.each([
    ['101-mkinitcpio-virqfd-quickpassthrough/paste.txt', ['initramfs tool output 1-5']],
    ['102-dmesg-kvm-disabled-by-bios/notes', ['kernel log 1-7', 'kvm-ok output 10-16']],
    ['106-lspci-nvidia-after-guide/lspci.txt', ['lspci output 1-8']],
    ['115-kvm-ok-exists-healthy/kvm-ok.txt', ['kvm-ok output 1-3']],
    ['117-groups-all-vfio-healthy/groups-output.txt', ['IOMMU group listing 1-6']],
    ['122-lsiommu-group-star-amd990/lsiommu.txt', ['IOMMU group listing 1-10']],
    ['131-wsl-cpuinfo-hypervisor-no-vmx/cpuinfo.txt', ['CPU information (cpuinfo or lscpu) 1-26']],
    ['224-hostdev-host-model-cpu/win10.xml', ['libvirt domain XML 1-29']],
    ['228-win10-qemu-log-ovmf-pflash-healthy/win10.log', ['qemu or libvirt log 1-17']],
    ['238-lg-shmem-ivshmem-plain-32m-healthy/shmem.xml', ['libvirt domain XML 1-5']],
    ['239-nixos-vfio-libvirtd-swtpm-acl-healthy/configuration.nix', ['NixOS configuration 1-20']],
  ])('%s', (path, expected) => expect(formats(devset(path))).toEqual(expected))
})

describe('splits a paste at prompts, and the command is a hint', () => {
  it('gives each command its own output, with line numbers in the file', () => {
    const paste = '$ cat /proc/cmdline\nBOOT_IMAGE=/vmlinuz root=/dev/sda1 intel_iommu=on\n$ lsmod | grep vfio\nvfio_pci               16384  0\nvfio                   45056  2 vfio_pci,vfio_iommu_type1\n'
    expect(recogniseText(paste).map((s) => [s.kind, s.by, s.from, s.to])).toEqual([
      ['cmdline', 'command', 2, 2],
      ['modules', 'command', 4, 5],
    ])
  })

  it('keeps evidence line numbers the file\'s, for a lone part after blank lines and for later parts', () => {
    const lone = sourcesOfText('\n\n[   38.5] kvm: disabled by bios\n', 'dmesg.txt', 'kernelLog')
    const two = sourcesOfText('$ cat /proc/cmdline\nBOOT_IMAGE=/vmlinuz root=/dev/sda1\n$ dmesg | grep kvm\n[   38.5] kvm: disabled by bios\n', 'paste.txt', 'log')
    for (const [sources, line] of [[lone, 3], [two, 4]] as const) {
      const log = assembleFacts({mode: 'input', root: 'x', sources}).kernelLog!
      expect(log.signals.map((s) => [s.kind, s.line.n])).toEqual([['kvm-disabled-by-bios', line]])
    }
  })

  it('splits at a lead-in line even with a trailing blank (deepops#515, devset 125), and keeps the prompt command for the parsers', () => {
    const paste = 'This grub launcher configuration nowadays: \n quiet splash amd_iommu=on vfio-pci.ids=1002:699f,1002:aae0\n\n$ dmesg | grep -i dmar\n[    0.017590] ACPI: DMAR 0x000000004FFCB000 0000A8 (v01 LENOVO TP-N1E   00001590 PTEC 00000002)\n'
    expect(recogniseText(paste).map((s) => [s.kind, s.from, s.to, s.command])).toEqual([
      ['cmdline', 2, 2, undefined],
      ['kernelLog', 5, 5, 'dmesg | grep -i dmar'],
    ])
    const [, log] = sourcesOfText(paste, 'paste.txt', 'log')
    expect(log!.command).toBe('dmesg | grep -i dmar')
  })

  it('reads a Markdown quote of output as its lines (unattend-generator#400, devset 231), and "> cmd" before a known command as a prompt', () => {
    const quoted = devset('231-unattend-vioscsi-loaded-virtio-disk/output.txt')
    const [part] = recogniseText(quoted)
    expect(recogniseText(quoted).map((s) => [s.kind, s.from, s.to])).toEqual([['log', 1, 17]])
    expect(part!.text).toContain('> Could not locate disk 0 (not found).')
    expect(recogniseText('> lspci -nnk\n01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GA104 [10de:2484] (rev a1)\n').map((s) => [s.kind, s.by, s.command])).toEqual([['lspci', 'command', 'lspci -nnk']])
  })

  it('takes "❯ cmd" as a prompt before a known command only: dockur/windows prints its log lines as "❯ ..." (devset 504)', () => {
    expect(recogniseText('❯ lspci -nnk\n01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GA104 [10de:2484] (rev a1)\n').map((s) => [s.kind, s.by, s.command])).toEqual([['lspci', 'command', 'lspci -nnk']])
    const log = recogniseText(devset('504-dockur-windows-linuxkit-kvm-device-missing/paste.txt'))
    expect(log.map((s) => [s.kind, s.from, s.to])).toEqual([['log', 1, 12]])
    expect(log[0]!.text).toContain('HOST: 6.10.11-linuxkit...')
  })

  it('lets the lines overrule a name that says otherwise (an IOMMU listing saved as groups-output.txt)', () => {
    const listing = 'IOMMU Group 1:\n\t01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GA104 [10de:2484] (rev a1)\n'
    expect(recogniseText(listing, {kind: 'userGroups'}).map((s) => s.kind)).toEqual(['iommuListing'])
  })

  it('keeps a name that the lines cannot contradict (virsh list names)', () => {
    expect(recogniseText('win10\nwin11\n', {kind: 'virshList'}).map((s) => s.kind)).toEqual(['virshList'])
  })

  it('keeps a Nix file whole across a shell script with blank lines in a string', () => {
    const nix = "{ pkgs, ... }:\n{\n  boot.initrd.preDeviceCommands = ''\n    DEVS=\"0000:01:00.0\"\n\n    for DEV in $DEVS; do\n      echo vfio-pci > /sys/bus/pci/devices/$DEV/driver_override\n    done\n  '';\n\n  boot.kernelParams = [ \"intel_iommu=on\" ];\n}\n"
    expect(formats(nix)).toEqual(['NixOS configuration 1-12'])
  })
})

describe('near misses are not claimed', () => {
  it.each([
    ['prose that mentions lspci', 'I ran lspci and my card shows up, any ideas why it does not work?'],
    ['a root comment in a config, not a prompt', '# options for the vfio module\nsome words here'],
    ['a single word that is not a virtualization name', 'hello'],
  ])('%s', (_name, text) => expect(recogniseText(text).map((s) => s.kind)).toEqual(['log']))

  it('a GRUB line is a command line, a NixOS option line is not', () => {
    expect(recogniseText('GRUB_CMDLINE_LINUX_DEFAULT="quiet splash intel_iommu=on iommu=pt"').map((s) => s.kind)).toEqual(['cmdline'])
    expect(recogniseText('boot.kernelParams = [ "intel_iommu=on" ];').map((s) => s.kind)).toEqual(['nixConfig'])
  })
})
