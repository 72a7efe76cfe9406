/**
 * Real data the device-isolation check tables share: the seed documents' quoted listings, dmesg and
 * NixOS modules, and the corpus's group listings and lspci outputs, read in place at test time.
 */
import {join} from 'node:path'
import {hasShared, readShared, seedsDir} from '../helpers/paths.js'
import {corpus, seedBlock, seeds} from './libvirt-data.js'

export {NIXOS_RELEASE, DEBIAN_RELEASE, corpus} from './libvirt-data.js'

/** Group `group` of the first match of `pattern`, which the seed must have ('' without ../shared). */
function quote(text: string, pattern: RegExp, group = 0): string {
  if (!hasShared) return ''
  const m = pattern.exec(text)
  if (!m) throw new Error(`no ${String(pattern)}`)
  return m[group]!
}

/** Seed 000's whole group listing with VT-d on: no 00:02.0, the i7-7700T's iGPU was off in the firmware. */
export const seed000Groups = seedBlock(seeds.s000, '', 'IOMMU Group 8:')
/** Seed 000's second `dmesg | grep -i iommu` block (VT-d on). */
export const seed000Dmesg = seedBlock(seeds.s000, '', 'DMAR-IR')
/** Seed 000's passthrough module: vfio modules before i915 and amdgpu, vfio-pci.ids for the RX 580. */
export const seed000Nix = seedBlock(seeds.s000, 'nix', '\n      "vfio-pci.ids=1002:67df,1002:aaf0"')
/** The command line of seed 000's passthrough generation: the dmesg one plus the module's vfio-pci.ids. */
export const seed000Cmdline = `${quote(seed000Dmesg, /Kernel command line: (.*)/, 1)} vfio-pci.ids=1002:67df,1002:aaf0\n`
export const seed000Cpuinfo = 'vendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Core(TM) i7-7700T CPU @ 2.90GHz\nflags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush dts acpi mmx fxsr sse sse2 ss ht tm pbe syscall nx pdpe1gb rdtscp lm constant_tsc vmx smx est tm2 ssse3 fma cx16 xtpr pdcm pcid sse4_1 sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand lahf_lm abm 3dnowprefetch\n'

/** Seed 003's one-line listing of its GTX 1070 and its dmesg lines. */
export const seed003Gtx1070 = quote(seeds.s003, /IOMMU Group 1 01:00\.0 .*/)
export const seed003Dmesg = seedBlock(seeds.s003, 'bash', 'vfio_pci: add')
/** The GTX 1070's audio function, as J4nsen's real listing prints it. */
export const gtx1070Audio = 'Audio device [0403]: NVIDIA Corporation GP104 High Definition Audio Controller [10de:10f0] (rev a1)'

const seed002 = readShared(join(seedsDir, '002_467ecb762679129a.txt'))
/** Seed 002's `lspci -nn` excerpt as the page prints it ("..." for the lines it leaves out). */
export const seed002Lspci = quote(seed002, /^\.\.\.\n01:00\.0[^\n]*\n01:00\.1[^\n]*\n/m)
/** Seed 002's kernel parameter: the R9 290X's two functions and 144d:a80a. */
export const seed002Ids = quote(seed002, /"(vfio-pci\.ids=[^"]*)"/, 1)
/** Seed 002's two NixOS statements (initrd modules, kernel parameters), as a module. */
export const seed002Nix = `{\n${[/^boot\.initrd\.kernelModules = \[[^\]]*\];/m, /^boot\.kernelParams = \[[^\]]*\];/m].map((r) => quote(seed002, r)).join('\n')}\n}\n`

export const listings = {
  j4nsen: corpus('iommu-groups', 'J4nsen__4gamers1pc__iommu_groups.txt'),
  alshdavid: corpus('iommu-groups', 'alshdavid-labs__vfio-log__iommu-groups.txt'),
  mathewlear: corpus('iommu-groups', 'mathewlear__ASUS-X670E-I-IOMMU-GROUPS__iommu_groups.txt'),
  zephyrwc3: corpus('iommu-groups', 'zephyrwc3__amd_7950x_raphael_vbios__iommu_groups.txt'),
}

export const lspci = {
  /** Latitude E6430: Intel HD 4000 (i915) + NVIDIA NVS 5200M (nouveau), `lspci -nnk -vv`. */
  e6430: corpus('lspci', 'jneumann-dev__latitude-e6430-with-nvidia-dgpu-data__logs_lspci.log'),
  /** Samsung NP350V5C: Intel HD 4000 + AMD Radeon HD 7730M (amdgpu... radeon), `lspci -nnk -vv`. */
  np350v5c: corpus('lspci', 'MrArtemSid__coreboot_np350v5c__logs_lspci.log'),
  /** IdeaPad 320: Intel HD 615 (i915) + GeForce 940MX 3D controller (nvidia), `lspci -vk`. */
  ideapad320: corpus('lspci', 'kyrylo-sovailo__ideapad320_15ikb_defconfig__lspci'),
  /** ThinkPad (Sandy Bridge): i915 iGPU + GeForce 610M 3D controller with no driver bound, `lspci -k`. */
  exherbo: corpus('lspci', 'rofrol__exherbo__lspci-k.txt'),
}

