import {describe, expect, it} from 'vitest'
import check from '../../checks/vfio-ids.js'
import {runCase, testCheck} from '../helpers/check-tester.js'
import {devsetFile, hasShared} from '../helpers/paths.js'
import {gtx1070Audio, kabyLakeGtx1060, listings, lspciNnk, pciSysfs, seed000Cmdline, seed000Groups, seed002Ids, seed002Lspci, seed002Nix, seed003Dmesg, seed003Gtx1070, seed004Devs, seed004Nix, sysfsFor} from './isolation-data.js'
import {seed003Nix} from './libvirt-data.js'

/** Seed 004's host as sysfs shows it: the iGPU is the boot VGA device; DEVS put everything listed on vfio-pci. */
function seed004Sysfs(igpuDriver: string): string {
  const vfio = 'driver=vfio-pci driver_override=vfio-pci'
  return sysfsFor(kabyLakeGtx1060, {
    '00:01.0': 'driver=pcieport iommu_group=1',
    '00:02.0': `${igpuDriver === 'vfio-pci' ? vfio : `driver=${igpuDriver}`} boot_vga=1 iommu_group=0`,
    '00:14.0': 'driver=xhci_hcd iommu_group=3',
    '00:17.0': 'driver=ahci iommu_group=5',
    '01:00.0': `${vfio} boot_vga=0 iommu_group=1`,
    '01:00.1': `${vfio} iommu_group=1`,
    '06:00.0': `${vfio} iommu_group=11`,
  })
}
const withoutIgpu = seed004Devs.replace('0000:00:02.0 ', '')

/** Two identical RTX 3080s (mathewlear's card, twice); the host's is the boot VGA device. */
const twin3080 = pciSysfs([
  '0000:00:01.0 vendor=1022 device=14da class=060000 iommu_group=0',
  '0000:01:00.0 vendor=10de device=2206 class=030000 driver=vfio-pci boot_vga=0 iommu_group=12',
  '0000:01:00.1 vendor=10de device=1aef class=040300 driver=vfio-pci iommu_group=12',
  '0000:2d:00.0 vendor=10de device=2206 class=030000 driver=vfio-pci boot_vga=1 iommu_group=20',
  '0000:2d:00.1 vendor=10de device=1aef class=040300 driver=vfio-pci iommu_group=20',
])

