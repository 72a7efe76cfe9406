import {slotOf} from '../src/facts/merge-pci.js'
import {defineCheck} from '../src/engine/types.js'
import type {DomainModel} from '../src/parse/domain-xml.js'
import type {Facts} from '../src/facts/types.js'
import {domainLabel, domainSubject, passedDevices, passedGpus, domainsShowing} from './lib/domain.js'
import {messageEvidence} from './lib/evidence.js'
import {lookingGlassMemories} from './lib/looking-glass.js'

/** Emulated display adapters that give Windows a second monitor beside the passed GPU. */
const SECOND_DISPLAY = new Set(['qxl', 'virtio', 'cirrus', 'bochs', 'ramfb', 'vmvga'])
const USB_CONTROLLER = '0c03'

/**
 * With Looking Glass the guest's picture comes from the passed GPU through shared memory, and the
 * client sends keyboard and mouse over SPICE. The tablet libvirt adds breaks relative mouse input,
 * an emulated display gives Windows a second screen the client does not show, and a domain with
 * neither SPICE, evdev nor a passed USB device leaves no way to type into the guest.
 */
export default defineCheck({
  id: 'looking-glass-display',
  title: 'Domains using Looking Glass have the display and input it needs',
  area: 'looking-glass',
  reports: ['looking-glass-display-config'],
  needs: ['domains'],
  uses: ['pciDevices'],
  run(facts, report) {
    const domains = lookingGlassDomains(facts, domainsShowing(facts, report, 'devices', 'shmem', 'input', 'graphics', 'video'))
    if (domains.length === 0) return report.skip('no domain uses Looking Glass (no <shmem name="looking-glass">, no kvmfr)')
    for (const domain of domains) {
      const label = domainLabel(domain)
      const subject = domainSubject(domain)
      const values = {domain: subject, shmName: lookingGlassMemories(domain).find((m) => m.shmem)?.shmem?.name ?? 'looking-glass'}
      let found = false

      // The host's own log, when pasted, says what it captures.
      const captured = messageEvidence(facts, 'looking-glass-display-config')
      if (captured.length > 0) {
        found = true
        report.warning('looking-glass-display-config', {
          subject,
          message: `The Looking Glass host in ${label} captures Windows' Basic Render Driver, not the passed GPU: the GPU's driver is not running in the guest, or an emulated display (QXL, virtio) is the screen Windows draws on. Install the GPU's driver, and remove the emulated video or make the passed GPU's screen the main one.`,
          evidence: captured,
          values,
        })
      }

      for (const memory of lookingGlassMemories(domain)) {
        const model = memory.shmem?.model
        if (!model || model === 'ivshmem-plain') continue
        found = true
        report.warning('looking-glass-display-config', {
          subject,
          message: `${label}: the Looking Glass shmem is model ${model}; Looking Glass uses ivshmem-plain (${model === 'ivshmem-doorbell' ? 'doorbell memory comes from an ivshmem server, not from ' + memory.path : 'the old ivshmem device is gone from QEMU'}).`,
          evidence: [`${label}: ${memory.element}`],
          values,
        })
      }

      // The tablet only fights the client's mouse when input comes over SPICE; beside evdev alone it idles.
      const spice = domain.graphics.some((g) => g.type === 'spice') || domain.channels.some((c) => c.type === 'spicevmc')
      const tablets = domain.inputs.filter((input) => input.type === 'tablet')
      if (tablets.length > 0 && spice) {
        found = true
        report.warning('looking-glass-display-config', {
          subject,
          message: `${label} keeps the USB tablet libvirt adds: with SPICE input, clicks land where the tablet last was, not under the cursor Looking Glass draws; remove it and use a mouse.`,
          evidence: tablets.map((t) => `${label}: <input type='tablet'${t.bus ? ` bus='${t.bus}'` : ''}>`),
          values,
        })
      }

      // A truncated XML or a pasted handful of devices hides the rest: only judge absence in a whole one.
      const whole = !domain.warnings.some((w) => w.startsWith('malformed XML')) && (domain.fragment === undefined || domain.fragment.includes('devices'))
      if (whole && !hasWayIn(domain, facts)) {
        found = true
        report.warning('looking-glass-display-config', {
          subject,
          message: `${label} has no way in for keyboard and mouse: no <graphics type='spice'> (the client sends input over SPICE), no evdev input and no passed USB device.`,
          evidence: [`${label}: graphics ${domain.graphics.map((g) => g.type).join(', ') || 'none'}; inputs ${domain.inputs.map((i) => i.type).join(', ') || 'none'}`],
          values,
        })
      }

      const displays = domain.videos.filter((video) => video.model && SECOND_DISPLAY.has(video.model))
      if (displays.length > 0) {
        found = true
        report.info('looking-glass-display-config', {
          subject,
          message: `${label} also has an emulated ${displays.map((v) => v.model).join(', ')} display: Windows extends the desktop onto it and the cursor can wander into a screen Looking Glass does not show. Set <model type='none'/> (or 'vga'), unless you keep it as a fallback on purpose.`,
          evidence: displays.map((v) => `${label}: <video><model type='${v.model}'/></video>`),
          values,
        })
      }
      const tablet = tablets.length === 0 ? 'no tablet' : 'a tablet, idle without SPICE input'
      if (!found) report.pass(`${label}: ${whole ? 'a way in for input, ' : ''}${tablet}, ${domain.videos.map((v) => v.model ?? '?').join(', ') || 'default'} video`)
    }
  },
})

/** SPICE graphics, an evdev device (libvirt's or qemu:commandline input-linux), or a passed USB device or controller. */
function hasWayIn(domain: DomainModel, facts: Facts): boolean {
  if (domain.graphics.some((g) => g.type === 'spice')) return true
  if (domain.inputs.some((i) => (i.type === 'evdev' || i.type === 'passthrough') && i.sourceDev)) return true
  if (domain.qemuArgs.some((arg) => /input-linux|virtio-input-host/.test(arg))) return true
  if (domain.hostdevs.some((h) => h.type === 'usb')) return true
  const gpuSlots = new Set(passedGpus(domain, facts).map((p) => slotOf(p.address)))
  // A passed device we cannot name may be a USB controller: give it the benefit of the doubt.
  return passedDevices(domain, facts).some((p) => (p.device ? p.device.classCode === USB_CONTROLLER : !gpuSlots.has(slotOf(p.address))))
}

/**
 * Domains with Looking Glass's shared memory; failing that, the one domain pasted beside a Looking
 * Glass log (its shmem cut from the paste, the log proving Looking Glass runs).
 */
function lookingGlassDomains(facts: Facts, domains: DomainModel[]): DomainModel[] {
  const withMemory = domains.filter((d) => lookingGlassMemories(d).length > 0)
  if (withMemory.length > 0 || domains.length !== 1) return withMemory
  return (facts.logSignals ?? []).some((s) => s.kind === 'lg-banner') ? domains : []
}
