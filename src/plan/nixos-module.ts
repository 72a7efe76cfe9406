/**
 * The NixOS module (vfio.nix): everything passthrough needs on this host, each line with the reason
 * it is there, in the shape of the seeds' own virtualisation.nix.
 */
import {describe, gpuDriversFor} from '../../checks/lib/gpu.js'
import {nixEvidence} from '../../checks/lib/kernel.js'
import type {Facts} from '../facts/types.js'
import {moduleKey} from '../parse/modprobe.js'
import {nixPlace} from '../parse/nix-config.js'
import {DEFAULT_PRIORITY} from '../parse/nix/definitions.js'
import type {Choices} from './types.js'
import {fileComment} from './file-comment.js'

const VFIO_MODULES = ['vfio_pci', 'vfio', 'vfio_iommu_type1']
/** NixOS 25.11 dropped virtualisation.libvirtd.qemu.ovmf: QEMU's own OVMF images are used. */
const OVMF_OPTION_REMOVED = 25.11

export function nixosModule(c: Choices): string {
  const out: string[] = []
  const line = (text = '') => out.push(text)
  fileComment(`vfio.nix: GPU passthrough${c.gpu ? ` of ${describe(c.gpu)}` : ''}, written by \`vfio-doctor plan\` from this host's facts. Import it from configuration.nix (imports = [ ./vfio.nix ];), take out the lines it replaces (STEPS.md lists them), then \`sudo nixos-rebuild boot\` and reboot.`, '').forEach((l) => line(l))
  line('{ lib, pkgs, ... }:')
  line()
  line('{')
  paramsBlock(c).forEach((l) => line(l))
  modulesBlock(c).forEach((l) => line(l))
  libvirtBlock(c).forEach((l) => line(l))
  lookingGlassBlock(c).forEach((l) => line(l))
  line('}')
  return out.join('\n') + '\n'
}

function paramsBlock(c: Choices): string[] {
  const out = ['  boot.kernelParams = [']
  if (c.vendor?.vendor === 'amd') out.push(...fileComment(`AMD CPU (${c.vendor.evidence}): the AMD IOMMU is on by default, so no amd_iommu= parameter (amd_iommu=on and =pt are not values its driver knows).`, '    '))
  else if (c.vendor?.vendor === 'intel' && !c.kernelParams.some((p) => p.text === 'intel_iommu=on')) out.push(...fileComment(`Intel CPU (${c.vendor.evidence}): this kernel turns the IOMMU on without intel_iommu=on.`, '    '))
  else if (!c.vendor) out.push('    # CPU vendor unknown: on an Intel CPU add "intel_iommu=on"; AMD needs nothing.')
  for (const p of c.kernelParams) {
    if (p.text.startsWith('vfio-pci.ids=')) out.push(...groupComment(c, '    '))
    else out.push(...fileComment(p.why, '    '))
    out.push(`    ${nixString(p.text)}`)
  }
  out.push('  ];', '')
  return out
}

/** Which functions go, and why these: the group but its bridges. */
function groupComment(c: Choices, indent: string): string[] {
  const groups = [...new Set(c.passed.flatMap((d) => (d.iommuGroup === undefined ? [] : [d.iommuGroup])))]
  const bridges = c.leftOut.filter((l) => l.why.startsWith('a bridge')).map((l) => l.device.address)
  const but = bridges.length ? `, but ${bridges.length > 1 ? 'its bridges' : 'its bridge'} ${bridges.join(', ')}` : ''
  const head = groups.length > 1 ? `IOMMU groups ${groups.join(', ')} go to the guest whole${but}:` : groups.length === 1 ? `IOMMU group ${groups[0]} goes to the guest whole${but}:` : "The guest card's functions:"
  const others = c.leftOut.filter((l) => !l.why.startsWith('a bridge')).map((l) => `${l.device.address} stays with the host: ${l.why}`)
  return [...fileComment(`${head} vfio-pci claims them by id at boot, before any host driver.`, indent), ...c.passed.map((d) => `${indent}#   ${describe(d)}`), ...others.flatMap((o) => fileComment(o, indent))]
}

