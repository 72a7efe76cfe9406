/**
 * Every recogniser, tested like a lint rule: real output it must claim (from the fixtures, the
 * development set and test/devset/samples, each with its source), and near misses it must not.
 * A recogniser without a real sample fails the first test.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {recogniseText} from '../../src/sources/recognise/index.js'
import {RECOGNISERS} from '../../src/sources/recognise/recognisers.js'
import {repoRoot} from '../helpers/paths.js'

/** Format -> files holding only that output (paths from the repository root). */
const SAMPLES: Record<string, string[]> = {
  'PCI device list from sysfs': ['fixtures/seed-004-igpu-bound/pci-sysfs.txt'],
  '/proc/version': ['test/devset/samples/proc-version.txt'],
  'libvirt domain XML': ['test/devset/cases/224-hostdev-host-model-cpu/win10.xml', 'test/devset/cases/238-lg-shmem-ivshmem-plain-32m-healthy/shmem.xml'],
  'NixOS configuration': ['test/devset/cases/239-nixos-vfio-libvirtd-swtpm-acl-healthy/configuration.nix', 'fixtures/seed-003-iso-in-home/configuration.nix'],
  'IOMMU group listing': ['test/devset/cases/122-lsiommu-group-star-amd990/lsiommu.txt', 'test/devset/cases/117-groups-all-vfio-healthy/groups-output.txt'],
  'lspci output': ['test/devset/cases/106-lspci-nvidia-after-guide/lspci.txt', 'test/devset/cases/109-identical-t400-one-isolated-healthy/lspci-nnk.txt'],
  'kernel log': ['test/devset/cases/108-aer-datalink-gpu-fell-off/dmesg.txt', 'test/devset/cases/118-unhandled-wrmsr-amd-journal/journal.txt', 'test/devset/samples/journalctl-k.txt'],
  'lsmod output': ['test/devset/samples/lsmod.txt'],
  'CPU information (cpuinfo or lscpu)': ['test/devset/cases/131-wsl-cpuinfo-hypervisor-no-vmx/cpuinfo.txt', 'test/devset/samples/lscpu.txt'],
  'kvm-ok output': ['test/devset/cases/115-kvm-ok-exists-healthy/kvm-ok.txt'],
  'virt-host-validate output': ['test/devset/samples/virt-host-validate.txt'],
  'initramfs tool output': ['test/devset/cases/101-mkinitcpio-virqfd-quickpassthrough/paste.txt', 'test/devset/samples/update-initramfs.txt'],
  'nixos-rebuild output': ['test/devset/samples/nixos-rebuild.txt'],
  'quickemu output': ['test/devset/cases/234-quickemu-win11-requirements-tpm-line/quickemu-output.txt', 'test/devset/samples/quickemu.txt'],
  'qemu or libvirt log': ['test/devset/cases/228-win10-qemu-log-ovmf-pflash-healthy/win10.log', 'test/devset/cases/104-header-127-virt-manager/error.txt'],
  'qemu.conf': ['test/devset/samples/qemu-conf.txt'],
  'device node list': ['fixtures/seed-001-looking-glass/dev-nodes.txt'],
  'file permission listing (ls -l, namei -l, stat)': ['fixtures/seed-003-iso-in-home/permissions.txt'],
  'user groups (id / groups)': ['fixtures/seed-003-looking-glass-evdev-not-event/groups.txt'],
  'modprobe configuration': ['test/devset/samples/modprobe-vfio.conf.txt'],
  'os-release': ['fixtures/seed-002-nvme-system-disk/os-release.txt'],
  'uname output': ['fixtures/seed-002-nvme-system-disk/uname.txt'],
  'kernel command line': ['fixtures/seed-002-nvme-system-disk/cmdline.txt'],
  'NixOS generation': ['fixtures/secrets-host/current-system-target.txt'],
  'ACPI table list': ['test/devset/samples/acpi-tables.txt'],
  'IOMMU unit list': ['test/devset/samples/sys-class-iommu.txt'],
  'KVM module parameters': ['test/devset/samples/kvm-params.txt'],
  'systemd-detect-virt output': ['test/devset/samples/detect-virt.txt'],
}

/** Text that looks like an output and is not, with the format it must not be taken for. */
const NEAR_MISSES: Array<[format: string, why: string, text: string]> = [
  ['kernel command line', 'a NixOS option that sets parameters', 'boot.kernelParams = [ "intel_iommu=on" "iommu=pt" ];'],
  ['kernel command line', 'a sentence with key=value words', 'I set intel_iommu=on and rebooted but nothing changed'],
  ['lspci output', 'prose naming a slot', '01:00.0 is my GPU and it does not work'],
  ['IOMMU group listing', 'prose about a group', 'my GPU is in group 14 with the audio device, is that ok?'],
  ['kernel log', 'prose quoting a word the kernel prints', 'ACPI is enabled in the firmware, I checked'],
  ['user groups (id / groups)', 'two ordinary words', 'thanks everyone'],
  ['user groups (id / groups)', 'a command whose name is a usual group', 'docker logs windows'],
  ['uname output', 'a version in prose', '6.1 did not help either'],
  ['systemd-detect-virt output', 'an answer that is not a virtualization name', 'yes'],
  ['modprobe configuration', 'comments alone', '# vfio settings go here\n# nothing yet'],
  ['NixOS configuration', 'a qemu.conf line', 'user = "root"\ngroup = "root"'],
  ['libvirt domain XML', 'HTML', '<html><body><p>error</p></body></html>'],
  ['lsmod output', 'a table of numbers that is not lsmod', 'Name Size\nfoo 1'],
  ['ACPI table list', 'capitalised words', 'HELP THIS DOES NOT WORK'],
  ['qemu or libvirt log', 'prose mentioning qemu', 'I use qemu and libvirt with virt-manager on Arch'],
]

const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8')

describe('recognisers', () => {
  it('each has a real sample', () => {
    expect([...new Set(RECOGNISERS.map((r) => r.format))].filter((f) => !SAMPLES[f]?.length)).toEqual([])
  })

  describe.each(Object.entries(SAMPLES))('%s', (format, paths) => {
    it.each(paths)('claims %s, all of it', (path) => {
      const sections = recogniseText(read(path))
      expect(sections.map((s) => s.format)).toEqual([format])
    })
  })

  it.each(NEAR_MISSES)('not %s: %s', (format, _why, text) => {
    expect(recogniseText(text).map((s) => s.format)).not.toContain(format)
  })
})
