import {defineCheck} from '../src/engine/types.js'
import {bootVga} from '../src/facts/guest-gpus.js'
import {normalizePciAddress} from '../src/facts/merge-pci.js'
import type {KernelFacts} from '../src/facts/types.js'
import {kernelAtLeast} from '../src/parse/kernel-release.js'
import {logEvidence, signalsOf} from './lib/evidence.js'
import {boundDriver, guestCards} from './lib/gpu.js'

/**
 * The firmware's boot framebuffer (efifb, or simplefb / simpledrm through sysfb on 5.15 and later)
 * lives in a BAR of the GPU the firmware booted on. When that GPU is the guest's, the framebuffer
 * keeps the memory vfio-pci needs: "BAR 0: can't reserve" and a black guest screen. Since 6.0
 * vfio-pci removes the framebuffer itself when it binds a VGA card, so only older kernels, or a card
 * bound after boot, keep the conflict.
 */
export default defineCheck({
  id: 'framebuffer',
  title: 'No boot framebuffer holds the guest GPU',
  area: 'isolation',
  reports: ['framebuffer-conflict'],
  needs: ['kernelLog'],
  uses: ['guestGpus', 'pciDevices', 'kernel'],
  run(facts, report) {
    const cards = guestCards(facts)
    const guestFunctions = new Set(cards.flatMap(({functions}) => functions.map((f) => f.address)))
    const onGuest = (address: string | undefined) => address !== undefined && guestFunctions.has(normalizePciAddress(address) ?? address)
    const framebuffers = signalsOf(facts, 'framebuffer')
    const values = {param: fixParam(facts.kernel), kernel: facts.kernel?.release ?? 'unknown', address: cards[0]?.gpu.address ?? ''}

    const conflicts = signalsOf(facts, 'bar-cant-reserve').filter((s) => /^vfio[-_]pci /.test(s.line.text) || onGuest(s.data?.address))
    if (conflicts.length > 0) {
      const address = conflicts[0]!.data?.address ?? values.address
      return report.error('framebuffer-conflict', {
        subject: address,
        message: `vfio-pci cannot reserve ${conflicts.map((s) => `BAR ${s.data?.bar ?? '?'}`).filter((v, i, all) => all.indexOf(v) === i).join(', ')} of ${address}: a boot framebuffer (${framebufferNames(framebuffers)}) still holds that memory, so the guest's driver fails or the screen stays black.`,
        evidence: [...conflicts, ...framebuffers].map(logEvidence),
        values: {...values, address},
      })
    }

    const boot = bootVga(facts)
    const sitting = framebuffers.filter((s) => onGuest(s.data?.address) || (s.data?.address === undefined && boot !== undefined && onGuest(boot.address)))
    const bound = cards.filter(({gpu}) => boundDriver(facts, gpu) === 'vfio-pci')
    if (sitting.length > 0 && bound.length > 0 && facts.kernel && !kernelAtLeast(facts.kernel, 6, 0)) {
      const address = bound[0]!.gpu.address
      return report.warning('framebuffer-conflict', {
        subject: address,
        message: `The boot framebuffer (${framebufferNames(sitting)}) sits on the guest GPU ${address}, and kernel ${facts.kernel.release} leaves it there when vfio-pci binds the card (6.0 and later remove it): expect "BAR ... can't reserve" when the VM starts.`,
        evidence: [...sitting.map(logEvidence), ...(boot ? [boot.evidence] : [])],
        values: {...values, address},
      })
    }
    if (cards.length === 0 && framebuffers.length === 0) return report.skip('no guest GPU, and the kernel log shows no framebuffer or "can\'t reserve" lines')
    report.pass('no boot framebuffer holds memory of the guest GPU')
  },
})

function framebufferNames(signals: Array<{data?: Record<string, string>}>): string {
  const names = [...new Set(signals.map((s) => s.data?.driver).filter((n): n is string => n !== undefined))]
  return names.length > 0 ? names.join(', ') : 'efifb, simplefb or simpledrm'
}

/**
 * video=efifb:off stops efifb; from 5.15 distributions build sysfb with simplefb (CONFIG_SYSFB_SIMPLEFB),
 * which that option does not reach, so sysfb itself has to be kept from starting.
 */
function fixParam(kernel: KernelFacts | undefined): string {
  if (kernel && !kernelAtLeast(kernel, 5, 15)) return 'video=efifb:off'
  return 'initcall_blacklist=sysfb_init'
}