function modulesBlock(c: Choices): string[] {
  const kernel = c.kernel ? `${c.kernel.source}` : 'the kernel is unknown'
  const pinned = c.kernelPackages ? [`  # The kernel stays as your configuration sets it (boot.kernelPackages = ${c.kernelPackages}).`] : []
  const virqfd = c.kernel && (c.kernel.major > 6 || (c.kernel.major === 6 && c.kernel.minor >= 2))
    ? `No vfio_virqfd: Linux 6.2 merged it into vfio (${kernel}).`
    : `No vfio_virqfd: where it still exists (before 6.2) vfio_pci loads it itself (${kernel}).`
  if (c.binding.kind === 'address') {
    const list = c.binding.addresses.join(' ')
    return [
      ...pinned,
      ...fileComment(`${c.binding.why}: vfio-pci gets the guest's functions by address instead. Stage 1 writes driver_override before vfio-pci loads, so vfio-pci binds exactly these (and no GPU driver may load in stage 1 before it). ${virqfd}`, '  '),
      `  boot.initrd.availableKernelModules = [ ${VFIO_MODULES.map(nixString).join(' ')} ];`,
      "  boot.initrd.preDeviceCommands = ''",
      `    for dev in ${list}; do`,
      '      echo vfio-pci > /sys/bus/pci/devices/$dev/driver_override',
      '    done',
      '    modprobe -i vfio-pci',
      "  '';",
      '',
    ]
  }
  const drivers = c.initrdAfterVfio.length ? ` (your configuration also loads ${c.initrdAfterVfio.join(' and ')} there: mkBefore keeps vfio ahead of them)` : ''
  return [
    ...pinned,
    ...fileComment(`Stage 1 loads these first, in this order, so vfio-pci claims the guest card before a GPU driver can${drivers}. ${virqfd}`, '  '),
    `  boot.initrd.kernelModules = lib.mkBefore [ ${VFIO_MODULES.map(nixString).join(' ')} ];`,
    '',
  ]
}

function libvirtBlock(c: Choices): string[] {
  const release = c.host.nixosRelease
  const ovmf = release !== undefined && release >= OVMF_OPTION_REMOVED
    ? ['      # UEFI firmware (OVMF) comes with QEMU since NixOS 25.11: nothing to enable.']
    : [...fileComment('UEFI firmware (OVMF) for the guest: passthrough wants UEFI, Windows 11 requires it.', '      '), '      ovmf.enable = true;']
  const runAsRoot = c.runAsRoot === undefined ? [] : [`      # Kept from your configuration: qemu runs as ${c.runAsRoot ? 'root' : 'qemu-libvirtd, not root'}.`, `      runAsRoot = ${c.runAsRoot};`]
  const groups = `users.users.${c.user ? nixAttr(c.user) : '<you>'}.extraGroups = [ "libvirtd" "kvm" ];`
  const packages = ['pkgs.virt-manager', ...(c.lookingGlass ? ['pkgs.looking-glass-client'] : [])]
  return [
    '  virtualisation.libvirtd = {',
    '    enable = true;',
    '    qemu = {',
    ...ovmf,
    '      # A TPM 2.0 emulator (swtpm): Windows 11 requires a TPM.',
    '      swtpm.enable = true;',
    ...runAsRoot,
    '    };',
    '  };',
    '',
    ...fileComment(`libvirtd: use qemu:///system (virt-manager, virsh) without sudo; kvm: /dev/kvm.${c.user ? ` ${c.user}: ${c.userWhy}.` : ''}`, '  '),
    c.user ? `  ${groups}` : `  # ${groups} # pass --user NAME`,
    `  environment.systemPackages = [ ${packages.join(' ')} ];`,
  ]
}

function lookingGlassBlock(c: Choices): string[] {
  const lg = c.lookingGlass
  if (!lg) return []
  const rule = `"f ${lg.path} 0660 ${c.user ?? '<you>'} ${c.qemuGroup} -"`
  return [
    '',
    ...fileComment(`Looking Glass: the shared memory file, made at boot so that both you (the client) and qemu (group ${c.qemuGroup}) can write it. Its size (${lg.sizeMiB} MiB: ${lg.why}) comes from the domain's <shmem>; after changing that size, reboot or delete the file before the VM starts.`, '  '),
    c.user ? `  systemd.tmpfiles.rules = [ ${rule} ];` : `  # systemd.tmpfiles.rules = [ ${rule} ]; # pass --user NAME`,
  ]
}