testCheck(check, {
  valid: [
    {name: 'seed 000: vfio-pci.ids=1002:67df,1002:aaf0 are the RX 580 and its audio (whole listing)', files: {'cmdline.txt': seed000Cmdline, 'iommu-groups.txt': seed000Groups}, passes: [/^every vfio-pci id and driver_override address names a device meant for the guest$/]},
    {name: "seed 004's loop given only the PCIe NIC at 06:00.0: not the host's display", files: {'configuration.nix': seed004Nix('0000:06:00.0'), 'lspci.txt': kabyLakeGtx1060}},
    {name: 'ASUS X670E-I (corpus): the RTX 3080 and its audio function', files: {'cmdline.txt': 'vfio-pci.ids=10de:2206,10de:1aef\n', 'iommu-groups.txt': listings.mathewlear}},
    {name: "J4nsen (corpus): both identical Renesas USB controllers go to guests (no GPU among them)", files: {'cmdline.txt': 'vfio-pci.ids=10de:1b81,10de:10f0,1912:0014\n', 'iommu-groups.txt': listings.j4nsen}},
    {name: 'the extended form vendor:device:subvendor:subdevice', files: {'cmdline.txt': 'vfio-pci.ids=1002:67df:1da2:e366,1002:aaf0\n', 'iommu-groups.txt': seed000Groups}},
    {name: 'seed 004 without 00:02.0 in DEVS: the iGPU stays on i915', files: {'configuration.nix': seed004Nix(withoutIgpu), 'lspci.txt': kabyLakeGtx1060, 'pci-sysfs.txt': seed004Sysfs('i915')}},
  ],
  invalid: [
    {
      name: 'a typo: three hex digits',
      files: {'cmdline.txt': 'vfio-pci.ids=1002:67df,1002:aaf\n', 'iommu-groups.txt': seed000Groups},
      findings: [{id: 'vfio-ids-wrong', severity: 'error', subject: '1002:aaf', message: /"1002:aaf" is not vendor:device/, fix: /"ids":"1002:67df"/}],
    },
    {
      name: 'ids pasted with their brackets',
      files: {'modprobe-vfio.conf': 'options vfio-pci ids=[1002:67df],[1002:aaf0]\n', 'iommu-groups.txt': seed000Groups},
      findings: [
        {id: 'vfio-ids-wrong', severity: 'error', subject: '[1002:67df]', evidence: /modprobe-vfio\.conf line 1/},
        {id: 'vfio-ids-wrong', severity: 'error', subject: '[1002:aaf0]'},
      ],
    },
    {
      name: "seed 002: the wiki's 144d:a80a is in no device of its (partial) lspci -nn",
      files: {'configuration.nix': seed002Nix, 'lspci.txt': seed002Lspci},
      findings: [{id: 'vfio-ids-wrong', severity: 'info', subject: '144d:a80a', message: /partial/, evidence: /boot\.kernelParams "vfio-pci\.ids=1002:67b0,1002:aac8,144d:a80a"/}],
    },
    {
      name: 'seed 000 listing (whole host) with an id no device has',
      files: {'cmdline.txt': `${seed000Cmdline.trim()},144d:a80a\n`, 'iommu-groups.txt': seed000Groups},
      findings: [{id: 'vfio-ids-wrong', severity: 'warning', subject: '144d:a80a', message: /no device on this host/}],
    },
    {
      name: "7950X host (corpus listing) with seed 002's 144d:a80a: its PM9A1 NVMe controller",
      files: {'cmdline.txt': `${seed002Ids.replace('1002:67b0,1002:aac8', '10de:2504,10de:228e')}\n`, 'iommu-groups.txt': listings.zephyrwc3},
      findings: [{id: 'vfio-ids-wrong', severity: 'warning', subject: '144d:a80a', message: /Does the host boot from this disk\?/}],
    },
    {
      name: '7950X host (corpus listing) booting from NVMe: 144d:a80a is its only NVMe controller',
      files: {'cmdline.txt': 'root=/dev/nvme0n1p2 vfio-pci.ids=10de:2504,10de:228e,144d:a80a\n', 'iommu-groups.txt': listings.zephyrwc3},
      findings: [{id: 'vfio-ids-wrong', severity: 'error', subject: '144d:a80a', message: /system disk/, evidence: /root=\/dev\/nvme0n1p2/}],
    },
    {
      name: 'two identical RTX 3080s, the host keeps the boot VGA one: ids cannot split them',
      files: {'cmdline.txt': 'vfio-pci.ids=10de:2206,10de:1aef\n', 'pci-sysfs.txt': twin3080},
      findings: [
        {id: 'vfio-ids-wrong', severity: 'error', subject: '10de:2206', message: /identical cards.*0000:2d:00 that the host keeps/, fix: /"ids":"","addresses":"0000:01:00\.0 0000:01:00\.1"/},
        {id: 'vfio-ids-wrong', severity: 'error', subject: '10de:1aef'},
      ],
    },
    {
      name: 'two identical cards and nothing says which one the host keeps',
      files: {'cmdline.txt': 'vfio-pci.ids=10de:2206\n', 'pci-sysfs.txt': twin3080.replace('boot_vga=1', 'boot_vga=0')},
      findings: [{id: 'vfio-ids-wrong', severity: 'warning', subject: '10de:2206', message: /right only if every one of them goes to a guest/}],
    },
    {
      name: 'seed 003: postBootCommands writes driver_override for 0f:00.x; its GTX 1070 is at 01:00.0',
      files: {'configuration.nix': seed003Nix, 'iommu-groups.txt': `${seed003Gtx1070}\nIOMMU Group 1 01:00.1 ${gtx1070Audio}\n`, 'dmesg.txt': seed003Dmesg},
      findings: [
        // One shell loop wrote both addresses: one finding names both.
        {id: 'vfio-ids-wrong', severity: 'warning', subject: '0000:0f:00.0 0000:0f:00.1', message: /^driver_override is written for 0000:0f:00\.0 and 0000:0f:00\.1, which are not in the evidence \(the guest GPU is 0000:01:00\.0\)/, fix: /"addresses":"0000:01:00\.0 0000:01:00\.1"/},
      ],
    },
    {
      name: "seed 004: preDeviceCommands binds 0000:00:02.0, the iGPU the host boots on",
      files: {'configuration.nix': seed004Nix(), 'lspci.txt': kabyLakeGtx1060, 'pci-sysfs.txt': seed004Sysfs('vfio-pci')},
      findings: [{id: 'vfio-ids-wrong', severity: 'error', subject: '0000:00:02.0', message: /host's own display GPU \(the guest GPU is 0000:01:00\.0\).*console freezes/, evidence: /boot_vga=1/, fix: /"addresses":"0000:01:00\.0 0000:01:00\.1 0000:06:00\.0"/}],
    },
    {
      name: 'seed 004 with its 5.15 pin: the same mistake, hidden by the old kernel',
      files: {'configuration.nix': seed004Nix(seed004Devs, true), 'lspci.txt': kabyLakeGtx1060, 'pci-sysfs.txt': seed004Sysfs('vfio-pci'), 'uname.txt': '5.15.145\n'},
      findings: [{id: 'vfio-ids-wrong', severity: 'error', subject: '0000:00:02.0', message: /kernel 5\.15\.145 leaves only the firmware framebuffer drawing on it.*staying on 5\.x only hides this/}],
    },
    {
      name: 'vfio-pci.ids with the iGPU next to the GTX 1060, i915 not yet replaced (configuration not booted)',
      files: {'configuration.nix': '{\n  boot.kernelParams = [ "vfio-pci.ids=8086:5912,10de:1c02,10de:10f1" ];\n}\n', 'lspci-nnk.txt': lspciNnk(kabyLakeGtx1060, {'00:02.0': 'i915', '01:00.0': 'nouveau', '01:00.1': 'snd_hda_intel'})},
      findings: [{id: 'vfio-ids-wrong', severity: 'error', subject: '8086:5912', evidence: /driven by i915/}],
    },
    {
      name: "seed 004's loop written for three addresses the whole listing does not have",
      files: {'configuration.nix': seed004Nix('0000:0f:00.0 0000:0f:00.1 0000:0f:00.2'), 'iommu-groups.txt': seed000Groups},
      findings: [{
        id: 'vfio-ids-wrong',
        severity: 'warning',
        subject: '0000:0f:00.0 0000:0f:00.1 0000:0f:00.2',
        message: /^driver_override is written for 0000:0f:00\.0, 0000:0f:00\.1 and 0000:0f:00\.2, which do not exist on this host: the write fails and binds nothing\.$/,
        evidence: /^configuration\.nix line 9: boot\.initrd\.preDeviceCommands writes vfio-pci to driver_override of 0000:0f:00\.0 0000:0f:00\.1 0000:0f:00\.2\n15 PCI devices in the evidence, none at 0000:0f:00\.0, 0000:0f:00\.1 and 0000:0f:00\.2$/,
        fix: /"removed":"0000:0f:00\.0 0000:0f:00\.1 0000:0f:00\.2"/,
      }],
    },
    {
      name: "the loop written for one address the whole listing does not have",
      files: {'configuration.nix': seed004Nix('0000:0f:00.0'), 'iommu-groups.txt': seed000Groups},
      findings: [{id: 'vfio-ids-wrong', severity: 'warning', subject: '0000:0f:00.0', message: /^driver_override is written for 0000:0f:00\.0, which does not exist on this host:/}],
    },
    {
      name: '7950X host booting from NVMe by its NixOS initrd: 144d:a80a is its only NVMe controller',
      files: {'configuration.nix': '{\n  boot.initrd.availableKernelModules = [ "nvme" "xhci_pci" "ahci" ];\n  boot.kernelParams = [ "vfio-pci.ids=10de:2504,10de:228e,144d:a80a" ];\n}\n', 'iommu-groups.txt': listings.zephyrwc3},
      findings: [{
        id: 'vfio-ids-wrong',
        severity: 'error',
        subject: '144d:a80a',
        message: /^vfio-pci\.ids lists 144d:a80a, the ids of 0000:02:00\.0 \[144d:a80a\] [^,]*, which holds the host's system disk as far as the evidence shows \(the root file system is on NVMe and this is the only NVMe controller\)/,
        evidence: /configuration\.nix line 2: boot\.initrd\.availableKernelModules has "nvme" \(the initrd needs NVMe: the root file system is on it\)$/,
        fix: /"ids":"10de:2504,10de:228e","addresses":"0000:01:00\.0 0000:01:00\.1","address":"0000:01:00\.0","removed":"144d:a80a"/,
      }],
    },
    {
      name: 'vfio.ids= on the command line (vfio_pci.ids= beside it is right: - and _ are one)',
      files: {'cmdline.txt': 'root=/dev/sda1 vfio_pci.ids=1002:67df vfio.ids=1002:aaf0\n', 'iommu-groups.txt': seed000Groups},
      findings: [{id: 'vfio-ids-wrong', severity: 'error', subject: 'vfio.ids=1002:aaf0', message: /^`vfio\.ids=1002:aaf0` is not vfio-pci's parameter: the kernel only hands `vfio-pci\.ids=` \(module, dot, parameter\) to vfio-pci/, evidence: /^kernel command line: root=\/dev\/sda1 vfio_pci\.ids=1002:67df vfio\.ids=1002:aaf0$/, fix: /"ids":"1002:aaf0","addresses":"","address":"","removed":"vfio\.ids=1002:aaf0"/}],
    },
    {
      name: 'modprobe.d: pci_ids= for vfio_pci (another module\'s id= is not judged)',
      files: {'vfio.conf': 'options vfio_pci pci_ids=1002:67df\noptions vfio-pci ids=1002:aaf0\noptions snd_hda_intel id=PCH\n', 'iommu-groups.txt': seed000Groups},
      findings: [{id: 'vfio-ids-wrong', severity: 'error', subject: 'options vfio_pci pci_ids=1002:67df', message: /the kernel only hands `options vfio-pci ids=\.\.\.` to vfio-pci/, evidence: /^vfio\.conf line 1: options vfio_pci pci_ids=1002:67df$/}],
    },
  ],
  unknown: [
    {name: 'nothing hands devices to vfio-pci', files: {'iommu-groups.txt': seed000Groups}, reason: /nothing hands devices to vfio-pci/},
    {name: 'ids without any device list', files: {'cmdline.txt': seed000Cmdline}, reason: /no PCI device list/},
    {name: 'an lspci without -nn: no ids to check against', files: {'cmdline.txt': 'vfio-pci.ids=10de:1c02\n', 'lspci.txt': '01:00.0 VGA compatible controller: NVIDIA Corporation GP106 [GeForce GTX 1060 6GB] (rev a1)\n'}, reason: /^the device list shows no ids to check the vfio-pci ids against \(lspci without -nn\): add `lspci -nn`$/},
  ],
}, {skip: !hasShared})

// Real fragments from the development set (in the repository, so these run without ../shared).
testCheck(check, {
  valid: [],
  invalid: [
    {
      name: 'devset 303 (macOS-Simple-KVM#497): GRUB line in Markdown backticks with vfio-pci-ids= (a dash for the dot)',
      files: {'post.txt': devsetFile('303-macos-kvm-vfio-pci-ids-typo', 'post.txt')},
      findings: [{id: 'vfio-ids-wrong', severity: 'error', subject: 'vfio-pci-ids=8086:9a49,8086:a0c8', message: /only hands `vfio-pci\.ids=`/}],
    },
    {
      name: 'modprobe.d with "id=" for "ids="',
      files: {'vfio.conf': 'options vfio-pci id=10de:1b81,10de:10f0\n'},
      findings: [{id: 'vfio-ids-wrong', severity: 'error', subject: 'options vfio-pci id=10de:1b81,10de:10f0', evidence: /vfio\.conf line 1/}],
    },
  ],
  unknown: [
    {
      name: 'devset 301 (quickpassthrough#22): `lspci -k` shows no ids, so the ids vfio-pci is given cannot be checked against it',
      files: {'paste.txt': devsetFile('301-quickpassthrough-rtx3060-audio-not-vfio', 'paste.txt')},
      reason: /shows no ids to check the vfio-pci ids against \(lspci without -nn\)/,
    },
  ],
})

/**
 * A Ryzen desktop as sysfs shows it (the whole host): one NVMe drive, the guest's RTX 3080 on
 * vfio-pci, the host's RX 580 (the boot VGA device) on amdgpu. Inline, no ../shared needed.
 */
const RYZEN = [
  '0000:00:00.0 vendor=1022 device=1480 class=060000 iommu_group=0',
  '0000:00:01.1 vendor=1022 device=1483 class=060400 driver=pcieport iommu_group=1',
  '0000:01:00.0 vendor=144d device=a80a class=010802 driver=nvme iommu_group=2',
  '0000:0a:00.0 vendor=10de device=2206 class=030000 driver=vfio-pci boot_vga=0 iommu_group=20',
  '0000:0a:00.1 vendor=10de device=1aef class=040300 driver=vfio-pci iommu_group=20',
  '0000:0b:00.0 vendor=1002 device=67df class=030000 driver=amdgpu boot_vga=1 iommu_group=21',
  '0000:0b:00.1 vendor=1002 device=aaf0 class=040300 driver=snd_hda_intel iommu_group=21',
  '0000:0c:00.3 vendor=1022 device=149c class=0c0330 driver=xhci_hcd iommu_group=22',
]
const SATA = '0000:0d:00.0 vendor=1022 device=7901 class=010601 driver=ahci iommu_group=23'
/** Seed 004's preDeviceCommands loop, for other addresses. */
const overrideLoop = (devs: string) => `{ config, pkgs, ... }:\n{\n  boot.initrd.preDeviceCommands = ''\n    DEVS="${devs}"\n    for DEV in $DEVS; do\n      echo "vfio-pci" > /sys/bus/pci/devices/$DEV/driver_override\n    done\n    modprobe -i vfio-pci\n  '';\n}\n`
const GUEST_FIX = '"ids":"10de:2206,10de:1aef","addresses":"0000:0a:00\\.0 0000:0a:00\\.1","address":"0000:0a:00\\.0"'
testCheck(check, {
  valid: [],
  invalid: [
    {
      name: "the host's only storage controller in vfio-pci.ids, root by UUID: the system disk",
      files: {'pci-sysfs.txt': pciSysfs(RYZEN), 'cmdline.txt': 'BOOT_IMAGE=/vmlinuz root=UUID=0a3407de-014b-458b-b5c1-848e92a327a3 rw vfio-pci.ids=10de:2206,10de:1aef,144d:a80a'},
      findings: [{
        id: 'vfio-ids-wrong',
        severity: 'error',
        subject: '144d:a80a',
        message: /^vfio-pci\.ids lists 144d:a80a, the ids of 0000:01:00\.0 \[144d:a80a\], which holds the host's system disk as far as the evidence shows \(it is the host's only storage controller\): when vfio-pci claims it at boot the host cannot mount its root\.$/,
        evidence: /^kernel command line: vfio-pci\.ids=10de:2206,10de:1aef,144d:a80a\n0000:01:00\.0 \[144d:a80a\]: driver nvme\n0000:01:00\.0 is in use by the host \(driver nvme\)$/,
        fix: new RegExp(`^\\{${GUEST_FIX},"removed":"144d:a80a"\\}$`),
      }],
    },
    {
      name: 'an NVMe drive beside a SATA controller, the initrd loads ahci (not nvme): only a question',
      files: {'pci-sysfs.txt': pciSysfs([...RYZEN, SATA]), 'configuration.nix': '{\n  boot.initrd.availableKernelModules = [ "xhci_pci" "ahci" "usbhid" "sd_mod" ];\n  boot.kernelParams = [ "vfio-pci.ids=10de:2206,10de:1aef,144d:a80a" ];\n}\n'},
      findings: [{
        id: 'vfio-ids-wrong',
        severity: 'warning',
        subject: '144d:a80a',
        message: /^vfio-pci\.ids lists 144d:a80a, the ids of 0000:01:00\.0 \[144d:a80a\], a disk controller\. Does the host boot from this disk\? If so remove 144d:a80a: vfio-pci would take the host's system disk at boot\. Keep it only if this disk belongs to the VM\.$/,
        evidence: /^configuration\.nix line 3: boot\.kernelParams "vfio-pci\.ids=10de:2206,10de:1aef,144d:a80a"\n0000:01:00\.0 \[144d:a80a\]: driver nvme\n0000:01:00\.0 is in use by the host \(driver nvme\)$/,
      }],
    },
    {
      name: "the host's RX 580 (boot VGA, amdgpu) in vfio-pci.ids on kernel 6.8",
      files: {'pci-sysfs.txt': pciSysfs(RYZEN), 'cmdline.txt': 'BOOT_IMAGE=/vmlinuz root=UUID=0a3407de-014b-458b-b5c1-848e92a327a3 rw vfio-pci.ids=10de:2206,10de:1aef,1002:67df', 'uname.txt': '6.8.12\n'},
      findings: [{
        id: 'vfio-ids-wrong',
        severity: 'error',
        subject: '1002:67df',
        message: /^vfio-pci\.ids lists 1002:67df, the ids of 0000:0b:00\.0, the host's own display GPU \(the guest GPU is 0000:0a:00\.0\): the host loses its screen: on kernel 6\.8\.12 vfio-pci removes the firmware framebuffer on it when it binds the card, so the console freezes during boot\.$/,
        evidence: /^kernel command line: vfio-pci\.ids=10de:2206,10de:1aef,1002:67df\n0000:0b:00\.0 \[1002:67df\]: driver amdgpu\n0000:0b:00\.0 boot_vga=1 \(sysfs\)$/,
        fix: new RegExp(`^\\{${GUEST_FIX},"removed":"1002:67df"\\}$`),
      }],
    },
    {
      name: 'driver_override for the host GPU and for an address the host lacks: one finding each',
      files: {'pci-sysfs.txt': pciSysfs(RYZEN), 'configuration.nix': overrideLoop('0000:0b:00.0 0000:0f:00.0')},
      findings: [
        {
          id: 'vfio-ids-wrong',
          severity: 'warning',
          subject: '0000:0f:00.0',
          message: /^driver_override is written for 0000:0f:00\.0, which does not exist on this host \(the guest GPU is 0000:0a:00\.0\): the write fails and binds nothing\.$/,
          evidence: /^configuration\.nix line 3: boot\.initrd\.preDeviceCommands writes vfio-pci to driver_override of 0000:0b:00\.0 0000:0f:00\.0\n8 PCI devices in the evidence, none at 0000:0f:00\.0$/,
        },
        {
          id: 'vfio-ids-wrong',
          severity: 'error',
          subject: '0000:0b:00.0',
          message: /^driver_override binds 0000:0b:00\.0 \[1002:67df\] to vfio-pci, and that is the host's own display GPU \(the guest GPU is 0000:0a:00\.0\): the host loses its screen: from Linux 6\.0 vfio-pci removes the firmware framebuffer on it when it binds the card, so the console freezes during boot\.$/,
          evidence: /^configuration\.nix line 3: [^\n]*\n0000:0b:00\.0 \[1002:67df\]: driver amdgpu\n0000:0b:00\.0 boot_vga=1 \(sysfs\)$/,
          fix: new RegExp(`^\\{${GUEST_FIX},"removed":"0000:0b:00\\.0"\\}$`),
        },
      ],
    },
    {
      name: 'identical RTX 3080s, the boot VGA one kept by the host: every matched function and the host evidence quoted',
      files: {'cmdline.txt': 'vfio-pci.ids=10de:2206\n', 'pci-sysfs.txt': twin3080},
      findings: [{
        id: 'vfio-ids-wrong',
        severity: 'error',
        subject: '10de:2206',
        message: /^vfio-pci\.ids 10de:2206 selects 0000:01:00\.0 and 0000:2d:00\.0, the same function of identical cards, including the card at 0000:2d:00 that the host keeps: ids cannot split identical cards\. Remove 10de:2206 from vfio-pci\.ids and bind the guest's card by address \(driver_override\)\.$/,
        evidence: /^kernel command line: vfio-pci\.ids=10de:2206\n0000:01:00\.0 \[10de:2206\]: driver vfio-pci\n0000:2d:00\.0 \[10de:2206\]: driver vfio-pci\n0000:2d:00\.0 boot_vga=1 \(sysfs\)$/,
      }],
    },
  ],
  unknown: [{name: 'a driver_override loop without any device list', files: {'configuration.nix': overrideLoop('0000:0a:00.0 0000:0a:00.1')}, reason: /^the evidence has no PCI device list/}],
})

// A partial paste (two lines of `lspci -nn`, no host bridge) and no guest GPU: absence proves little.
testCheck(check, {
  valid: [{
    name: 'driver_override for an address a two-line lspci paste does not show: information only',
    files: {'lspci.txt': '0a:00.0 VGA compatible controller [0300]: NVIDIA Corporation GA102 [GeForce RTX 3080] [10de:2206] (rev a1)\n0a:00.1 Audio device [0403]: NVIDIA Corporation GA102 High Definition Audio Controller [10de:1aef] (rev a1)\n', 'configuration.nix': overrideLoop('0000:0f:00.0')},
    infos: [{id: 'vfio-ids-wrong', subject: '0000:0f:00.0', message: /^driver_override is written for 0000:0f:00\.0, which is not in the evidence: the write fails and binds nothing\.$/}],
  }],
  invalid: [],
})

describe('vfio-ids: a misspelt parameter is a failure, not a skip', () => {
  it('`options vfio-pci id=` with nothing else handed to vfio-pci: the check fails with the finding', () => {
    const r = runCase(check, {name: '', files: {'vfio.conf': 'options vfio-pci id=10de:1b81,10de:10f0\n'}})
    expect(r.status).toBe('failed')
    expect(r.findings.map((f) => f.subject)).toEqual(['options vfio-pci id=10de:1b81,10de:10f0'])
  })
})
