import {defineCheck} from '../src/engine/types.js'
import {logEvidence, signalsOf} from './lib/evidence.js'
import {cpuVirtSetting, virtualHost} from './lib/host.js'

/** VT-x / AMD-V: the vmx or svm flag, "kvm: disabled by bios", /dev/kvm. */
export default defineCheck({
  id: 'cpu-virtualization',
  title: 'CPU virtualization (VT-x / AMD-V) is available',
  area: 'host',
  reports: ['cpu-virt-disabled'],
  needs: ['cpu'],
  uses: ['kernelLog', 'devNodes', 'virt'],
  run(facts, report) {
    const cpu = facts.cpu!
    const biosOff = signalsOf(facts, 'kvm-disabled-by-bios').map(logEvidence)
    const kvm = facts.devNodes?.find((n) => n.path === '/dev/kvm')
    const values = {setting: cpuVirtSetting(cpu.vendor), module: cpu.vendor === 'amd' ? 'kvm-amd' : 'kvm-intel'}
    if (cpu.virtFlag && biosOff.length === 0) return report.pass(`the CPU has ${cpu.virtFlag}`)

    if (virtualHost(facts)) return report.skip('this host is virtual: see host-is-virtual')
    report.error('cpu-virt-disabled', {
      message: biosOff.length
        ? `KVM reports virtualization disabled by the firmware: enable ${values.setting} in the BIOS/UEFI setup.`
        : `The CPU shows no ${cpu.vendor === 'amd' ? 'svm' : cpu.vendor === 'intel' ? 'vmx' : 'vmx/svm'} flag: ${values.setting} is off in the BIOS/UEFI setup (or the CPU lacks it).`,
      evidence: [...(cpu.virtFlag ? [] : ['cpuinfo flags: no vmx, no svm']), ...biosOff, ...(kvm ? [kvmEvidence(kvm)] : [])],
      values,
    })
  },
})

function kvmEvidence(node: {path: string; exists: boolean; mode?: string}): string {
  return node.exists ? `${node.path}: ${node.mode ?? 'exists'}` : `${node.path}: does not exist`
}
