/**
 * The Looking Glass and guest-extras pages against their checks: every placeholder a page uses is
 * filled by a real finding, its libvirt XML (filled with that finding's values) validates against
 * libvirt's RelaxNG schema, and its Nix parses with nix-instantiate.
 */
import {testKnowledgePages, type Representative} from '../helpers/knowledge-tester.js'
import {hasShared} from '../helpers/paths.js'
import {domainXml, seed003Evdev, seed003LookingGlass, TABLET} from '../helpers/seed-xml.js'

const NIXOS = 'ID=nixos\n'
const VINI = 'uid=1000(vini) gid=100(users) groups=100(users),67(libvirtd)\n'
const RULE_NIX = '{ ... }:\nlet\n  username = "vini";\nin\n{\n  systemd.tmpfiles.rules = [ "f /dev/shm/looking-glass 0660 ${username} qemu-libvirtd -" ];\n  virtualisation.libvirtd.qemu.runAsRoot = false;\n}\n'

/** One evidence folder per knowledge id that makes its check report it. */
const REPRESENTATIVE: Record<string, Representative> = {
  'looking-glass-shm': {
    check: 'looking-glass-shm',
    files: {'win10.xml': domainXml([seed003LookingGlass(), seed003Evdev()]), 'configuration.nix': RULE_NIX, 'dev-nodes.txt': '-rw-r--r-- 1 root root 0 Oct 29 21:01 /dev/shm/looking-glass\n', 'groups.txt': VINI, 'os-release.txt': NIXOS},
  },
  'looking-glass-display-config': {check: 'looking-glass-display', files: {'win10.xml': domainXml([seed003LookingGlass(), TABLET])}},
  'evdev-input-invalid': {check: 'evdev-input', files: {'win10.xml': domainXml([seed003Evdev('/dev/input/by-id/usb-Logitech_USB_Receiver-if01-mouse')])}},
  'guest-audio-missing': {check: 'guest-audio', files: {'win10.xml': domainXml([], {hostdevs: ['01:00.0']}).replace('</source>', "</source>\n<rom file='/var/lib/libvirt/vbios/gtx1070.rom'/>"), 'groups.txt': VINI}},
}

testKnowledgePages('Looking Glass and guest extras knowledge pages', REPRESENTATIVE, {skip: !hasShared})
