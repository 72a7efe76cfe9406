import {defineCheck} from '../src/engine/types.js'
import type {Facts} from '../src/facts/types.js'
import {cmdlineEvidence, excerptThatWouldShow, logEvidence, messageEvidence, signalsOf} from './lib/evidence.js'
import {iommuFirmwareSetting, iommuName, iommuParamFor, virtualHost} from './lib/host.js'
import {cpuVendorOf} from './lib/kernel.js'
import {REMAPPING_ON} from '../src/parse/kernel-log/boot.js'

/**
 * Empty IOMMU groups, told apart by cause: the host is virtual, the firmware has VT-d / AMD-Vi off
 * (no DMAR / IVRS table), or the kernel was not asked to enable it.
 */
export default defineCheck({
  id: 'iommu-enabled',
  title: 'IOMMU is enabled',
  area: 'iommu',
  reports: ['iommu-groups-empty', 'iommu-firmware-off', 'iommu-kernel-off'],
  needs: [],
  uses: ['iommuGroups', 'iommuClass', 'kernelLog', 'acpiTables', 'cmdline', 'cpu', 'virt'],
  run(facts, report) {
    const groups = facts.iommuGroups
    const logSays = facts.kernelLog?.iommu ?? 'unknown'
    if (groups && groups.length > 0) return report.pass(`IOMMU on: ${groups.length} groups`)
    if (!groups && logSays === 'on') return report.pass('IOMMU on: the kernel log shows IOMMU units and groups')
    // qemu's "no iommu_group found" says as much as an empty listing.
    const noGroupMessages = messageEvidence(facts, 'iommu-groups-empty')
    // The kernel registers /sys/class/iommu/dmar0 (ivhd0) once DMA remapping is on.
    const units = facts.iommuClass
    if (!groups && units && units.length > 0) return report.pass(`IOMMU on: /sys/class/iommu lists ${units.join(' ')}`)
    const noUnits = units ? ['/sys/class/iommu lists no IOMMU unit'] : []
    if (!groups && logSays === 'unknown' && noGroupMessages.length === 0 && noUnits.length === 0) {
      const why = facts.unknown.iommuGroups
      // Stryker disable next-line OptionalChaining: facts.unknown has an entry for every fact the evidence lacks (explainUnknown), so why is never undefined here
      return report.skip(`${why?.reason ?? 'no IOMMU group listing'}${why?.hint ? ` (${why.hint})` : ''}`)
    }

    // A VM's or container's IOMMU is its hypervisor's business: host-is-virtual says so once.
    if (virtualHost(facts)) return report.defer('this host is virtual: see host-is-virtual')
    // cpuinfo, else the kernel log's CPU line or IOMMU table: a pasted dmesg alone names the vendor.
    const vendor = cpuVendorOf(facts)
    const symptom = [...(groups ? emptyGroupsEvidence(facts) : []), ...noGroupMessages, ...noUnits, ...remappingAbsent(facts, vendor)]
    const param = iommuParamFor(vendor)
    const values = {param, setting: iommuFirmwareSetting(vendor), vendorName: iommuName(vendor)}
    const table = firmwareTable(facts, vendor)
    const paramOff = iommuParamOff(facts)
    const logLines = signalsOf(facts, 'dmar-iommu-enabled', 'dmar-iommu-disabled', 'amdvi-disabled', 'acpi-dmar', 'acpi-ivrs').map(logEvidence)

    if (paramOff) {
      return report.error('iommu-kernel-off', {
        message: `The kernel command line turns the IOMMU off (${paramOff}).`,
        evidence: [...symptom, cmdlineEvidence(facts), ...logLines],
        values: {...values, remove: paramOff},
      })
    }
    if (table.present === false) {
      return report.error('iommu-firmware-off', {
        message: `No ${table.name} ACPI table: ${values.vendorName} is off in the firmware (BIOS/UEFI) setup, or this platform has no IOMMU.`,
        evidence: [...symptom, table.evidence, ...logLines],
        values,
      })
    }
    const paramSet = facts.cmdline?.last.has(vendor === 'amd' ? 'amd_iommu' : 'intel_iommu')
    if (vendor === 'intel' && facts.cmdline && !paramSet) {
      return report.error('iommu-kernel-off', {
        message: `The ${table.name} table is ${table.present ? 'present' : 'not known to be absent'}, but the kernel was not asked to enable the IOMMU (${param} is missing).`,
        // The table's own log line is among logLines when the log is where it was found: once is enough.
        evidence: [...new Set([...symptom, cmdlineEvidence(facts), ...(table.present ? [table.evidence] : []), ...logLines])],
        values: {...values, remove: 'intel_iommu=off'},
      })
    }
    // intel_iommu=on prints "DMAR: IOMMU enabled" as it is read: an excerpt that would show it, and
    // does not, proves the kernel was not asked.
    const unasked = vendor === 'intel' && !facts.cmdline && signalsOf(facts, 'dmar-iommu-enabled').length === 0 ? excerptThatWouldShow(facts, 'DMAR: IOMMU enabled') : undefined
    if (unasked && table.present) {
      return report.warning('iommu-kernel-off', {
        message: `The firmware has VT-d on (the DMAR table is there), but the kernel did not turn it on: \`${unasked}\` shows no "DMAR: IOMMU enabled", so ${param} is missing. (If lines were cut from that output, paste it whole.)`,
        evidence: [...new Set([...symptom, table.evidence, ...logLines])],
        values: {...values, remove: 'intel_iommu=off'},
      })
    }
    if (paramSet || vendor === 'amd') {
      // The kernel would have enabled it: when it still made no groups, the firmware has it off.
      const asked = paramSet ? `${param} is set` : 'the AMD IOMMU driver is on by default'
      return report.error('iommu-firmware-off', {
        message: `${asked}, yet there are no IOMMU groups: ${values.vendorName} is most likely off in the firmware (BIOS/UEFI) setup.`,
        evidence: [...symptom, ...(facts.cmdline ? [cmdlineEvidence(facts)] : []), ...logLines],
        values,
      })
    }
    report.error('iommu-groups-empty', {
      message: 'There are no IOMMU groups, and the evidence does not say why (add the kernel log, /proc/cmdline and /proc/cpuinfo).',
      evidence: symptom,
      values,
    })
  },
})

