import {defineCheck} from '../src/engine/types.js'
import type {Facts} from '../src/facts/types.js'
import {cmdlineEvidence, logEvidence, signalsOf} from './lib/evidence.js'
import {isTrue, moduleParam, nixEvidence, nixList} from './lib/kernel.js'

const UNSAFE = 'vfio_iommu_type1.allow_unsafe_interrupts=1'

/**
 * vfio_iommu_type1 refuses to assign devices without IOMMU interrupt remapping ("No interrupt
 * remapping support. Use the module param "allow_unsafe_interrupts" ..."). Names the cause when the
 * evidence has it (intremap=off), and says when the unsafe workaround is set for nothing.
 */
export default defineCheck({
  id: 'interrupt-remapping',
  title: 'The IOMMU remaps interrupts (vfio assigns devices safely)',
  area: 'iommu',
  reports: ['interrupt-remapping-missing'],
  needs: [['kernelLog', 'cmdline', 'nixConfig']],
  uses: ['kernelLog', 'cmdline', 'kvmParams', 'modprobe', 'nixConfig', 'cpu'],
  run(facts, report) {
    const refused = signalsOf(facts, 'interrupt-remapping-missing')
    const enabled = signalsOf(facts, 'interrupt-remapping-enabled')
    const unsafe = moduleParam(facts, 'vfio_iommu_type1', 'allow_unsafe_interrupts')
    const running = unsafe.find((s) => s.where === 'running')
    const unsafeSet = unsafe.filter((s) => isTrue(s.value))
    const intremapOff = intremapOffEvidence(facts)
    const values = {
      firstStep: intremapOff.length
        ? 'Remove `intremap=off` from the kernel command line: it turns interrupt remapping off.'
        : `Enable interrupt remapping in the firmware setup: on ${facts.cpu?.vendor === 'amd' ? 'AMD boards it comes with the IOMMU (AMD-Vi) setting' : 'Intel boards it comes with VT-d'}; some boards list "Interrupt Remapping" separately, and older firmware may need an update.`,
      unsafe: UNSAFE,
    }

    if (refused.length > 0) {
      if (running && isTrue(running.value)) {
        return report.info('interrupt-remapping-missing', {
          message: `This platform has no interrupt remapping; vfio now runs with allow_unsafe_interrupts=Y, which lets a passed device forge interrupts to the host.`,
          evidence: [...refused.map(logEvidence), running.evidence],
          values,
        })
      }
      return report.error('interrupt-remapping-missing', {
        message: intremapOff.length
          ? 'vfio refused to assign a device: interrupt remapping is off because the kernel command line has intremap=off.'
          : 'vfio refused to assign a device: the IOMMU has no interrupt remapping, so VFIO will not isolate the device\'s interrupts.',
        evidence: [...refused.map(logEvidence), ...intremapOff, ...unsafe.map((s) => s.evidence)],
        values,
      })
    }
    if (intremapOff.length > 0) {
      return report.warning('interrupt-remapping-missing', {
        message: 'intremap=off turns interrupt remapping off: vfio will refuse to assign devices ("No interrupt remapping support").',
        evidence: intremapOff,
        values,
      })
    }
    if (unsafeSet.length > 0 && enabled.length > 0) {
      return report.info('interrupt-remapping-missing', {
        message: `${UNSAFE} is set although interrupt remapping is enabled: it is not needed and only weakens isolation; remove it.`,
        evidence: [...enabled.slice(0, 1).map(logEvidence), ...unsafeSet.map((s) => s.evidence)],
        values,
      })
    }
    report.pass(enabled.length > 0 ? `interrupt remapping enabled (${enabled[0]!.line.text})` : 'vfio did not refuse for lack of interrupt remapping')
  },
})

function intremapOffEvidence(facts: Facts): string[] {
  const fromCmdline = facts.cmdline?.params.some((p) => p.key === 'intremap' && p.value === 'off') ? [cmdlineEvidence(facts)] : []
  const fromNix = nixList(facts, 'kernelParams')
    .filter(({entry}) => entry.value === 'intremap=off')
    .map(({config, entry}) => nixEvidence(config, entry))
  return [...fromCmdline, ...fromNix]
}
