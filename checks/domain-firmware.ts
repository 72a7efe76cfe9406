import {defineCheck} from '../src/engine/types.js'
import type {Facts} from '../src/facts/types.js'
import type {DomainModel} from '../src/parse/domain-xml.js'
import {bootsUefi, domainLabel, domainSubject, guestOs, isX86, passedGpus, domainsShowing} from './lib/domain.js'
import {isNixos} from './lib/host.js'
import {logLine, logSignalsOf} from './lib/libvirt.js'

/**
 * A domain that passes a GPU (or runs Windows 11) boots OVMF (UEFI), not SeaBIOS, and the OVMF
 * image it names exists.
 */
export default defineCheck({
  id: 'domain-firmware',
  title: 'The domains boot OVMF (UEFI)',
  area: 'vm',
  reports: ['firmware-not-uefi'],
  needs: [],
  uses: ['domains', 'logSignals', 'fileAccess', 'pciDevices', 'os', 'nixConfig'],
  run(facts, report) {
    const missingFirmware = logSignalsOf(facts, 'ovmf-missing')
    if (!facts.domains && missingFirmware.length === 0) return report.skip(facts.unknown.domains?.reason ?? 'no domain XML')
    const values = platformValues(facts)

    if (missingFirmware.length > 0) {
      const path = missingFirmware.find((s) => s.data?.path)?.data?.path
      report.error('firmware-not-uefi', {
        message: path
          ? `qemu cannot open the OVMF image ${path}: it does not exist (not installed, or a path from an older installation).`
          : 'libvirt found no UEFI firmware (OVMF) to boot the domain with: OVMF is not installed, or not where libvirt looks.',
        evidence: missingFirmware.map(logLine),
        values: {...values, domain: facts.domains?.[0]?.name || 'VM', loader: ''},
      })
    }

    for (const domain of domainsShowing(facts, report, 'os')) {
      if (!isX86(domain)) continue
      const label = domainLabel(domain)
      const domainValues = {...values, domain: domainSubject(domain), loader: domain.os.loader ?? ''}
      if (bootsUefi(domain)) {
        const missing = missingFiles(domain, facts)
        if (missing.length === 0) {
          report.pass(`${label} boots UEFI${domain.os.loader ? ` (${domain.os.loader})` : ''}`)
          continue
        }
        report.error('firmware-not-uefi', {
          subject: domainSubject(domain),
          message: `${label} boots OVMF from ${missing.join(' and ')}, which does not exist on this host.`,
          evidence: [osEvidence(domain), ...missing.map((p) => `permissions: ${p}: No such file or directory`)],
          values: domainValues,
        })
        continue
      }
      const gpus = passedGpus(domain, facts)
      const os = guestOs(domain)
      const windows11 = os?.windows && os.version === '11'
      if (gpus.length === 0 && !windows11) {
        report.pass(`${label} boots SeaBIOS and passes no GPU`)
        continue
      }
      const why = windows11
        ? `Windows 11 requires UEFI (${os!.evidence})`
        : `it passes the GPU ${gpus.map((g) => g.address).join(', ')}, and GPU passthrough wants OVMF: SeaBIOS must run the card's legacy VGA BIOS through VGA arbitration, which many cards and hosts do not manage`
      const finding = {
        subject: domainSubject(domain),
        message: `${label} boots SeaBIOS (legacy BIOS), not OVMF: ${why}.`,
        evidence: [osEvidence(domain), ...gpus.map((g) => `<hostdev> source ${g.address}${g.device?.name ? ` ${g.device.name}` : ''}`)],
        values: domainValues,
      }
      if (windows11) report.error('firmware-not-uefi', finding)
      else report.warning('firmware-not-uefi', finding)
    }
  },
})

/** The <os> element as the domain has it, for evidence. */
function osEvidence(domain: DomainModel): string {
  const {firmware, loader, loaderType, machine} = domain.os
  const parts = [`<os${firmware ? ` firmware='${firmware}'` : ''}>`, machine ? `machine='${machine}'` : '', loader !== undefined ? `<loader${loaderType ? ` type='${loaderType}'` : ''}>${loader}</loader>` : 'no <loader>']
  return `${domain.origin}: ${parts.filter(Boolean).join(' ')}`
}

/** Loader and NVRAM paths the evidence shows missing (only files we were told about). */
function missingFiles(domain: DomainModel, facts: Facts): string[] {
  const paths = [domain.os.loader].filter((p): p is string => !!p && p.startsWith('/'))
  return paths.filter((p) => facts.fileAccess?.get(p)?.missing === true)
}

/** The OVMF package and the NixOS line, for this host's distribution. */
function platformValues(facts: Facts): Record<string, string> {
  const id = facts.os?.id ?? ''
  const ovmfPackage = /debian|ubuntu|mint|pop|raspbian|zorin|elementary/.test(id) ? 'ovmf' : /fedora|rhel|centos|rocky|alma|arch|manjaro|endeavour|cachyos/.test(id) ? 'edk2-ovmf' : /opensuse|sles/.test(id) ? 'qemu-ovmf-x86_64' : 'ovmf (Debian, Ubuntu) or edk2-ovmf (Fedora, Arch)'
  const version = Number.parseFloat(facts.os?.versionId ?? '')
  // NixOS 25.11 removed qemu.ovmf: every OVMF image QEMU ships is available to libvirt by default.
  const nixosOvmf = isNixos(facts) && version >= 25.11 ? '# OVMF comes with QEMU; nothing to enable (virtualisation.libvirtd.qemu.ovmf no longer exists)' : 'virtualisation.libvirtd.qemu.ovmf.enable = true; # NixOS 25.05 and older; from 25.11 OVMF comes with QEMU'
  return {ovmfPackage, nixosOvmf}
}
