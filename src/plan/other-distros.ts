/**
 * The same configuration for other distributions: kernel parameters for the boot loader,
 * /etc/modprobe.d/vfio.conf (ids and softdeps, or a driver_override script for identical cards), and
 * the initramfs step for the tool this host uses (all three when os-release does not say).
 */
import {describe} from '../../checks/lib/gpu.js'
import {UNKNOWN_USER} from '../knowledge/stand-ins.js'
import type {Bootloader, Choices, InitramfsTool, OtherDistros} from './types.js'
import {fileComment} from './file-comment.js'

const VFIO_MODULES = ['vfio_pci', 'vfio', 'vfio_iommu_type1']
const OVERRIDE_SCRIPT = '/usr/local/bin/vfio-pci-override.sh'

export function otherDistros(c: Choices): OtherDistros {
  const cmdline = c.kernelParams.map((p) => p.text).join(' ')
  const out: OtherDistros = {
    modprobeConf: modprobeConf(c),
    cmdline,
    initramfs: (c.host.initramfs ? [c.host.initramfs] : (['mkinitcpio', 'dracut', 'initramfs-tools'] as InitramfsTool[])).map((tool) => initramfsStep(tool, c)),
    bootloader: (c.host.bootloader ? [c.host.bootloader] : (['grub', 'systemd-boot'] as Bootloader[])).map((loader) => ({loader, how: bootloaderSteps(loader, c, cmdline)})),
  }
  if (c.lookingGlass) {
    const comment = fileComment(`Looking Glass: ${c.lookingGlass.path} for you (the client) and qemu (group ${c.qemuGroup}), made at boot.`)
    out.tmpfiles = [...comment, `f ${c.lookingGlass.path} 0660 ${c.user ?? UNKNOWN_USER} ${c.qemuGroup} -`, ''].join('\n')
  }
  if (c.binding.kind === 'address') out.overrideScript = {path: OVERRIDE_SCRIPT, content: overrideScript(c.binding.addresses)}
  return out
}

function modprobeConf(c: Choices): string {
  const lines = fileComment(`/etc/modprobe.d/vfio.conf, written by \`vfio-doctor plan\`${c.gpu ? ` for ${describe(c.gpu)}` : ''}.`)
  if (c.passed.length > 0) lines.push('# The functions the guest gets (its IOMMU group but the bridges):', ...c.passed.map((d) => `#   ${describe(d)}`))
  if (c.binding.kind === 'ids' && c.binding.ids.length > 0) {
    lines.push('# vfio-pci claims them by id when it loads.', `options vfio-pci ids=${c.binding.ids.join(',')}`)
  } else if (c.binding.kind === 'address') {
    lines.push(`# ${c.binding.why}: ${OVERRIDE_SCRIPT} hands them over by address just before vfio-pci loads.`, `install vfio-pci ${OVERRIDE_SCRIPT}; /sbin/modprobe --ignore-install vfio-pci`)
  }
  if (c.hostDrivers.length > 0) {
    lines.push('# Load vfio-pci before the drivers that would otherwise take these functions.', ...c.hostDrivers.map((m) => `softdep ${m} pre: vfio-pci`))
  }
  return lines.join('\n') + '\n'
}

function overrideScript(addresses: string[]): string {
  return [
    '#!/bin/sh',
    '# Hands the guest\'s functions to vfio-pci by address (identical cards cannot be told apart by id).',
    `for dev in ${addresses.join(' ')}; do`,
    '  echo vfio-pci > /sys/bus/pci/devices/$dev/driver_override',
    'done',
    '',
  ].join('\n')
}

function initramfsStep(tool: InitramfsTool, c: Choices): OtherDistros['initramfs'][number] {
  const script = c.binding.kind === 'address' ? ` ${OVERRIDE_SCRIPT}` : ''
  switch (tool) {
    case 'mkinitcpio':
      return {
        tool,
        file: '/etc/mkinitcpio.conf',
        content: `MODULES=(${VFIO_MODULES.join(' ')} ...)   # vfio first, before any GPU driver already listed\nHOOKS=(... modconf ...)                 # modconf puts /etc/modprobe.d into the initramfs${script ? `\nFILES=(${script.trim()})` : ''}`,
        command: 'sudo mkinitcpio -P',
        summary: `in /etc/mkinitcpio.conf put ${VFIO_MODULES.join(' ')} first in MODULES and keep modconf in HOOKS${script ? `, add${script} to FILES` : ''}`,
      }
    case 'dracut':
      return {
        tool,
        file: '/etc/dracut.conf.d/vfio.conf',
        content: `force_drivers+=" ${VFIO_MODULES.join(' ')} "\ninstall_items+=" /etc/modprobe.d/vfio.conf${script} "`,
        command: 'sudo dracut -f --regenerate-all',
        summary: 'write /etc/dracut.conf.d/vfio.conf as shown',
      }
    case 'initramfs-tools':
      return {
        tool,
        file: '/etc/initramfs-tools/modules',
        content: VFIO_MODULES.join('\n'),
        command: 'sudo update-initramfs -u -k all',
        summary: `add ${VFIO_MODULES.join(', ')} to /etc/initramfs-tools/modules, one a line`,
        ...(script ? {note: `initramfs-tools copies /etc/modprobe.d but not ${OVERRIDE_SCRIPT}: add a hook that copies it (copy_exec ${OVERRIDE_SCRIPT}).`} : {}),
      }
  }
}

function bootloaderSteps(loader: Bootloader, c: Choices, cmdline: string): string[] {
  const stale = c.staleParams.map((p) => p.text)
  const removal = stale.length ? `, and take out ${stale.join(' ')}` : ''
  if (loader === 'grub') {
    const update = (c.host.grubUpdate ?? 'sudo grub-mkconfig -o /boot/grub/grub.cfg  (Debian/Ubuntu: sudo update-grub)').replace('PARAMS', cmdline)
    if (update.startsWith('sudo grubby')) return [`${update}${stale.length ? ` --remove-args="${stale.join(' ')}"` : ''}`]
    return [`/etc/default/grub: add ${cmdline} to GRUB_CMDLINE_LINUX_DEFAULT${removal}`, update]
  }
  return [
    `/etc/kernel/cmdline (kernel-install, UKIs) or the options line of each /boot/loader/entries/*.conf: add ${cmdline}${removal}`,
    'with /etc/kernel/cmdline: sudo kernel-install add "$(uname -r)" /usr/lib/modules/"$(uname -r)"/vmlinuz (Pop!_OS: sudo kernelstub -a "PARAMS")'.replace('PARAMS', cmdline),
  ]
}
