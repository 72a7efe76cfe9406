import {STAND_INS} from '../knowledge/stand-ins.js'

/**
 * Names that are never private: system accounts and groups every host has, and host names
 * distributions give by default. They stay as they are, because the diagnosis often turns on them
 * ("qemu cannot read /home/user1", "user1 is not in libvirtd").
 */
const SYSTEM_NAMES = [
  'root', 'nobody', 'nogroup', 'daemon', 'bin', 'sys', 'sync', 'adm', 'tty', 'disk', 'lp', 'mail', 'news', 'uucp', 'man',
  'proxy', 'kmem', 'dialout', 'fax', 'voice', 'cdrom', 'floppy', 'tape', 'sudo', 'audio', 'dip', 'www-data', 'backup',
  'operator', 'list', 'irc', 'src', 'gnats', 'shadow', 'utmp', 'video', 'sasl', 'plugdev', 'staff', 'games', 'users',
  'wheel', 'input', 'render', 'kvm', 'qemu', 'qemu-libvirtd', 'libvirt', 'libvirtd', 'libvirt-qemu', 'libvirt-dnsmasq',
  'polkituser', 'polkitd', 'messagebus', 'dbus', 'avahi', 'sddm', 'gdm', 'lightdm', 'colord', 'rtkit', 'pulse',
  'pipewire', 'geoclue', 'flatpak', 'cups', 'ntp', 'chrony', 'sshd', 'netdev', 'bluetooth', 'lpadmin', 'sambashare',
  'docker', 'podman', 'networkmanager', 'storage', 'optical', 'scanner', 'power', 'rfkill', 'uinput', 'i2c', 'nixbld',
  'usbmux', 'tss', 'systemd-journal', 'systemd-network', 'systemd-resolve', 'systemd-timesync', 'systemd-coredump',
  'systemd-oom', 'nm-openvpn', 'dnsmasq', 'uuidd', 'tcpdump', 'sgx', 'vboxusers', 'lxd', 'incus', 'admin', 'user',
  'guest', 'localhost', 'nixos', 'archlinux', 'debian', 'ubuntu', 'fedora', 'manjaro', 'pop-os', 'endeavouros',
  'linux', 'proxmox', 'pve', 'unraid', 'tower', 'public', 'default', 'all users', 'default user', 'hostname',
  // Build users in kernel banners and build paths ("/home/kernel/COD/linux" in Ubuntu's mainline builds).
  'kernel', 'build', 'builder', 'buildd', 'jenkins', 'mockbuild', 'portage', 'abuild',
]
// The tool's stand-ins for unknown values (YOUR_USER) are no one's names either.
const SYSTEM = new Set([...SYSTEM_NAMES, ...STAND_INS.map((s) => s.toLowerCase())])

/** A name that is not anyone's: a system account or group, or a default host name. */
export function isSystemName(name: string): boolean {
  const n = name.toLowerCase()
  return SYSTEM.has(n) || /^(systemd-|nixbld\d*$|_)/.test(n) || /^\d+$/.test(n)
}

/**
 * Everyday words that also make fine user and host names ("max", "desktop", "gaming"). Such a name
 * is replaced only where it is known to be a name (a home folder, `id` output, a log prefix),
 * never as a bare word: "max UDMA/133" must not become "user1 UDMA/133".
 */
export const COMMON_WORDS = new Set([
  'max', 'min', 'home', 'media', 'data', 'test', 'main', 'work', 'desktop', 'laptop', 'server', 'pc', 'box', 'vm', 'gpu',
  'cpu', 'host', 'gaming', 'game', 'steam', 'share', 'shared', 'build', 'dev', 'nix', 'store', 'arch', 'windows', 'win10',
  'win11', 'amd', 'intel', 'nvidia', 'looking', 'glass', 'vfio', 'virt', 'machine', 'station', 'workstation', 'tower',
  'node', 'master', 'kernel', 'boot', 'system', 'config', 'local', 'device', 'devices', 'bus', 'pci', 'usb', 'net', 'mem',
  'ram', 'disk', 'file', 'files', 'log', 'logs', 'run', 'var', 'etc', 'opt', 'tmp', 'lib', 'mnt', 'efi', 'bios', 'on',
  'off', 'yes', 'no', 'true', 'false', 'none', 'auto', 'error', 'warning', 'info', 'debug', 'the', 'and', 'for', 'not',
])
