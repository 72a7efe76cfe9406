import {Flags} from '@oclif/core'
import {collectFromFlags} from '../collect.js'
import {UsageError} from '../util/errors.js'
import {parseResolution} from '../cli/resolution.js'
import {BaseCommand, sourceFlags} from '../cli/base.js'
import {terminalWidth} from '../util/terminal-width.js'

/** What `plan --json` prints: each file of the plan by name (what --output writes), and with --output what was written. */
export interface PlanJson {
  files: Record<string, string>
  written?: string[]
}

export default class Plan extends BaseCommand {
  static override enableJsonFlag = true
  static override summary = 'Write the whole passthrough configuration for this host: NixOS module, modprobe.d, kernel parameters, libvirt XML, and the steps only you can do.'
  static override description = `Decides from the host's own facts (CPU vendor, the guest GPU and every function in its IOMMU group, the host's other GPU, the kernel, the libvirt domain) and from what \`check\` finds: a NixOS module whose every line says why it is there, /etc/modprobe.d/vfio.conf with the initramfs step for mkinitcpio, dracut or initramfs-tools (whichever the host uses), the kernel command line, the libvirt XML (host devices, OVMF, TPM, CPU topology, Hyper-V, Looking Glass), and with --vm the domain rewritten and shown as a unified diff. The firmware settings, cables and guest drivers are listed as steps, in order, each with how to verify it.
Nothing is written unless --output names a new folder.`

  static override examples = [
    {description: 'The plan for this host, printed', command: 'sudo <%= config.bin %> <%= command.id %>'},
    {description: 'For the GPU at 01:00.0 and the domain win11, with Looking Glass at 2560x1440', command: 'sudo <%= config.bin %> <%= command.id %> --gpu 01:00.0 --vm win11 --looking-glass 2560x1440'},
    {description: 'Write the files (vfio.nix, vfio.conf, kernel-cmdline.txt, the domain XML and its .diff, STEPS.md) into a new folder', command: 'sudo <%= config.bin %> <%= command.id %> --vm win10 --user alice --output ./vfio-plan'},
    {description: 'The domain win10 rewritten, and a unified diff against its current XML that `patch` applies', command: '<%= config.bin %> <%= command.id %> --vm win10 --output ./win10-plan'},
    {description: 'From an evidence folder someone pasted, for an old NVIDIA guest driver', command: '<%= config.bin %> <%= command.id %> --input ./pasted/ --vm win10 --nvidia-legacy'},
  ]

  static override flags = {
    ...sourceFlags,
    gpu: Flags.string({description: 'PCI address of the GPU for the guest (default: inferred)', helpValue: 'ADDR'}),
    vm: Flags.string({description: 'rewrite this libvirt domain and show the diff', helpValue: 'NAME'}),
    'looking-glass': Flags.string({description: 'set up Looking Glass for this guest resolution (sizes the shared memory)', helpValue: 'WxH'}),
    user: Flags.string({description: 'who runs virt-manager and the Looking Glass client (default: from the evidence)', helpValue: 'NAME'}),
    'nvidia-legacy': Flags.boolean({description: 'the guest NVIDIA driver is older than R465: hide the hypervisor (kvm hidden, vendor_id)'}),
    output: Flags.string({char: 'o', description: 'write the files into this new (or empty) folder', helpValue: 'DIR'}),
  }

  async run(): Promise<PlanJson> {
    const {flags} = await this.parse(Plan)
    const lookingGlass = flags['looking-glass'] === undefined ? undefined : parseResolution(flags['looking-glass'])
    const set = await collectFromFlags(flags)
    const {buildPlan} = await import('../plan/build.js')
    const {planFiles, planText} = await import('../plan/render.js')
    const plan = buildPlan(set, {
      ...(flags.gpu ? {gpu: flags.gpu} : {}),
      ...(flags.vm ? {vm: flags.vm} : {}),
      ...(lookingGlass ? {lookingGlass} : {}),
      ...(flags.user ? {user: flags.user} : {}),
      nvidiaLegacy: flags['nvidia-legacy'],
    })
    const files = planFiles(plan)
    if (!flags.output) {
      if (!this.jsonEnabled()) process.stdout.write(planText(plan, terminalWidth()))
      return {files: Object.fromEntries(files)}
    }
    const {writePlanFiles} = await import('../plan/write.js')
    const written = await writePlanFiles(flags.output, files)
    if (!this.jsonEnabled()) process.stdout.write(`Wrote ${written.join(', ')} to ${flags.output}. Start with STEPS.md.\n`)
    return {files: Object.fromEntries(files), written}
  }
}
