import {defineCheck} from '../src/engine/types.js'

/**
 * NixOS: `nixos-rebuild switch` activates a new generation, but kernel parameters and the initrd
 * only take effect at the next boot.
 */
export default defineCheck({
  id: 'reboot-pending',
  title: 'The running kernel has the configuration you built',
  area: 'nixos',
  reports: ['reboot-pending'],
  needs: ['nixos'],
  uses: ['cmdline', 'kernel'],
  run(facts, report) {
    const nixos = facts.nixos!
    const wanted = nixos.currentKernelParams
    const evidence: string[] = []
    if (nixos.currentSystem) evidence.push(`/run/current-system -> ${nixos.currentSystem}`)
    if (nixos.bootedSystem) evidence.push(`/run/booted-system -> ${nixos.bootedSystem}`)

    if (wanted && facts.cmdline) {
      const running = new Set(facts.cmdline.params.map((p) => (p.value === undefined ? p.key : `${p.key}=${p.value}`)))
      const missing = wanted.filter((p) => !p.startsWith('init=') && !running.has(p))
      if (missing.length > 0) {
        return report.error('reboot-pending', {
          message: `The current generation sets ${missing.join(' ')}, which the running kernel did not boot with: reboot into it.`,
          evidence: [...evidence, `current generation's kernel-params: ${wanted.join(' ')}`, `/proc/cmdline: ${facts.cmdline.raw}`],
          values: {missing: missing.join(' ')},
        })
      }
    }
    // The bootspec names the kernel the generation boots; the running one is another until a reboot.
    const coming = nixos.currentKernel
    if (coming && facts.kernel && facts.kernel.release.split(/[-+]/)[0] !== coming.release.split(/[-+]/)[0]) {
      return report.error('reboot-pending', {
        message: `The current generation boots Linux ${coming.release}, but the running kernel is ${facts.kernel.release}: reboot into it (the modules and the initrd are built for the new kernel).`,
        evidence: [...evidence, `${coming.origin}: kernel ${coming.release}`, `running kernel: ${facts.kernel.release}`],
        values: {missing: ''},
      })
    }
    if (nixos.currentSystem && nixos.bootedSystem && nixos.currentSystem !== nixos.bootedSystem) {
      const initrdNote = wanted ? 'the kernel parameters match, but' : 'without the kernel-params files the parameters cannot be compared, and'
      return report.info('reboot-pending', {
        message: `The booted generation is not the current one: ${initrdNote} kernel modules, the initrd and vfio-pci ids only change at boot.`,
        evidence,
        values: {missing: ''},
      })
    }
    report.pass('the booted generation is the current one')
  },
})
