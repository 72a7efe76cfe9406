/**
 * What one boot's messages say about the IOMMU. The 64 corpus logs teach what is NOT proof of DMA
 * translation (counts are of logs with no group, no VT-d init and no AMD IOMMU):
 *   - "DMAR: IOMMU enabled" only says intel_iommu=on was read; seed 000 shows it with VT-d off in the BIOS.
 *   - "DMAR: dmar0: reg_base_addr" (23 logs) and "DMAR-IR: Enabled IRQ remapping" (22) appear whenever
 *     the BIOS has VT-d on, also when the kernel leaves DMA remapping off.
 *   - "iommu: Default domain type: Translated" (22) is the IOMMU core's default, printed with no IOMMU.
 *   - "AMD-Vi: AMD IOMMUv2 functionality not available" (18) comes from a module that loads anywhere,
 *     Intel machines included (16 of the 20 corpus logs that print it).
 */
import type {KernelLog, KernelSignalKind} from '../kernel-log.js'
import {filterShows, type LineFilter} from './excerpt.js'

export interface Boot {
  /** The lines start at a boot: "Linux version", a [0.000000] stamp, journalctl's "-- Reboot --". */
  fromStart: boolean
  /** Kernel init ended ("Freeing unused kernel memory", "Run /init as init process"): every IOMMU message is in. */
  initDone: boolean
  /** Groups made, VT-d initialised, or an AMD IOMMU found. */
  translating: boolean
  /** intel_iommu=off or amd_iommu=off, as the kernel read it. */
  saysOff: boolean
  /** Whose IOMMU the firmware describes: a DMAR table or DRHD units (Intel), an IVRS table (AMD). */
  tableVendor?: 'intel' | 'amd'
}

export function newBoot(fromStart: boolean): Boot {
  return {fromStart, initDone: false, translating: false, saysOff: false}
}

export function noteSignal(boot: Boot, kind: KernelSignalKind, data: Record<string, string> | undefined): void {
  switch (kind) {
    case 'iommu-group-add':
    case 'dmar-vtd-init':
    case 'amdvi-found':
      boot.translating = true
      break
    case 'interrupt-remapping-enabled':
      // AMD-Vi sets up interrupt remapping with the IOMMU itself; Intel's DMAR-IR works without it.
      if (data?.vendor === 'amd') boot.translating = true
      break
    case 'dmar-iommu-disabled':
    case 'amdvi-disabled':
      boot.saysOff = true
      break
    case 'acpi-dmar':
    case 'dmar-hardware':
      boot.tableVendor = 'intel'
      break
    case 'acpi-ivrs':
      boot.tableVendor = 'amd'
      break
    default:
  }
}

/** The last messages of kernel init, printed after the IOMMU drivers have run. */
export function endsKernelInit(text: string): boolean {
  return (
    text.startsWith('Freeing unused kernel') ||
    text.startsWith('Write protecting the kernel read-only data') ||
    (text.startsWith('Run /') && text.includes(' as init process'))
  )
}

export function iommuVerdict(boot: Boot): KernelLog['iommu'] {
  if (boot.translating) return 'on'
  if (boot.saysOff) return 'off'
  // A whole boot past kernel init without a unit or a group: there is none.
  if (boot.fromStart && boot.initDone) return 'off'
  return 'unknown'
}

/** The message each vendor's driver prints once DMA remapping is on (dmar-vtd-init, amdvi-found). */
export const REMAPPING_ON = {
  intel: 'DMAR: Intel(R) Virtualization Technology for Directed I/O',
  amd: 'pci 0000:00:00.2: AMD-Vi: Found IOMMU cap 0x40',
} as const

/**
 * An excerpt from boot (`dmesg | grep -i dmar`) that shows the firmware's IOMMU table, and would
 * show the driver's "remapping on" line, proves by that line's absence that the kernel left the
 * IOMMU off.
 */
export function excerptVerdict(boot: Boot, filter: LineFilter): KernelLog['iommu'] {
  if (boot.translating) return 'on'
  if (boot.saysOff) return 'off'
  return boot.tableVendor && filterShows(filter, REMAPPING_ON[boot.tableVendor]) ? 'off' : 'unknown'
}
