import {slotOf} from '../src/facts/merge-pci.js'
import {defineCheck} from '../src/engine/types.js'
import type {Facts} from '../src/facts/types.js'
import type {DomainModel} from '../src/parse/domain-xml.js'
import {domainLabel, domainSubject, passedDevices, passedGpus, domainsShowing} from './lib/domain.js'

const AUDIO_CLASS = '0403'

/**
 * A passthrough guest needs somewhere to send sound: an emulated sound card (played by libvirt's
 * audio backend, or by Looking Glass over SPICE), Scream (IVSHMEM or network), or the GPU's own HDMI
 * audio function passed along, so the monitor plays it (seed 000). Only info: many people are happy
 * with the monitor's speakers or set up Scream over the network, which the domain does not show.
 */
export default defineCheck({
  id: 'guest-audio',
  title: 'Passthrough guests have a way to play sound',
  area: 'looking-glass',
  reports: ['guest-audio-missing'],
  needs: ['domains'],
  uses: ['pciDevices', 'user'],
  run(facts, report) {
    const withGpu = domainsShowing(facts, report, 'devices').filter((d) => passedGpus(d, facts).length > 0)
    // A truncated XML hides the devices after the break: its absences prove nothing.
    const whole = withGpu.filter((d) => !d.warnings.some((w) => w.startsWith('malformed XML')))
    if (whole.length === 0) return report.skip(withGpu.length ? 'the domain XML is malformed: its device list is cut short' : 'no domain passes a GPU')
    for (const domain of whole) {
      const way = soundPath(domain, facts)
      if (way) {
        report.pass(`${domainLabel(domain)}: ${way}`)
        continue
      }
      const gpu = passedGpus(domain, facts)[0]!
      const [bus, slot] = slotOf(gpu.address).split(':').slice(1)
      report.info('guest-audio-missing', {
        subject: domainSubject(domain),
        message: `${domainLabel(domain)} has no sound device, no Scream shared memory, and does not pass the GPU's HDMI audio (${slotOf(gpu.address)}.1): the guest has nowhere to play sound, unless you use Scream over the network.`,
        evidence: [
          `${domainLabel(domain)}: ${domain.sounds.length ? `<sound model='${domain.sounds.map((s) => s.model).join("', '")}'> only` : 'no <sound>'}; shmems ${domain.shmems.map((s) => s.name).join(', ') || 'none'}`,
          `${domainLabel(domain)}: passes ${passedDevices(domain, facts).map((p) => p.address).join(', ')}`,
        ],
        values: {domain: domainSubject(domain), audioBus: `0x${bus}`, audioSlot: `0x${slot}`, ...(facts.user?.name ? {user: facts.user.name} : {})},
      })
    }
  },
})

/** How this domain's sound gets out, or undefined when nothing carries it. */
function soundPath(domain: DomainModel, facts: Facts): string | undefined {
  // The PC speaker only beeps.
  const sound = domain.sounds.find((s) => s.model !== 'pcspk')
  if (sound) return `<sound model='${sound.model ?? 'default'}'>`
  const scream = domain.shmems.find((s) => /scream/i.test(s.name))
  if (scream) return `Scream over IVSHMEM (<shmem name='${scream.name}'>)`
  const gpuSlots = new Set(passedGpus(domain, facts).map((p) => slotOf(p.address)))
  // Without the host's device list, function 1 of a passed GPU is its HDMI audio.
  const audio = passedDevices(domain, facts).find((p) => (p.device ? p.device.classCode === AUDIO_CLASS : gpuSlots.has(slotOf(p.address)) && p.address.endsWith('.1')))
  return audio ? `${audio.address} (HDMI audio) is passed: sound plays on the monitor` : undefined
}
