import {defineCheck, type FindingInput} from '../src/engine/types.js'
import type {Facts} from '../src/facts/types.js'
import type {DomainModel} from '../src/parse/domain-xml.js'
import {domainLabel, domainSubject, guestOs, domainsShowing} from './lib/domain.js'
import {isNixos} from './lib/host.js'
import {logLine, logSignalsOf} from './lib/libvirt.js'

/**
 * Windows 11 guests have an emulated TPM 2.0 (<tpm> with the emulator backend), and the host can
 * run it: libvirt starts swtpm, which NixOS only provides with qemu.swtpm.enable. A quickemu VM's
 * TPM is judged from quickemu's output.
 */
export default defineCheck({
  id: 'domain-tpm',
  title: 'Windows 11 guests have a TPM 2.0',
  area: 'vm',
  reports: ['tpm-missing'],
  needs: [],
  uses: ['domains', 'logSignals', 'nixConfig', 'os'],
  run(facts, report) {
    const signals = logSignalsOf(facts, 'tpm-missing')
    const quickemu = quickemuTpmNotPassed(facts)
    if (quickemu) report.error('tpm-missing', quickemu)
    const quickemuNoTpm = quickemuWindows11WithoutTpm(facts)
    if (quickemuNoTpm) report.warning('tpm-missing', quickemuNoTpm)
    if (!facts.domains && signals.length === 0) return quickemu || quickemuNoTpm ? undefined : report.skip(facts.unknown.domains?.reason ?? 'no domain XML')
    const swtpm = swtpmSetting(facts)
    // The NixOS configuration line that leaves swtpm off, when it does.
    const swtpmOff = swtpm && !swtpm.enabled ? swtpm.evidence : undefined
    const shown = domainsShowing(facts, report, 'devices', 'tpm')
    const windows11 = shown.filter((d) => isWindows11(d))

    if (signals.length > 0 && windows11.length === 0) {
      report.error('tpm-missing', {
        message: swtpmOff ? `A TPM could not be provided: ${swtpmOff}, so libvirt cannot start swtpm.` : 'The guest or libvirt reports a missing TPM.',
        evidence: [...signals.map(logLine), ...(swtpm ? [swtpm.evidence] : [])],
        values: {domain: facts.domains?.[0]?.name || 'VM'},
      })
    }
    for (const domain of windows11) {
      const label = domainLabel(domain)
      const os = guestOs(domain)!
      // Any backend gives the guest a TPM: emulator (swtpm started by libvirt), passthrough, or external (a swtpm started by the user, libvirt 9.0+).
      const tpm = domain.tpms[0]
      const tpmEvidence = tpm ? `<tpm model='${tpm.model ?? ''}'> backend ${tpm.backend ?? '(none)'} version ${tpm.version ?? '(default)'}` : `${domain.origin}: no <tpm> device`
      const evidence = [`${label}: ${os.evidence}`, tpmEvidence, ...signals.map(logLine)]
      const values = {domain: domainSubject(domain)}
      if (!tpm) {
        const finding = {
          subject: domainSubject(domain),
          message: `${label} is Windows 11 but has no TPM: setup stops with "This PC can't run Windows 11" unless its checks are bypassed.${swtpmOff ? ` Adding one also needs swtpm (${swtpmOff}).` : ''}`,
          evidence: [...evidence, ...(swtpm ? [swtpm.evidence] : [])],
          values,
        }
        if (signals.length > 0) report.error('tpm-missing', finding)
        else report.warning('tpm-missing', finding)
        continue
      }
      if (tpm.backend === 'emulator' && swtpmOff) {
        report.error('tpm-missing', {
          subject: domainSubject(domain),
          message: `${label} has an emulated TPM, but ${swtpmOff}: libvirt fails to start it with "Unable to find 'swtpm' binary in $PATH".`,
          evidence: [...evidence, swtpmOff],
          values,
        })
        continue
      }
      if (tpm.version === '1.2') {
        report.warning('tpm-missing', {subject: domainSubject(domain), message: `${label} has a TPM 1.2; Windows 11 requires TPM 2.0.`, evidence, values})
        continue
      }
      report.pass(`${label} has a TPM (${tpm.backend ?? 'default'} backend)`)
    }
    // A fragment without its devices may be Windows 11's: only whole domains say there is none.
    if (windows11.length === 0 && signals.length === 0 && shown.length === (facts.domains?.length ?? 0)) report.pass('no Windows 11 domain')
  },
})

