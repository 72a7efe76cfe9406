import {defineCheck} from '../src/engine/types.js'
import type {CpuVendor, Facts} from '../src/facts/types.js'
import {logEvidence, signalsOf} from './lib/evidence.js'
import {cpuVirtSetting, virtualHost} from './lib/host.js'

/**
 * VT-x / AMD-V: the vmx or svm flag, "kvm: disabled by bios", /dev/kvm. Any one of them is enough to
 * judge from: a pasted `dmesg | grep kvm` alone can show the firmware switched it off. A virtual host
 * lacks them for another reason (host-is-virtual), so the check, and kvm-ok's complaint, defer to it.
 */
export default defineCheck({
  id: 'cpu-virtualization',
  title: 'CPU virtualization (VT-x / AMD-V) is available',
  area: 'host',
  reports: ['cpu-virt-disabled'],
  needs: [['cpu', 'kernelLog', 'devNodes', 'modules', 'virt']],
  run(facts, report) {
    const cpu = facts.cpu
    const biosOff = signalsOf(facts, 'kvm-disabled-by-bios')
    const kvm = facts.devNodes?.find((n) => n.path === '/dev/kvm')
    const vendor = cpu?.vendor ?? vendorOfModule(biosOff.map((s) => s.line.text).join('\n'))
    const values = {setting: cpuVirtSetting(vendor), module: vendor === 'amd' ? 'kvm-amd' : 'kvm-intel'}
    if (cpu?.virtFlag && biosOff.length === 0) return report.pass(`the CPU has ${cpu.virtFlag}`)
    if (!cpu && biosOff.length === 0) {
      if (kvm?.exists) return report.pass('/dev/kvm exists')
      // kvm_intel / kvm_amd refuse to load when the firmware has VT-x / AMD-V off.
      const driving = ['kvm_intel', 'kvm_amd'].find((m) => facts.modules?.loaded.has(m))
      if (driving && !virtualHost(facts)) return report.pass(`${driving} is loaded`)
      if (vendorModuleMissing(facts) && !virtualHost(facts)) {
        return report.warning('cpu-virt-disabled', {
          message: `kvm is loaded but neither kvm_intel nor kvm_amd is: the CPU's KVM module refuses to load when ${cpuVirtSetting(undefined)} is off in the BIOS/UEFI setup (or the CPU lacks it). \`sudo modprobe kvm_intel\` (or kvm_amd) prints the reason, and \`sudo dmesg | grep -i kvm\` shows "disabled by bios" when that is it.`,
          evidence: ['lsmod: kvm, no kvm_intel, no kvm_amd'],
          values,
        })
      }
      if (virtualHost(facts)) return report.defer('this host is virtual: see host-is-virtual')
      // Stryker disable next-line OptionalChaining: facts.unknown has an entry for every fact the evidence lacks (explainUnknown), so facts.unknown.cpu is set when cpu is not
      return report.skip(facts.unknown.cpu?.reason ?? 'no cpuinfo: whether the CPU has VT-x / AMD-V is unknown', facts.unknown.cpu?.hint)
    }

    if (virtualHost(facts)) return report.defer('this host is virtual: see host-is-virtual')
    const flag = vendor === 'amd' ? 'svm' : vendor === 'intel' ? 'vmx' : 'vmx/svm'
    report.error('cpu-virt-disabled', {
      message: biosOff.length
        ? `KVM reports virtualization disabled by the firmware: enable ${values.setting} in the BIOS/UEFI setup.`
        : `The CPU shows no ${flag} flag: ${values.setting} is off in the BIOS/UEFI setup (or the CPU lacks it).`,
      evidence: [...(cpu && !cpu.virtFlag ? ['cpuinfo flags: no vmx, no svm'] : []), ...biosOff.map(logEvidence), ...(kvm ? [kvmEvidence(kvm)] : [])],
      values,
    })
  },
})

/** The lsmod output (or a grep of it for kvm) shows kvm without the module that drives the CPU. */
function vendorModuleMissing(facts: Facts): boolean {
  const loaded = facts.modules?.loaded
  return loaded !== undefined && loaded.has('kvm') && !loaded.has('kvm_intel') && !loaded.has('kvm_amd')
}

/** "kvm_amd: SVM disabled (by BIOS)" or "support for 'kvm_intel' disabled by bios" name the vendor. */
function vendorOfModule(text: string): CpuVendor | undefined {
  if (/kvm_amd|\bSVM\b/i.test(text)) return 'amd'
  if (/kvm_intel|\bVMX\b/i.test(text)) return 'intel'
  return undefined
}

function kvmEvidence(node: {path: string; exists: boolean; mode?: string}): string {
  return node.exists ? `${node.path}: ${node.mode ?? 'exists'}` : `${node.path}: does not exist`
}
