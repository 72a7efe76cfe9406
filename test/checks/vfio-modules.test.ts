import check from '../../checks/vfio-modules.js'
import {testCheck} from '../helpers/check-tester.js'
import {hasShared} from '../helpers/paths.js'
import {corpus, DMESG, seed003Config, seed003Dmesg} from './host-data.js'
import {seed004Nix} from './isolation-data.js'

const LSMOD_NO_VFIO = `Module                  Size  Used by
nouveau              2899968  1
kvm_intel             409600  0
kvm                  1388544  1 kvm_intel
irqbypass              12288  1 kvm
`
const LSMOD_VFIO = `${LSMOD_NO_VFIO}vfio_pci               16384  0
vfio_pci_core          94208  1 vfio_pci
vfio_iommu_type1       49152  0
vfio                   69632  3 vfio_pci_core,vfio_iommu_type1,vfio_pci
`
const IDS_CMDLINE = 'BOOT_IMAGE=/vmlinuz-6.8.0-45-generic root=UUID=1b2c ro quiet splash intel_iommu=on iommu=pt vfio-pci.ids=10de:1b81,10de:10f0\n'
// Seed 003's configuration without boot.kernelModules and the postBootCommands that modprobe vfio-pci:
// ids for vfio-pci, nothing that loads it.
const seed003WithoutModules = (): string =>
  seed003Config()
    .replace(/kernelModules = \[[^\]]*\];/, '')
    .replace(/postBootCommands = ''[\s\S]*?'';/, '')

testCheck(check, {
  valid: [
    {name: 'seed 003: vfio_pci in boot.kernelModules, "vfio_pci: add [10de:1b81...]" in dmesg', files: {'configuration.nix': seed003Config(), 'dmesg.txt': seed003Dmesg()}, passes: [/^vfio-pci is there: 0000:01:00\.0 bound to vfio-pci$/]},
    {name: 'seed 003 configuration alone: it loads vfio_pci', files: {'configuration.nix': seed003Config()}, passes: [/^the configuration loads vfio_pci$/]},
    {name: "seed 004: preDeviceCommands writes driver_override and runs modprobe -i vfio-pci", files: {'configuration.nix': seed004Nix()}, passes: [/^the configuration loads vfio_pci$/]},
    {name: 'vfio modules in lsmod', files: {'lsmod.txt': LSMOD_VFIO, 'cmdline.txt': IDS_CMDLINE}, passes: [/^vfio-pci is there: lsmod: vfio_pci, vfio, vfio_iommu_type1$/]},
    {name: 'no vfio ids anywhere: nothing needs vfio-pci at boot', files: {'lsmod.txt': LSMOD_NO_VFIO, 'cmdline.txt': 'root=/dev/sda2 intel_iommu=on'}, passes: [/^no vfio-pci ids or driver_override are set, so nothing needs vfio-pci at boot \(libvirt loads it/]},
    {
      name: 'vfio built in (Ubuntu): not in lsmod, but /dev/vfio exists',
      files: {'lsmod.txt': LSMOD_NO_VFIO, 'cmdline.txt': IDS_CMDLINE, 'dev-nodes.txt': 'drwxr-xr-x 2 root root 60 Mar  1 10:00 /dev/vfio\n'},
      passes: [/^vfio-pci is there: \/dev\/vfio exists while lsmod lists no vfio module: vfio is built in$/],
    },
    {
      name: 'sysfs shows the GPU on vfio-pci although lsmod has no vfio (built in)',
      files: {'lsmod.txt': LSMOD_NO_VFIO, 'cmdline.txt': IDS_CMDLINE, 'pci-sysfs.txt': '0000:01:00.0 vendor=10de device=1b81 class=030000 driver=vfio-pci iommu_group=1\n'},
      passes: [/^vfio-pci is there: 0000:01:00\.0 bound to vfio-pci$/],
    },
    {
      name: 'kernelPatches builds VFIO_PCI into the kernel',
      files: {'configuration.nix': '{ pkgs, ... }: {\n  boot.kernelParams = [ "vfio-pci.ids=10de:1b81" ];\n  boot.kernelPatches = [ {\n    name = "vfio-builtin";\n    patch = null;\n    extraConfig = \'\'\n      VFIO y\n      VFIO_PCI y\n    \'\';\n  } ];\n}\n'},
      passes: [/^vfio-pci is there: configuration\.nix line \d+: the kernel is built with VFIO_PCI=y \(vfio-pci is built in\)$/],
    },
    {name: 'real Proxmox log: vfio-pci has 05:00.0', files: {'dmesg.txt': corpus(DMESG.proxmox5700u), 'lsmod.txt': LSMOD_NO_VFIO, 'cmdline.txt': IDS_CMDLINE}},
  ],
  invalid: [
    {
      name: 'NixOS: vfio-pci ids in extraModprobeConfig, but no module list loads vfio_pci',
      files: {'configuration.nix': seed003WithoutModules()},
      findings: [{id: 'vfio-modules-missing', severity: 'error', message: /the configuration never loads vfio_pci/, evidence: /boot.extraModprobeConfig = "options vfio-pci ids=10de:1b81"/}],
    },
    {
      name: 'boot.kernelParams with vfio-pci.ids and no module list',
      files: {'configuration.nix': '{ boot.kernelParams = [ "vfio-pci.ids=10de:1b81" ]; }'},
      findings: [{id: 'vfio-modules-missing', severity: 'error', message: /^vfio-pci is set up to claim devices at boot, but the configuration never loads vfio_pci: the host driver keeps the card\.$/, evidence: /^configuration\.nix line 1: "vfio-pci\.ids=10de:1b81"\nboot\.initrd\.kernelModules, boot\.kernelModules and the boot commands never load vfio_pci$/, fix: /"list":"vfio_pci vfio vfio_iommu_type1"/}],
    },
    {
      name: 'modprobe.d ids for vfio_pci, none of the modules in lsmod',
      files: {'vfio.conf': 'options vfio_pci ids=10de:1b81\n', 'lsmod.txt': LSMOD_NO_VFIO},
      findings: [{id: 'vfio-modules-missing', severity: 'warning', message: /but the vfio modules are not loaded: the host driver keeps the card\. \(Unless/, evidence: /^vfio\.conf line 1: options vfio_pci ids=10de:1b81\nlsmod: none of vfio_pci, vfio, vfio_iommu_type1 is loaded$/}],
    },
    {
      name: 'vfio-pci.ids on the command line, vfio not in lsmod (could still be built in)',
      files: {'lsmod.txt': LSMOD_NO_VFIO, 'cmdline.txt': IDS_CMDLINE},
      findings: [{id: 'vfio-modules-missing', severity: 'warning', message: /Unless vfio-pci is built into this kernel/, fix: /"modules":"\\"vfio_pci\\" \\"vfio\\" \\"vfio_iommu_type1\\""/}],
    },
    {
      name: 'the same with a whole boot log (real, Intel) that has no vfio line',
      files: {'lsmod.txt': LSMOD_NO_VFIO, 'cmdline.txt': IDS_CMDLINE, 'dmesg.txt': corpus(DMESG.lenovoIntelIommuOn)},
      findings: [{id: 'vfio-modules-missing', severity: 'error', evidence: /no "VFIO - User Level meta-driver" line/}],
    },
  ],
  unknown: [
    {name: 'a kernel log alone', files: {'dmesg.txt': corpus(DMESG.lenovoIntelIommuOn)}, reason: /and no NixOS configuration/},
  ],
}, {skip: !hasShared})