/** An excerpt from boot that would show the driver's "remapping on" line, and does not. */
function remappingAbsent(facts: Facts, vendor: 'intel' | 'amd' | undefined): string[] {
  if (!vendor || facts.kernelLog?.iommu !== 'off' || signalsOf(facts, 'dmar-iommu-disabled', 'amdvi-disabled').length > 0) return []
  const command = excerptThatWouldShow(facts, REMAPPING_ON[vendor])
  return command ? [`\`${command}\` has no "${REMAPPING_ON[vendor]}" line: DMA remapping never started`] : []
}

function emptyGroupsEvidence(facts: Facts): string[] {
  return facts.mode === 'live' ? ['/sys/kernel/iommu_groups is empty'] : ['the IOMMU group listing has no groups']
}

/** Whether the firmware published the IOMMU's ACPI table (DMAR on Intel, IVRS on AMD). */
function firmwareTable(facts: Facts, vendor: 'intel' | 'amd' | undefined): {name: string; present?: boolean; evidence: string} {
  const name = vendor === 'amd' ? 'IVRS' : vendor === 'intel' ? 'DMAR' : 'DMAR/IVRS'
  const wanted = name === 'DMAR/IVRS' ? ['DMAR', 'IVRS'] : [name]
  if (facts.acpiTables) {
    const present = facts.acpiTables.some((t) => wanted.includes(t.toUpperCase()))
    return {name, present, evidence: `ACPI tables: ${facts.acpiTables.join(' ')}`}
  }
  const log = facts.kernelLog
  if (log) {
    const tableLines = signalsOf(facts, 'acpi-dmar', 'acpi-ivrs')
    if (tableLines.length > 0) return {name, present: true, evidence: logEvidence(tableLines[0]!)}
    // A whole boot log lists every ACPI table early on; a fragment proves nothing by absence.
    if (log.fromBoot && log.lineCount > 200) return {name, present: false, evidence: `the kernel log from boot lists no ACPI ${name} table`}
  }
  // Stryker disable next-line StringLiteral: a table neither present nor absent is never quoted (only present or absent tables are), so this text is never shown
  return {name, evidence: `no ACPI table list`}
}

function iommuParamOff(facts: Facts): string | undefined {
  for (const key of ['intel_iommu', 'amd_iommu', 'iommu']) {
    const value = facts.cmdline?.last.get(key)
    if (value === 'off' || value === '0') return `${key}=${value}`
  }
  return undefined
}
