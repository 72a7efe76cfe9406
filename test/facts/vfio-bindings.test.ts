/**
 * src/facts/vfio-bindings.ts: every place the evidence hands devices to vfio-pci, each with its origin
 * and the line to quote, from one host that uses them all (the forms guides give).
 */
import {describe, expect, it} from 'vitest'
import {idsSelected, vfioBindings} from '../../src/facts/vfio-bindings.js'
import {assembleFacts} from '../../src/facts/assemble.js'
import {sourceSetFromFiles} from '../helpers/check-tester.js'

describe('idsSelected', () => {
  it.each([
    ['10de:1b81', '10de:1b81'],
    ['10de:1b81:1458:3702', '10de:1b81'],
  ])('%s selects %s', (value, ids) => expect(idsSelected(value)).toBe(ids))
  it.each([['10de:1b8'], ['10de:1b81:'], ['10de:1b81:1:2:3:4:5'], ['10de:1b81:123456789'], ['[10de:1b81]']])('%s is a typo', (value) => expect(idsSelected(value)).toBeUndefined())
})

describe('vfioBindings', () => {
  const nix = `{ ... }: {
  boot.kernelParams = [ "intel_iommu=on" "vfio-pci.ids=10de:2184,10de:1aeb" "quiet" ];
  boot.extraModprobeConfig = ''
    options vfio-pci ids=10de:1aec
    options kvm ignore_msrs=1
  '';
  boot.postBootCommands = ''
    echo vfio-pci > /sys/bus/pci/devices/0000:0F:00.0/driver_override
    echo vfio-pci > /sys/bus/pci/devices/0000:0f:00.0/driver_override
  '';
  boot.initrd.preDeviceCommands = ''
    echo 0000:0a:00.0 > /sys/bus/pci/drivers/nvme/unbind
  '';
}
`
  const facts = assembleFacts(
    sourceSetFromFiles({
      'cmdline.txt': 'BOOT_IMAGE=/vmlinuz vfio_pci.ids=10de:1b81,10de:10f0 vfio-pci.disable_vga=1 vfio.ids=1:2\n',
      'vfio.conf': 'options vfio-pci ids=1002:67df disable_vga=1\noptions snd_hda_intel ids=1:2\noptions vfio_pci disable_idle_d3=1\n',
      'dmesg.txt': '[    2.1] vfio_pci: add [1002:164c[ffffffff:ffffffff]] class 0x000000/00000000\n',
      'pci-sysfs.txt': '0000:05:00.0 vendor=1002 device=164c class=030000 driver=vfio-pci driver_override=vfio-pci iommu_group=5\n0000:05:00.1 vendor=1002 device=1637 class=040300 driver=snd_hda_intel driver_override=(null) iommu_group=5\n',
      'configuration.nix': nix,
    }),
    {},
  )
  it('ids from the command line, modprobe.d, the kernel log and the NixOS lists; addresses from sysfs and boot commands that write vfio-pci', () => {
    expect(vfioBindings(facts).map((b) => `${b.kind} ${b.value} ${b.origin} | ${b.where}`)).toEqual([
      'ids 10de:1b81 cmdline | kernel command line: vfio_pci.ids=10de:1b81,10de:10f0',
      'ids 10de:10f0 cmdline | kernel command line: vfio_pci.ids=10de:1b81,10de:10f0',
      'ids 1002:67df modprobe | vfio.conf line 1: options vfio-pci ids=1002:67df',
      'ids 1002:164c kernel-log | kernel log line 1: vfio_pci: add [1002:164c[ffffffff:ffffffff]] class 0x000000/00000000',
      'address 0000:05:00.0 sysfs | 0000:05:00.0 driver_override is vfio-pci',
      'ids 10de:2184 nix-kernel-params | configuration.nix line 2: boot.kernelParams "vfio-pci.ids=10de:2184,10de:1aeb"',
      'ids 10de:1aeb nix-kernel-params | configuration.nix line 2: boot.kernelParams "vfio-pci.ids=10de:2184,10de:1aeb"',
      'ids 10de:1aec nix-modprobe | configuration.nix line 3: boot.extraModprobeConfig "options vfio-pci ids=10de:1aec"',
      'address 0000:0f:00.0 nix-boot-commands | configuration.nix line 7: boot.postBootCommands writes vfio-pci to driver_override of 0000:0f:00.0',
    ])
  })
  it('no evidence, no bindings', () => expect(vfioBindings(assembleFacts(sourceSetFromFiles({}), {}))).toEqual([]))
})
