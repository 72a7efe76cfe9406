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
    {name: 'an aarch64 guest: OVMF advice is about x86', files: {'d.xml': "<domain type='kvm'><name>arm</name><os><type arch='aarch64' machine='virt'>hvm</type></os><devices/></domain>\n"}},
    {name: 'SeaBIOS without a GPU (libvirt q35 minimal)', files: {'d.xml': corpus('libvirt-domains', 'x86_64-q35-minimal.xml')}, passes: [/^domain guest \(d\.xml\) boots SeaBIOS and passes no GPU$/]},
    {name: 'SeaBIOS passing only a USB controller', files: {'vm.xml': edit(domains.j4nsenUsbOnly, /<loader[^>]*>[^<]*<\/loader>\n\s*<nvram>[^<]*<\/nvram>\n/, ''), 'iommu.txt': listings.j4nsen}},
    {name: 'the OVMF image it names exists', files: {'win10.xml': domains.bryansteinerWin10, 'ls.txt': '-rw-r--r-- 1 root root 3653632 Mar  1 10:00 /usr/share/OVMF/OVMF_CODE.fd\n'}},
  ],
  invalid: [
    {
      name: 'SeaBIOS passing a Navi 10 (alshdavid gpu-test, with its IOMMU listing)',
      files: {'gpu-test.xml': domains.alshdavidNavi, 'iommu-groups.txt': listings.alshdavid},
      findings: [{
        id: 'firmware-not-uefi',
        severity: 'warning',
        subject: 'gpu-test',
        message: /^domain gpu-test \(gpu-test\.xml\) boots SeaBIOS \(legacy BIOS\), not OVMF: it passes the GPU 0000:0b:00\.0, and GPU passthrough wants OVMF: SeaBIOS must run the card's legacy VGA BIOS/,
        evidence: /^gpu-test\.xml: <os> machine='pc-q35-6\.2' no <loader>\n<hostdev> source 0000:0b:00\.0 Advanced Micro Devices, Inc\. \[AMD\/ATI\] Navi 10/,
        fix: /"ovmfPackage":"ovmf \(Debian, Ubuntu\) or edk2-ovmf \(Fedora, Arch\)","nixosOvmf":"virtualisation\.libvirtd\.qemu\.ovmf\.enable = true;[^"]*","domain":"gpu-test","loader":""/,
      }],
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
      name: 'the OVMF image is missing on Fedora: its package is edk2-ovmf',
      files: {'win10.xml': domains.bryansteinerWin10, 'ls.txt': "ls: cannot access '/usr/share/OVMF/OVMF_CODE.fd': No such file or directory\n", 'os-release': 'ID=fedora\nNAME="Fedora Linux"\n'},
      findings: [{id: 'firmware-not-uefi', severity: 'error', subject: 'win10', message: /^domain win10 \(win10\.xml\) boots OVMF from \/usr\/share\/OVMF\/OVMF_CODE\.fd, which does not exist on this host\.$/, evidence: /^win10\.xml: <os> machine='pc-q35-4\.0' <loader type='pflash'>\/usr\/share\/OVMF\/OVMF_CODE\.fd<\/loader>\npermissions: \/usr\/share\/OVMF\/OVMF_CODE\.fd: No such file or directory$/, fix: /"ovmfPackage":"edk2-ovmf".*"loader":"\/usr\/share\/OVMF\/OVMF_CODE\.fd"/}],
    },
    {
      name: "libvirt finds no firmware on openSUSE",
      files: {'virsh-start.txt': "error: operation failed: Unable to find any firmware to satisfy 'efi'\n", 'os-release': 'ID="opensuse-tumbleweed"\n'},
      findings: [{id: 'firmware-not-uefi', severity: 'error', message: /^libvirt found no UEFI firmware \(OVMF\) to boot the domain with: OVMF is not installed, or not where libvirt looks\.$/, fix: /"ovmfPackage":"qemu-ovmf-x86_64".*"domain":"VM","loader":""/}],
    },
    {
      name: 'libvirt finds no firmware on NixOS 25.05: the ovmf option still exists there',
      files: {'virsh-start.txt': "error: operation failed: Unable to find any firmware to satisfy 'efi'\n", 'os-release': 'ID=nixos\nVERSION_ID="25.05"\n'},
      findings: [{id: 'firmware-not-uefi', severity: 'error', fix: /"nixosOvmf":"virtualisation\.libvirtd\.qemu\.ovmf\.enable = true;/}],
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