/**
 * Quickemu 2.2.8 to 2.3.0 start swtpm on VM.swtpm-sock but hand qemu the TPM only when VM-swtpm.sock
 * exists, a name nothing creates, so the VM runs without one (quickemu commit c5efb7d, reverted in
 * 2.3.1 by 8f832a8: quickemu-project/quickemu#192). The version is on quickemu's first line, the
 * socket on its TPM line.
 */
const QUICKEMU_TPM_NOT_PASSED = new Set(['2.2.8', '2.2.9', '2.3.0'])

function quickemuTpmNotPassed(facts: Facts): FindingInput | undefined {
  const banners = logSignalsOf(facts, 'quickemu-banner')
  for (const tpm of logSignalsOf(facts, 'quickemu-tpm')) {
    const banner = banners.filter((b) => b.origin === tpm.origin && b.n < tpm.n).at(-1)
    const version = banner?.data?.version
    if (!banner || !version || !QUICKEMU_TPM_NOT_PASSED.has(version)) continue
    const socket = tpm.data?.socket ?? ''
    const vm = socket.replace(/^.*\//, '').replace(/\.swtpm-sock$/, '') || 'VM'
    return {
      subject: vm,
      message: `Quickemu ${version} starts swtpm on ${socket} but gives qemu the TPM only if ${socket.replace(/\.swtpm-sock$/, '-swtpm.sock')} exists, which it never creates: ${vm} runs without a TPM, and a Windows 11 guest refuses it as not meeting its requirements. Quickemu 2.3.1 fixed it.`,
      evidence: [logLine(banner), logLine(tpm)],
      values: {domain: vm},
    }
  }
  return undefined
}

/**
 * Quickemu starts swtpm, and prints its " - TPM:" line, before the network line of its summary, and only
 * when the VM's .conf says tpm="on" (vm_boot: configure_tpm comes before the network): a summary from
 * the banner to the network line without a TPM line started the VM without one. quickget names a
 * Windows 11 VM's folder windows-11 (windows-11-English-United-States, ...), the folder its disk is in.
 */
function quickemuWindows11WithoutTpm(facts: Facts): FindingInput | undefined {
  const banners = logSignalsOf(facts, 'quickemu-banner')
  const networks = logSignalsOf(facts, 'quickemu-network')
  for (const banner of banners) {
    const next = banners.find((b) => b.origin === banner.origin && b.n > banner.n)?.n ?? Infinity
    const network = networks.find((s) => s.origin === banner.origin && s.n > banner.n && s.n < next)
    if (!network) continue
    const inSummary = (kind: 'quickemu-disk' | 'quickemu-tpm') => logSignalsOf(facts, kind).filter((s) => s.origin === banner.origin && s.n > banner.n && s.n < network.n)
    const disk = inSummary('quickemu-disk').find((s) => /^windows-11(?:-|\/)/i.test(s.data?.image ?? ''))
    if (!disk || inSummary('quickemu-tpm').length > 0) continue
    const vm = disk.data!.image!.split('/')[0]!
    return {
      subject: vm,
      message: `Quickemu started ${vm}, a Windows 11 VM, without a TPM: its summary reaches the network line with no " - TPM:" line, so ${vm}.conf does not say tpm="on". Windows 11 setup refuses the VM ("This PC can't run Windows 11").`,
      evidence: [logLine(banner), logLine(disk), logLine(network)],
      values: {domain: vm},
    }
  }
  return undefined
}

function isWindows11(domain: DomainModel): boolean {
  const os = guestOs(domain)
  return os?.windows === true && os.version === '11'
}

/** NixOS: whether the configuration turns swtpm on; undefined when that cannot be judged. */
function swtpmSetting(facts: Facts): {enabled: boolean; evidence: string} | undefined {
  if (!isNixos(facts)) return undefined
  // Stryker disable next-line ArrayDeclaration: equivalent (docs/testing.md): a non-config element has no libvirtd, so the filter drops it as it drops a config without one
  const configs = (facts.nixConfig ?? []).filter((c) => c.libvirtd !== undefined)
  if (configs.length === 0) return undefined
  if (configs.some((c) => c.libvirtd?.swtpm === true)) return {enabled: true, evidence: 'virtualisation.libvirtd.qemu.swtpm.enable = true'}
  return {enabled: false, evidence: `${configs.map((c) => c.file).join(', ')} configures virtualisation.libvirtd without qemu.swtpm.enable = true`}
}
