/**
 * The libvirt knowledge pages against their checks: each page's placeholders are all filled by a
 * real finding, its libvirt XML fragments (filled with that finding's values) validate against
 * libvirt's RelaxNG schema, and its Nix parses with nix-instantiate.
 */
import {testKnowledgePages, type Representative} from '../helpers/knowledge-tester.js'
import {hasShared} from '../helpers/paths.js'
import {ARCH_RELEASE, NIXOS_RELEASE, corpus, domains, edit, listings, namei, seed003Nix, xkevinLspci} from './libvirt-data.js'

const win11 = edit(domains.bryansteinerWin10, 'http://microsoft.com/win/10', 'http://microsoft.com/win/11')
const WIN_ISO = '/home/bsteiner/.iso/Win10_1909_English_x64.iso'

/** One evidence folder per knowledge id that makes its check report it. */
const REPRESENTATIVE: Record<string, Representative> = {
  'libvirt-access': {check: 'libvirt-access', files: {'os-release': NIXOS_RELEASE, 'groups.txt': 'uid=1000(vini) gid=100(users) groups=100(users)\n'}},
  'firmware-not-uefi': {check: 'domain-firmware', files: {'gpu-test.xml': domains.alshdavidNavi, 'iommu.txt': listings.alshdavid, 'os-release': ARCH_RELEASE}},
  'tpm-missing': {check: 'domain-tpm', files: {'win11.xml': win11}},
  'nvidia-error-43': {check: 'nvidia-error-43', files: {'vm.xml': edit(domains.j4nsenGtx1070, "<kvm>\n      <hidden state='on'/>\n    </kvm>\n", ''), 'iommu.txt': listings.j4nsen}},
  'iso-permissions': {
    check: 'iso-permissions',
    files: {'win10.xml': domains.bryansteinerWin10, 'configuration.nix': seed003Nix, 'os-release': NIXOS_RELEASE, 'namei.txt': namei(WIN_ISO, ['drwxr-xr-x root root', 'drwxr-xr-x root root', 'drwx------ bsteiner users', 'drwxr-xr-x bsteiner users', '-rw-r--r-- bsteiner users'])},
  },
  'virtio-storage-driver-missing': {check: 'virtio-storage-driver', files: {'vm.xml': domains.j4nsenGtx1070, 'bsod.txt': 'Stop code: INACCESSIBLE_BOOT_DEVICE\n'}},
  'hostdev-incomplete': {check: 'hostdev-devices', files: {'vm.xml': edit(domains.j4nsenGtx1070, /<hostdev mode='subsystem' type='pci' managed='yes'>\s*<source>\s*<address domain='0x0000' bus='0x04' slot='0x00' function='0x1'\/>[\s\S]*?<\/hostdev>\n\s*/, ''), 'iommu.txt': listings.j4nsen}},
  'hostdev-address-missing': {check: 'hostdev-devices', files: {'win10.xml': edit(domains.xkevinWin10, "bus='0x01' slot='0x00' function='0x0'", "bus='0x0f' slot='0x00' function='0x0'"), 'lspci.txt': xkevinLspci}},
  'cpu-topology-default': {check: 'cpu-topology', files: {'win10.xml': domains.xkevinWin10, 'cpuinfo.txt': corpus('cpuinfo', 'MrArtemSid__coreboot_p61-s3-b3__logs_cpuinfo.log')}},
  'cpu-mode-not-passthrough': {check: 'cpu-mode', files: {'gpu-test.xml': domains.alshdavidNavi}},
}

testKnowledgePages('libvirt and VM definition knowledge pages', REPRESENTATIVE, {skip: !hasShared})
