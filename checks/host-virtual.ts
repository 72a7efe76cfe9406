import {defineCheck} from '../src/engine/types.js'
import {capitalized} from '../src/util/sentence.js'
import {virtualHost} from './lib/host.js'

/**
 * Says once, up front, that the "host" is itself a VM or a container: its missing IOMMU and CPU
 * flags belong to the virtual platform, so the IOMMU and CPU checks defer to this finding.
 */
export default defineCheck({
  id: 'host-virtual',
  title: 'The host is bare metal',
  area: 'host',
  reports: ['host-is-virtual'],
  needs: ['virt'],
  uses: ['cpu', 'iommuGroups', 'devNodes'],
  run(facts, report) {
    const virtual = virtualHost(facts)
    if (!virtual) return report.pass(`bare metal (${facts.virt!.evidence})`)
    const lacks: string[] = []
    if (facts.iommuGroups?.length === 0) lacks.push('no IOMMU groups')
    if (facts.cpu && !facts.cpu.virtFlag) lacks.push('no vmx/svm CPU flag')
    const kvm = facts.devNodes?.find((n) => n.path === '/dev/kvm')
    const evidence = [`host: ${facts.virt!.evidence}`]
    if (facts.cpu?.hypervisor && !facts.virt!.evidence.includes('hypervisor')) evidence.push('cpuinfo flags include "hypervisor"')
    if (facts.iommuGroups?.length === 0) evidence.push(facts.mode === 'live' ? '/sys/kernel/iommu_groups is empty' : 'the IOMMU group listing has no groups')
    if (kvm) evidence.push(kvm.exists ? `/dev/kvm: ${kvm.mode ?? 'exists'}` : '/dev/kvm does not exist')
    const has = lacks.length ? `; it has ${lacks.join(' and ')}, which is about the virtual platform, not a BIOS setting` : ''
    report.warning('host-is-virtual', {
      message: `${facts.virt!.proves ? capitalized(facts.virt!.proves) : `This host is ${virtual}`}${has}. GPU passthrough is set up on the bare-metal host.`,
      evidence,
      values: {platform: facts.virt!.name ?? facts.virt!.kind},
    })
  },
})
