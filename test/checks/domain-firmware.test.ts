import check from '../../checks/domain-firmware.js'
import {testCheck} from '../helpers/check-tester.js'
import {hasShared} from '../helpers/paths.js'
import {NIXOS_RELEASE, corpus, domains, edit, listings} from './libvirt-data.js'

const win11Seabios = edit(edit(domains.alshdavidNavi, 'http://debian.org/debian/11', 'http://microsoft.com/win/11'), /<hostdev[\s\S]*<\/hostdev>\n/, '')
const nixosRelease2511 = 'ID=nixos\nNAME=NixOS\nVERSION_ID="25.11"\n'

testCheck(check, {
  valid: [
    {name: 'q35 + OVMF pflash (bryansteiner win10)', files: {'win10.xml': domains.bryansteinerWin10}, passes: [/^domain win10 \(win10\.xml\) boots UEFI \(\/usr\/share\/OVMF\/OVMF_CODE\.fd\)$/]},
    {name: 'i440fx + OVMF pflash with its GPU (J4nsen vm-cpu0-0)', files: {'vm.xml': domains.j4nsenGtx1070, 'iommu.txt': listings.j4nsen}},
    {name: "firmware autoselection <os firmware='efi'> (libvirt test suite)", files: {'d.xml': corpus('libvirt-domains', 'firmware-auto-efi.xml')}, passes: [/^domain guest \(d\.xml\) boots UEFI$/]},
    {name: 'SeaBIOS without a GPU (libvirt q35 minimal)', files: {'d.xml': corpus('libvirt-domains', 'x86_64-q35-minimal.xml')}, passes: [/^domain guest \(d\.xml\) boots SeaBIOS and passes no GPU$/]},
    {name: 'SeaBIOS passing only a USB controller', files: {'vm.xml': edit(domains.j4nsenUsbOnly, /<loader[^>]*>[^<]*<\/loader>\n\s*<nvram>[^<]*<\/nvram>\n/, ''), 'iommu.txt': listings.j4nsen}},
    {name: 'the OVMF image it names exists', files: {'win10.xml': domains.bryansteinerWin10, 'ls.txt': '-rw-r--r-- 1 root root 3653632 Mar  1 10:00 /usr/share/OVMF/OVMF_CODE.fd\n'}},
  ],
  invalid: [
    {
      name: 'SeaBIOS passing a Navi 10 (alshdavid gpu-test, with its IOMMU listing)',
      files: {'gpu-test.xml': domains.alshdavidNavi, 'iommu-groups.txt': listings.alshdavid},
      findings: [{id: 'firmware-not-uefi', severity: 'warning', subject: 'gpu-test', message: /SeaBIOS.*0000:0b:00\.0/, evidence: /Navi 10/}],
    },
    {
      name: 'SeaBIOS passing a GPU, known by its ROM file when there is no device list',
      files: {'gpu-test.xml': domains.alshdavidNavi},
      findings: [{id: 'firmware-not-uefi', severity: 'warning', subject: 'gpu-test'}],
    },
    {
      name: 'a Windows 11 guest on SeaBIOS',
      files: {'win11.xml': win11Seabios},
      findings: [{id: 'firmware-not-uefi', severity: 'error', subject: 'gpu-test', message: /Windows 11 requires UEFI/}],
    },
    {
      name: 'the OVMF image the domain names is missing',
      files: {'win10.xml': domains.bryansteinerWin10, 'ls.txt': "ls: cannot access '/usr/share/OVMF/OVMF_CODE.fd': No such file or directory\n", 'os-release': 'ID=ubuntu\nNAME="Ubuntu"\n'},
      findings: [{id: 'firmware-not-uefi', severity: 'error', subject: 'win10', message: /does not exist/, fix: /"ovmfPackage":"ovmf"/}],
    },
    {
      name: "libvirt finds no firmware for firmware='efi' (NixOS 25.11)",
      files: {'virsh-start.txt': "error: Failed to start domain 'win11'\nerror: operation failed: Unable to find any firmware to satisfy 'efi'\n", 'os-release': nixosRelease2511},
      findings: [{id: 'firmware-not-uefi', severity: 'error', evidence: /Unable to find any firmware to satisfy 'efi'/, fix: /OVMF comes with QEMU/}],
    },
    {
      name: 'qemu cannot open the OVMF image (a stale /run/libvirt/nix-ovmf path)',
      files: {'qemu-win10.log': "2025-07-06T10:00:00.000000Z qemu-system-x86_64: -blockdev {\"driver\":\"file\",\"filename\":\"/run/libvirt/nix-ovmf/OVMF_CODE.fd\"}: Could not open '/run/libvirt/nix-ovmf/OVMF_CODE.fd': No such file or directory\n"},
      findings: [{id: 'firmware-not-uefi', severity: 'error', message: /cannot open the OVMF image \/run\/libvirt\/nix-ovmf\/OVMF_CODE\.fd/}],
    },
  ],
  unknown: [
    {name: 'no domain XML and no libvirt error', files: {'os-release': NIXOS_RELEASE}, reason: /domain/},
  ],
}, {skip: !hasShared})
