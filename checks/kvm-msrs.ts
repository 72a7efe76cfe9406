import {defineCheck} from '../src/engine/types.js'
import {logEvidence, signalsOf} from './lib/evidence.js'
import {moduleParam, paramState} from './lib/kernel.js'

/** Windows stop codes a fault on an MSR access KVM does not emulate typically ends in. */
const MSR_STOP_CODES = new Set(['KMODE_EXCEPTION_NOT_HANDLED', 'SYSTEM_THREAD_EXCEPTION_NOT_HANDLED'])

/**
 * The guest touches model-specific registers KVM does not emulate; without kvm.ignore_msrs=1 KVM
 * injects a fault and Windows may stop with KMODE_EXCEPTION_NOT_HANDLED or
 * SYSTEM_THREAD_EXCEPTION_NOT_HANDLED. "ignored rdmsr" lines mean ignore_msrs is already on.
 */
export default defineCheck({
  id: 'kvm-msrs',
  title: 'Guest MSR accesses do not crash the guest',
  area: 'host',
  reports: ['kvm-msr-crash'],
  needs: [['kernelLog', 'logSignals']],
  uses: ['kernelLog', 'logSignals', 'kvmParams', 'cmdline', 'modprobe', 'nixConfig'],
  run(facts, report) {
    const msrLines = signalsOf(facts, 'ignored-msr')
    const ignoredLines = msrLines.filter((s) => /\bignored (?:rd|wr)msr/i.test(s.line.text))
    const unhandledLines = msrLines.filter((s) => !ignoredLines.includes(s))
    const stops = (facts.logSignals ?? []).filter((s) => s.kind === 'windows-stop-code' && MSR_STOP_CODES.has(s.data?.code?.toUpperCase() ?? ''))
    const state = paramState(moduleParam(facts, 'kvm', 'ignore_msrs'))
    const ignoring = state?.on ?? (ignoredLines.length > 0 ? true : undefined)
    const reportState = paramState(moduleParam(facts, 'kvm', 'report_ignored_msrs'))
    const values = {msrs: [...new Set(msrLines.map((s) => s.data?.msr).filter(Boolean))].slice(0, 8).join(' ') || 'none logged'}
    const stateEvidence = state ? [state.evidence] : []

    if (ignoring === true) {
      if (ignoredLines.length > 0 && reportState?.on !== false) {
        return report.info('kvm-msr-crash', {
          message: `kvm.ignore_msrs is on, so these MSR accesses are harmless; the ${ignoredLines.length} "ignored rdmsr/wrmsr" line(s) are noise that kvm.report_ignored_msrs=0 silences.`,
          evidence: [...stateEvidence, ...ignoredLines.slice(0, 3).map(logEvidence)],
          values,
        })
      }
      return report.pass(`kvm.ignore_msrs is on (${state?.evidence ?? 'the log shows ignored MSR accesses'})`)
    }
    if (unhandledLines.length === 0 && stops.length === 0) return report.pass('no unhandled MSR access and no MSR-type stop code in the evidence')

    const setting = state ? `kvm.ignore_msrs is off (${state.evidence})` : 'nothing sets kvm.ignore_msrs=1'
    const evidence = [...unhandledLines.slice(0, 5).map(logEvidence), ...stops.map((s) => `${s.origin} line ${s.n}: ${s.text.slice(0, 200)}`), ...stateEvidence]
    if (stops.length > 0) {
      const codes = [...new Set(stops.map((s) => s.data!.code!.toUpperCase()))].join(', ')
      return report[unhandledLines.length > 0 ? 'error' : 'warning']('kvm-msr-crash', {
        message:
          unhandledLines.length > 0
            ? `The guest stopped with ${codes} and KVM logged unhandled MSR accesses; ${setting}.`
            : `The guest stopped with ${codes}, which an MSR access KVM does not emulate typically causes; ${setting}${facts.kernelLog ? '' : ' (add the kernel log to see the MSR lines)'}.`,
        evidence,
        values,
      })
    }
    report.warning('kvm-msr-crash', {
      message: `KVM injected faults for MSRs it does not emulate (${values.msrs}); ${setting}. Windows guests can crash on these.`,
      evidence,
      values,
    })
  },
})
