import {defineCheck, type Reporter} from '../src/engine/types.js'
import type {Facts} from '../src/facts/types.js'
import {logLine} from './lib/libvirt.js'
import {domainLabel, domainSubject, isX86, domainsShowing} from './lib/domain.js'

/**
 * KVM guests get the host's CPU as it is with host-passthrough. host-model is close (a named model
 * plus the host's features) and costs a little; a custom model such as qemu64, or no <cpu> at all,
 * hides AVX and friends from games and encoders.
 */
export default defineCheck({
  id: 'cpu-mode',
  title: 'KVM domains use the host CPU (host-passthrough)',
  area: 'vm',
  reports: ['cpu-mode-not-passthrough'],
  needs: [['domains', 'logSignals']],
  run(facts, report) {
    let judged = 0
    for (const domain of domainsShowing(facts, report, 'cpu')) {
      if (!isX86(domain) || domain.type !== 'kvm') continue // TCG guests cannot pass the host CPU
      const mode = domain.cpu.mode
      // A cut or runaway XML may have lost its <cpu>: its absence says nothing there.
      if (!mode && domain.warnings.some((w) => w.startsWith('malformed XML'))) continue
      // Stryker disable next-line UpdateOperator: judged is only compared with 0, which counting down never reaches either
      judged++
      const label = domainLabel(domain)
      if (mode === 'host-passthrough' || mode === 'maximum') {
        report.pass(`${label}: <cpu mode='${mode}'>`)
        continue
      }
      const values = {domain: domainSubject(domain)}
      const evidence = [`${domain.origin}: ${mode ? `<cpu mode='${mode}'>` : 'no <cpu> mode (QEMU\'s default model)'}`]
      if (mode === 'host-model') {
        report.info('cpu-mode-not-passthrough', {
          subject: domainSubject(domain),
          message: `${label} uses host-model: a named CPU model with the host's features. host-passthrough gives the guest the exact host CPU (cache topology included) and is what passthrough guides use.`,
          evidence,
          values,
        })
        continue
      }
      report.warning('cpu-mode-not-passthrough', {
        subject: domainSubject(domain),
        message: `${label} uses ${mode ? `a ${mode} CPU model` : "QEMU's default CPU model"} instead of the host's CPU: the guest misses instruction sets such as AVX2, which games and encoders need.`,
        evidence,
        values,
      })
    }
    // A domain says what qemu is given; a pasted qemu command line alone says it too.
    if (judged === 0) judged = judgeCommandLines(facts, report)
    if (judged === 0) report.skip(facts.domains ? 'no x86 KVM domain' : 'the evidence has no libvirt domain XML and no qemu command line with -cpu')
  },
})

function judgeCommandLines(facts: Facts, report: Reporter): number {
  // Stryker disable next-line ArrayDeclaration: a string in place of the empty list has no kind, so the filter drops it
  const lines = (facts.logSignals ?? []).filter((s) => s.kind === 'qemu-cpu-model')
  for (const line of lines) {
    const model = line.data!.model!
    const evidence = [logLine(line)]
    if (model === 'host' || model === 'max') report.pass(`qemu runs with -cpu ${model}`)
    else {
      report.warning('cpu-mode-not-passthrough', {
        subject: `-cpu ${model}`,
        message: `qemu runs the guest with -cpu ${model}, a named CPU model, instead of -cpu host: the guest misses the host's instruction sets (AVX2 and others), which games and encoders need. Started by hand or a script, give qemu \`-cpu host\` (keeping the options after the comma); under libvirt, the domain's <cpu mode='host-passthrough'>.`,
        evidence,
        values: {domain: 'VM'},
      })
    }
  }
  return lines.length
}
