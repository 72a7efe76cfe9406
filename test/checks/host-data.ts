/**
 * Real host evidence for the host / kernel / IOMMU check tables, read in place from the corpus and
 * the seed documents (never copied into the repository).
 */
import {join} from 'node:path'
import {corpusDir, hasShared, readShared} from '../helpers/paths.js'
import {fencedNixBlocks, readSeed, SEED, UNFENCED} from '../parse/nix-seeds.js'

export function corpus(rel: string): string {
  return readShared(join(corpusDir, rel))
}

/** Corpus kernel logs (corpus/dmesg-manifest.tsv says which vendor and which IOMMU lines each has). */
export const DMESG = {
  /** Proxmox 6.5, Ryzen 7 5700U: "amd_iommu=on iommu=pt", then "AMD-Vi: Unknown option - 'on'"; iGPU 05:00.0 on vfio-pci. */
  proxmox5700u: 'dmesg/gammaman88__proxmox-amd-5700u-gpu-passthrough__dmesg.txt',
  /** Manjaro 5.17 on X570: RX 5700 XT (Navi 10, 1002:731f) at 0b:00.0 handed to vfio-pci; AMD-Vi interrupt remapping enabled. */
  navi10: 'dmesg/alshdavid-labs__vfio-log__1-manjaro-5-17-lxde_dmesg.txt',
  /** Manjaro 5.10, same host: the vfio modules, vfio_virqfd among them, in a "Modules linked in:" line. */
  navi10Kernel510: 'dmesg/alshdavid-labs__vfio-log__0-manjaro-5-10-lxde_dmesg.txt',
  /** Fedora 5.6 ThinkPad L490: corrected AER errors on root port 00:1d.0 and the NVMe behind it (bus 04). */
  l490: 'dmesg/alexberry__l490-nvme__logs_dmesg.log',
  /** Intel, "intel_iommu=on", DMAR and groups; a whole boot. */
  lenovoIntelIommuOn: 'dmesg/apple-corps__lenovo-crbk16-rec0logs__dmesg',
  /** A KVM guest ("Hypervisor detected: KVM") whose own kernel logs "unchecked MSR access error: RDMSR". */
  kvmGuest: 'dmesg/TingHsuanYang__cmpe283-assignment1__dmesg.log',
  /** Arch linux-zen 6.7 on Intel without intel_iommu=on, yet "Adding to iommu group" lines: VT-d on by default. */
  intelDefaultOn: 'dmesg/Crany-web__log__dmesg.txt',
} as const

export const CPUINFO = {
  /** Intel Core i5-3450 (vmx). */
  intel: 'cpuinfo/MrArtemSid__coreboot_dh77df__logs_cpuinfo.log',
  /** AMD Ryzen 7 4800U (svm). */
  amd: 'cpuinfo/toszlanyi__My-Lenovo-Yoga-Slim-7__Specifications_cpuinfo.txt',
  /** Intel Celeron 900: no vmx flag at all. */
  noVmx: 'cpuinfo/cmotc__m11x_hwinfo__i1545_cpuinfo.log',
  /** AMD A8-6500 APU (svm). */
  amdApu: 'cpuinfo/renzenicolai__coreboot-dev-ms7721__Info_cpuinfo.log',
} as const

/** The IOMMU group listing of the Navi 10 host (alshdavid-labs/vfio-log). */
export const NAVI10_GROUPS = 'iommu-groups/alshdavid-labs__vfio-log__iommu-groups.txt'

/** Lines of a text that match, joined: a short real excerpt for a case. */
export function linesOf(text: string, pattern: RegExp): string {
  return text
    .split('\n')
    .filter((l) => pattern.test(l))
    .join('\n')
}

/** Seed 001's NixOS module as the document prints it (lost `let` and closing brackets included). */
export function seed001Module(): string {
  return UNFENCED.jakeHamilton().text
}

/** Seed 003's final configuration (the last ```nix block; '' without ../shared). */
export function seed003Config(): string {
  if (!hasShared) return ''
  return fencedNixBlocks(SEED.vini).at(-1)!.text
}

/** The `dmesg | grep -i vfio` output seed 003 quotes. */
export function seed003Dmesg(): string {
  return linesOf(readSeed(SEED.vini), /^\[\s*\d+\.\d+\] (?:VFIO|vfio)/)
}

/** Seed 001's IOMMU group lines for the RX 480. */
export function seed001Groups(): string {
  return linesOf(readSeed(SEED.jakeHamilton), /^IOMMU Group 23 /)
}

/** Seed 003's group line for the GTX 1070. */
export function seed003Groups(): string {
  return linesOf(readSeed(SEED.vini), /^IOMMU Group 1 01:00\.0/)
}

/** The plain ``` blocks (outputs, not ```bash / ```nix) of a seed, in order. */
export function outputBlocks(seed: string): string[] {
  const blocks: string[] = []
  let fence: {plain: boolean; lines: string[]} | undefined
  for (const line of readSeed(seed).split('\n')) {
    const marker = /^```(\S*)\s*$/.exec(line)
    if (!marker) fence?.lines.push(line)
    else if (!fence) fence = {plain: marker[1] === '', lines: []}
    else {
      if (fence.plain) blocks.push(fence.lines.join('\n'))
      fence = undefined
    }
  }
  return blocks
}

/** Seed 000: dmesg with VT-d off, the empty group listing, dmesg with VT-d on, the listing then. */
export function seed000(): {dmesgVtdOff: string; emptyListing: string; dmesgVtdOn: string; listing: string} {
  const [dmesgVtdOff, emptyListing, dmesgVtdOn, listing] = outputBlocks(SEED.blog2025)
  return {dmesgVtdOff: dmesgVtdOff!, emptyListing: emptyListing!, dmesgVtdOn: dmesgVtdOn!, listing: listing!}
}