/**
 * A listing's device lines as `lspci -nnk` prints them, each followed by the driver given for it
 * ("Kernel driver in use:" lines are what lspci -k adds; no line means no driver).
 */
export function lspciNnk(listing: string, drivers: Record<string, string>, extra: string[] = []): string {
  const lines = [...listing.split('\n'), ...extra].flatMap((line) => {
    const m = /^\s*(?:IOMMU Group \d+ )?([0-9a-f]{2}:[0-9a-f]{2}\.[0-7]) (.*)$/.exec(line)
    if (!m) return []
    const driver = drivers[m[1]!]
    return [`${m[1]} ${m[2]}`, ...(driver ? [`\tKernel driver in use: ${driver}`] : [])]
  })
  return lines.join('\n') + '\n'
}

/** Our own sysfs dump format (src/parse/pci-sysfs.ts), for evidence only a capture has (boot_vga). */
export function pciSysfs(lines: string[]): string {
  return ['# vfio-doctor pci-sysfs v1', ...lines].join('\n') + '\n'
}

const seed004 = readShared(join(seedsDir, '004_ba619669a63f6198.txt'))
/** Seed 004's DEVS list: the iGPU 00:02.0, the GTX 1060's two functions and the PCIe NIC. */
export const seed004Devs = quote(seed004, /DEVS="([^"]*)"/, 1)
/**
 * Seed 004's VFIO module as a whole NixOS module. The page lost some lines (closing brackets, the
 * loop's `done`); what it quotes is kept: the comment, availableKernelModules, the DEVS loop, the
 * 5.15 pin (commented out on the page) and the nouveau blacklist.
 */
export function seed004Nix(devs = seed004Devs, pinned = false): string {
  return `{ config, pkgs, ... }:

{
  boot.kernelParams = [
    # nvidia gtx 1060, realtek pcie ethernet controller
    "intel_iommu=on"
  ];
  boot.initrd.availableKernelModules = [ "vfio-pci" ];
  boot.initrd.preDeviceCommands = ''
    DEVS="${devs}"
    for DEV in $DEVS; do
      echo "vfio-pci" > /sys/bus/pci/devices/$DEV/driver_override
    done
    modprobe -i vfio-pci
  '';
  ${pinned ? '' : '# '}boot.kernelPackages = pkgs.linuxPackages_5_15;
  boot.blacklistedKernelModules = [ "nouveau" ];
}
`
}

/**
 * Seed 004's host, a Kaby Lake desktop: seed 000's real Kaby Lake / 200-series lines (its Realtek NIC
 * moved to 06:00.0, where seed 004's PCIe NIC sits), the HD 630 iGPU at 00:02.0, and a corpus host's
 * real GTX 1060 lines at 01:00.0.
 */
export const kabyLakeGtx1060 = [
  ...seed000Groups.split('\n').filter((l) => /^\s*00:/.test(l)).map((l) => l.trim()),
  '00:02.0 VGA compatible controller [0300]: Intel Corporation HD Graphics 630 [8086:5912] (rev 04)',
  ...corpus('lspci', 'MrArtemSid__coreboot_p61-s3-b3__logs_lspci.log').split('\n').filter((l) => /^01:00\.[01] /.test(l)).map((l) => l.replace(/ \(prog-if.*$/, '')),
  ...seed000Groups.split('\n').filter((l) => /^\s*02:00\.0 /.test(l)).map((l) => l.trim().replace(/^02:00\.0/, '06:00.0')),
]
  .sort()
  .join('\n')

/**
 * `lspci -nn` lines as our sysfs dump (vendor, device, class), with per-device attributes added
 * ("01:00.0" -> "driver=vfio-pci boot_vga=0 iommu_group=1").
 */
export function sysfsFor(lspciNn: string, attributes: Record<string, string>): string {
  return pciSysfs(
    lspciNn.split('\n').flatMap((line) => {
      const m = /^([0-9a-f]{2}:[0-9a-f]{2}\.[0-7]) [^[]*\[([0-9a-f]{4})\]: .*\[([0-9a-f]{4}):([0-9a-f]{4})\]/.exec(line)
      return m ? [`0000:${m[1]} vendor=${m[3]} device=${m[4]} class=${m[2]}00 ${attributes[m[1]!] ?? ''}`.trim()] : []
    }),
  )
}

/** A Proxmox host passing its Ryzen 7 5700U's iGPU (kernel 6.5): `lspci -nn` and dmesg, real. */
export const apu5700u = {
  lspci: corpus('lspci', 'gammaman88__proxmox-amd-5700u-gpu-passthrough__lspci-nn.txt'),
  dmesg: corpus('dmesg', 'gammaman88__proxmox-amd-5700u-gpu-passthrough__dmesg.txt'),
}