/**
 * The lines of the host's own configuration that the module replaces: IOMMU and vfio parameters,
 * vfio module lists, driver_override commands, vfio-pci modprobe options, the Looking Glass rule.
 */
export function replacedNixLines(facts: Facts, c: Choices): string[] {
  const lines: string[] = []
  // Only what vfio.nix itself sets: without a known vendor it sets no intel_iommu, without a GPU no binding.
  const iommu = (value: string | undefined) => c.vendor !== undefined && value !== undefined && /^(intel_iommu|amd_iommu|iommu|intremap)=/.test(value)
  const binding = (value: string | undefined) => c.gpu !== undefined && value !== undefined && /^vfio[-_]pci\.ids=/.test(value)
  const field = {kernelModules: 'boot.kernelModules', initrdKernelModules: 'boot.initrd.kernelModules', initrdAvailableKernelModules: 'boot.initrd.availableKernelModules'} as const
  for (const config of facts.nixConfig ?? []) {
    for (const e of config.kernelParams ?? []) if (iommu(e.value) || binding(e.value) || c.kernelParams.some((p) => p.text === e.value)) lines.push(`${nixEvidence(config, e)} (boot.kernelParams)`)
    for (const name of Object.keys(field) as Array<keyof typeof field>) {
      // vfio_virqfd goes whatever the plan binds: it no longer exists from 6.2, and vfio_pci loads it before.
      for (const e of config[name] ?? []) if (e.value && (moduleKey(e.value) === 'vfio_virqfd' || (c.gpu && moduleKey(e.value).startsWith('vfio')))) lines.push(`${nixEvidence(config, e)} (${field[name]})`)
    }
    // By address, vfio-pci loads only after the preDeviceCommands: a GPU driver in stage 1 would take the card first.
    if (c.binding.kind === 'address') {
      for (const e of config.initrdKernelModules ?? []) if (e.value && gpuDriversFor(c.gpu?.vendorId).includes(moduleKey(e.value))) lines.push(`${nixEvidence(config, e)} (boot.initrd.kernelModules: loads before the driver_override commands)`)
    }
    const modprobe = config.extraModprobeConfig
    if (c.gpu && modprobe && /vfio[-_]pci/.test(modprobe.value ?? modprobe.raw)) lines.push(`${nixPlace(config.file, modprobe)}: boot.extraModprobeConfig with vfio-pci options`)
    for (const b of config.bootCommands) if (c.gpu && /driver_override/.test(b.text)) lines.push(`${config.file} line ${b.line}: ${b.option} (driver_override)`)
    if (c.lookingGlass && c.user) for (const r of config.tmpfilesRules ?? []) if (/looking-glass/.test(r.value ?? r.raw)) lines.push(`${nixEvidence(config, r)} (systemd.tmpfiles.rules)`)
    // A different value of an option vfio.nix sets at the same priority is an evaluation error ("conflicting definition values").
    const sets = settingsOf(c)
    for (const flag of config.booleans) {
      if (flag.priority === DEFAULT_PRIORITY && sets[flag.option] !== undefined && sets[flag.option] !== flag.value) lines.push(`${config.file} line ${flag.line}: ${flag.option} = ${flag.value} (vfio.nix sets it to ${sets[flag.option]}; NixOS refuses two values)`)
    }
  }
  return lines
}

/** The true/false options vfio.nix sets (libvirtBlock), by their full names. */
function settingsOf(c: Choices): Record<string, boolean> {
  const release = c.host.nixosRelease
  return {
    'virtualisation.libvirtd.enable': true,
    'virtualisation.libvirtd.qemu.swtpm.enable': true,
    ...(release !== undefined && release >= OVMF_OPTION_REMOVED ? {} : {'virtualisation.libvirtd.qemu.ovmf.enable': true}),
    ...(c.runAsRoot === undefined ? {} : {'virtualisation.libvirtd.qemu.runAsRoot': c.runAsRoot}),
  }
}

/** A Nix string literal: quotes, backslashes and "${" escaped. */
export function nixString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$\{/g, '\\${')}"`
}

/** An attribute name: bare when Nix allows it, quoted otherwise. */
function nixAttr(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_'-]*$/.test(name) ? name : nixString(name)
}
