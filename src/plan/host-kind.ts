/**
 * Which distribution family the host is, from os-release ID and ID_LIKE: that decides the initramfs
 * tool (mkinitcpio, dracut, initramfs-tools) and how GRUB is regenerated. The boot loader shows on
 * the kernel command line: GRUB passes BOOT_IMAGE=, systemd-boot and other EFI stubs initrd=\EFI\...
 */
import type {Facts} from '../facts/types.js'
import type {Bootloader, HostKind, InitramfsTool} from './types.js'

/** Each family's initramfs tool, GRUB regeneration, and the packages for libvirt, QEMU, OVMF and swtpm. */
const FAMILIES: Array<{ids: string[]; initramfs: InitramfsTool; grubUpdate: string; packages?: string}> = [
  {ids: ['arch', 'manjaro', 'endeavouros', 'garuda', 'cachyos', 'artix', 'arcolinux', 'steamos'], initramfs: 'mkinitcpio', grubUpdate: 'sudo grub-mkconfig -o /boot/grub/grub.cfg', packages: 'sudo pacman -S --needed qemu-desktop libvirt edk2-ovmf swtpm virt-manager'},
  {ids: ['debian', 'ubuntu', 'linuxmint', 'pop', 'zorin', 'elementary', 'kali', 'raspbian', 'neon', 'devuan', 'pureos', 'mx'], initramfs: 'initramfs-tools', grubUpdate: 'sudo update-grub', packages: 'sudo apt install qemu-system-x86 libvirt-daemon-system ovmf swtpm-tools virt-manager'},
  // Fedora and RHEL keep the command line in the boot entries; grubby edits them all.
  {ids: ['fedora', 'rhel', 'centos', 'rocky', 'almalinux', 'ol', 'nobara', 'ultramarine'], initramfs: 'dracut', grubUpdate: 'sudo grubby --update-kernel=ALL --args="PARAMS"', packages: 'sudo dnf install @virtualization edk2-ovmf swtpm-tools'},
  {ids: ['opensuse', 'opensuse-tumbleweed', 'opensuse-leap', 'suse', 'sles', 'sled'], initramfs: 'dracut', grubUpdate: 'sudo grub2-mkconfig -o /boot/grub2/grub.cfg', packages: 'sudo zypper install libvirt qemu-x86 qemu-ovmf-x86_64 swtpm virt-manager'},
  {ids: ['void', 'gentoo'], initramfs: 'dracut', grubUpdate: 'sudo grub-mkconfig -o /boot/grub/grub.cfg'},
]

export function hostKind(facts: Facts, nixos: boolean): HostKind {
  const os = facts.os
  const kind: HostKind = {nixos, evidence: []}
  const name = os?.prettyName ?? os?.name
  if (name) kind.name = name
  if (nixos) {
    const release = Number.parseFloat(os?.versionId ?? '')
    if (Number.isFinite(release)) kind.nixosRelease = release
    kind.evidence.push(os?.id === 'nixos' ? `os-release ID=nixos${os.versionId ? ` VERSION_ID=${os.versionId}` : ''}` : 'a NixOS configuration or generation in the evidence')
    return kind
  }
  const ids = [os?.id, ...(os?.idLike ?? [])].filter((id): id is string => id !== undefined)
  for (const id of ids) {
    const family = FAMILIES.find((f) => f.ids.includes(id))
    if (!family) continue
    kind.initramfs = family.initramfs
    kind.grubUpdate = family.grubUpdate
    if (family.packages) kind.packages = family.packages
    kind.evidence.push(id === os?.id ? `os-release ID=${id}` : `os-release ID_LIKE=${os?.idLike?.join(' ')} (ID=${os?.id})`)
    break
  }
  const loader = bootloaderOf(facts)
  if (loader) {
    kind.bootloader = loader.loader
    kind.evidence.push(loader.evidence)
  }
  return kind
}

function bootloaderOf(facts: Facts): {loader: Bootloader; evidence: string} | undefined {
  const keys = facts.cmdline?.params.map((p) => p.key) ?? []
  if (keys.includes('BOOT_IMAGE')) return {loader: 'grub', evidence: 'BOOT_IMAGE= on the kernel command line (GRUB)'}
  const initrd = facts.cmdline?.params.find((p) => p.key === 'initrd')?.value
  if (initrd?.startsWith('\\')) return {loader: 'systemd-boot', evidence: 'initrd=\\... on the kernel command line (an EFI stub: systemd-boot)'}
  return undefined
}
