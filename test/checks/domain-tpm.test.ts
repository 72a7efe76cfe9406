import {expect, it} from 'vitest'
import check from '../../checks/domain-tpm.js'
import {runCase, testCheck} from '../helpers/check-tester.js'
import {devsetFile, hasShared} from '../helpers/paths.js'
import {diskImage, domainXml} from '../helpers/seed-xml.js'
import {NIXOS_RELEASE, domains, edit, seed000Nix, seed003Nix} from './libvirt-data.js'

const TPM = "<tpm model='tpm-crb'>\n      <backend type='emulator' version='2.0'/>\n    </tpm>\n    <memballoon"
/** bryansteiner's Windows 10 domain, told it is Windows 11 (libosinfo id as virt-manager writes it). */
const win11 = edit(domains.bryansteinerWin10, 'http://microsoft.com/win/10', 'http://microsoft.com/win/11')
const win11Tpm = edit(win11, '<memballoon', TPM)
const win11Tpm12 = edit(win11, '<memballoon', TPM.replace("version='2.0'", "version='1.2'"))
/** A Windows 11 guest known only by its installer ISO's name. */
const win11ByIso = edit(edit(domains.xkevinWin10, '<name>win10</name>', '<name>gaming</name>'), 'Win10_1703_SingleLang_English_x64.iso', 'Win11_23H2_English_x64v2.iso')

testCheck(check, {
  valid: [
    {name: 'Windows 10 without a TPM (bryansteiner)', files: {'win10.xml': domains.bryansteinerWin10}, passes: [/^no Windows 11 domain$/]},
    {name: 'Windows 11 with an emulated TPM 2.0 and seed 000\'s swtpm.enable = true', files: {'win11.xml': win11Tpm, 'configuration.nix': seed000Nix, 'os-release': NIXOS_RELEASE}, passes: [/^domain win10 \(win11\.xml\) has a TPM \(emulator backend\)$/]},
    {name: 'a Debian guest', files: {'gpu-test.xml': domains.alshdavidNavi}},
    {name: "Windows 11 with the host's TPM passed through (/dev/tpm0)", files: {'win11.xml': edit(win11, '<memballoon', "<tpm model='tpm-tis'>\n      <backend type='passthrough'>\n        <device path='/dev/tpm0'/>\n      </backend>\n    </tpm>\n    <memballoon")}, passes: [/^domain win10 \(win11\.xml\) has a TPM \(passthrough backend\)$/]},
  ],
  invalid: [
    {
      name: 'Windows 11 (libosinfo) without a TPM',
      files: {'win11.xml': win11},
      findings: [{id: 'tpm-missing', severity: 'warning', subject: 'win10', message: /^domain win10 \(win11\.xml\) is Windows 11 but has no TPM: setup stops with "This PC can't run Windows 11" unless its checks are bypassed\.$/, evidence: /^domain win10 \(win11\.xml\): libosinfo id http:\/\/microsoft\.com\/win\/11\nwin11\.xml: no <tpm> device$/, fix: /"domain":"win10"/}],
    },
    {
      name: 'NixOS: Windows 11 without a TPM, and swtpm off in the configuration (seed 003)',
      files: {'win11.xml': win11, 'configuration.nix': seed003Nix, 'os-release': NIXOS_RELEASE},
      findings: [{id: 'tpm-missing', severity: 'warning', subject: 'win10', message: / Adding one also needs swtpm \(configuration\.nix configures virtualisation\.libvirtd without qemu\.swtpm\.enable = true\)\.$/, evidence: /\nconfiguration\.nix configures virtualisation\.libvirtd without qemu\.swtpm\.enable = true$/}],
    },
    {
      name: "only setup's words, no domain: a TPM is missing somewhere",
      files: {'setup.txt': "This PC can't run Windows 11\n"},
      findings: [{id: 'tpm-missing', severity: 'error', message: /^The guest or libvirt reports a missing TPM\.$/, evidence: /^setup\.txt line 1: This PC can't run Windows 11$/, fix: /"domain":"VM"/}],
    },
    {
      name: 'Windows 11 by its ISO name, and setup said so',
      files: {'gaming.xml': win11ByIso, 'setup.txt': "This PC can't run Windows 11\n"},
      findings: [{id: 'tpm-missing', severity: 'error', subject: 'gaming', evidence: /Win11_23H2/}],
    },
    {
      name: 'NixOS: an emulated TPM without swtpm (seed 003 configuration)',
      files: {'win11.xml': win11Tpm, 'configuration.nix': seed003Nix, 'os-release': NIXOS_RELEASE},
      findings: [{id: 'tpm-missing', severity: 'error', subject: 'win10', message: /^domain win10 \(win11\.xml\) has an emulated TPM, but configuration\.nix configures virtualisation\.libvirtd without qemu\.swtpm\.enable = true: libvirt fails to start it with "Unable to find 'swtpm' binary in \$PATH"\.$/, evidence: /\n<tpm model='tpm-crb'> backend emulator version 2\.0\nconfiguration\.nix configures virtualisation\.libvirtd without qemu\.swtpm\.enable = true$/}],
    },
    {
      name: 'NixOS: libvirt cannot find swtpm (nixpkgs#141224 wording)',
      files: {'virsh-start.txt': "error: Failed to start domain 'VMNAME'\nerror: Unable to find 'swtpm' binary in $PATH: No such file or directory\n", 'configuration.nix': seed003Nix, 'os-release': NIXOS_RELEASE},
      findings: [{id: 'tpm-missing', severity: 'error', message: /^A TPM could not be provided: configuration\.nix configures virtualisation\.libvirtd without qemu\.swtpm\.enable = true, so libvirt cannot start swtpm\.$/, fix: /^\{"domain":"VM"\}$/}],
    },
    {
      name: 'Windows 11 with a TPM 1.2',
      files: {'win11.xml': win11Tpm12},
      findings: [{id: 'tpm-missing', severity: 'warning', subject: 'win10', message: /^domain win10 \(win11\.xml\) has a TPM 1\.2; Windows 11 requires TPM 2\.0\.$/, evidence: /\n<tpm model='tpm-crb'> backend emulator version 1\.2$/}],
    },
  ],
  unknown: [{name: 'no domain XML and no TPM message', files: {'os-release': NIXOS_RELEASE}}],
}, {skip: !hasShared})

// quickemu's own output, from the development set (in the repository, so these run without ../shared).
const quickemu230 = devsetFile('234-quickemu-win11-requirements-tpm-line', 'quickemu-output.txt')

testCheck(check, {
  valid: [
    {name: 'quickemu 2.2.4 started swtpm and passes it (quickemu#88, devset 218)', files: {'output.txt': devsetFile('218-quickemu-win11-system-thread-exception', 'output.txt')}, skipped: /no libvirt domain XML/},
    {name: 'quickemu 2.3.1, the release that fixed it, with the same TPM line', files: {'output.txt': quickemu230.replace('Quickemu 2.3.0', 'Quickemu 2.3.1')}, skipped: /no libvirt domain XML/},
  ],
  invalid: [
    {
      name: 'quickemu 2.3.0 starts swtpm on VM.swtpm-sock but gives qemu the TPM only if VM-swtpm.sock exists (quickemu#102, devset 234)',
      files: {'quickemu-output.txt': quickemu230},
      findings: [{id: 'tpm-missing', severity: 'error', subject: 'windows-11', message: /Quickemu 2\.3\.0 .*windows-11-swtpm\.sock.*2\.3\.1/, evidence: /line 19: - TPM: +windows-11\/windows-11\.swtpm-sock/}],
    },
  ],
  unknown: [{name: 'quickemu 2.3.0 without a TPM line (tpm is off for this VM)', files: {'output.txt': quickemu230.split('\n').filter((l) => !l.includes('TPM:')).join('\n')}}],
})

// Quickemu 4.9: the summary reaches its network line, printed after the TPM's, without a TPM line.
const quickemu496 = devsetFile('418-quickemu-win11-default-conf-no-tpm', 'quickemu-output.txt')
// quickemu#904: quickemu 4.9.1 starting a Windows 11 VM whose .conf has tpm="on".
const QUICKEMU_491_WITH_TPM = `Quickemu 4.9.1 using /usr/bin/qemu-system-x86_64 v8.2.0
 - Host:     Arch Linux running Linux 6.7 (rum)
 - CPU:       12th Gen Intel(R) Core(TM) i7-1250U
 - CPU VM:   1 Socket(s), 2 Core(s), 2 Thread(s), 8G RAM
 - BOOT:     EFI (Windows), OVMF (/usr/share/edk2-ovmf/x64/OVMF_CODE.fd), SecureBoot (off).
 - Disk:     windows-11/disk.qcow2 (64G)
             Just created, booting from windows-11/windows-11.iso
 - CD-ROM:   windows-11/virtio-win.iso
 - Display:  SPICE, qxl-vga, GL (on), VirGL (off)
 - Sound:    intel-hda
 - ssh:      On host:  ssh user@localhost -p 22220
 - SPICE:    On host:  spicy --title "windows-11" --port 5930 --spice-shared-dir /home/alxjsn/Public
 - WebDAV:   On guest: dav://localhost:9843/
 - TPM:      windows-11/windows-11.swtpm-sock (2691)
 - Network:  User (virtio-net)
`

testCheck(check, {
  valid: [
    {name: 'quickemu 4.9.1 with the TPM line before the network line (quickemu#904)', files: {'output.txt': QUICKEMU_491_WITH_TPM}, skipped: /no libvirt domain XML/},
    {name: "the same summary without a TPM line for a Windows 10 VM: Windows 10 needs none", files: {'output.txt': quickemu496.replaceAll('windows-11', 'windows-10')}, skipped: /no libvirt domain XML/},
    {name: 'the summary cut before its network line: the TPM line may still have been to come', files: {'output.txt': quickemu496.split('\n').filter((l) => !l.includes('Network:')).join('\n')}, skipped: /no libvirt domain XML/},
  ],
  invalid: [
    {
      name: "quickemu 4.9.6 starts windows-11 from quickget's default .conf, which has no tpm=\"on\" (quickemu#1387, devset 418)",
      files: {'quickemu-output.txt': quickemu496},
      findings: [{id: 'tpm-missing', severity: 'warning', subject: 'windows-11', message: /^Quickemu started windows-11, a Windows 11 VM, without a TPM: .*windows-11\.conf does not say tpm="on"/, evidence: /quickemu-output\.txt line 1: Quickemu 4\.9\.6 using .*\nquickemu-output\.txt line 14: - Disk: +windows-11\/disk\.qcow2 \(64G\)\nquickemu-output\.txt line 20: - Network: +User \(virtio-net\)$/}],
    },
  ],
  unknown: [],
})

/** A Windows 11 domain as virt-manager writes it, its TPM given per case. */
const win11Domain = (tpm: string) => domainXml([diskImage('win11', 'sata'), tpm], {name: 'win11', hostdevs: [], osId: 'http://microsoft.com/win/11'})
const EXTERNAL_TPM = "<tpm model='tpm-crb'>\n  <backend type='external'>\n    <source type='unix' mode='connect' path='/run/swtpm/win11/swtpm.sock'/>\n  </backend>\n</tpm>"
const PASSTHROUGH_TPM = "<tpm model='tpm-tis'>\n  <backend type='passthrough'>\n    <device path='/dev/tpm0'/>\n  </backend>\n</tpm>"
/** Written by hand, without a version (libvirt's default, 2.0). */
const EMULATOR_TPM = "<tpm model='tpm-crb'>\n  <backend type='emulator'/>\n</tpm>"
const LIBVIRTD_ONLY = '{ config, pkgs, ... }:\n{\n  virtualisation.libvirtd.enable = true;\n}\n'
const SWTPM_ON = '{ config, pkgs, ... }:\n{\n  virtualisation.libvirtd.qemu.swtpm.enable = true;\n}\n'
const HARDWARE_ONLY = '{ config, lib, ... }:\n{\n  boot.initrd.availableKernelModules = [ "nvme" "xhci_pci" "ahci" ];\n}\n'
const SWTPM_NOT_FOUND = "error: Failed to start domain 'win11'\nerror: Unable to find 'swtpm' binary in $PATH: No such file or directory\n"
/** Quickemu's output for two starts in one file: 2.3.1, then a downgrade to 2.3.0. */
const twoStarts = `${quickemu230.replace('Quickemu 2.3.0', 'Quickemu 2.3.1')}\n${quickemu230}`
const tpmLineOfSecondStart = quickemu230.split('\n').length + quickemu230.split('\n').findIndex((l) => l.includes('TPM:')) + 1

// Tables on inline evidence and the development set: they run without ../shared.
testCheck(check, {
  valid: [
    {name: 'Windows 11 with an external swtpm (libvirt 9.0\'s external backend): a TPM', files: {'win11.xml': win11Domain(EXTERNAL_TPM)}, passes: [/^domain win11 \(win11\.xml\) has a TPM \(external backend\)$/]},
    {name: 'NixOS without swtpm: the host\'s TPM passed through needs none', files: {'win11.xml': win11Domain(PASSTHROUGH_TPM), 'configuration.nix': LIBVIRTD_ONLY, 'os-release': NIXOS_RELEASE}, passes: [/^domain win11 \(win11\.xml\) has a TPM \(passthrough backend\)$/]},
    {name: 'NixOS, libvirtd in configuration.nix and swtpm in a second file: swtpm is on', files: {'win11.xml': win11Domain(EMULATOR_TPM), 'configuration.nix': LIBVIRTD_ONLY, 'vfio.nix': SWTPM_ON, 'os-release': NIXOS_RELEASE}},
    {name: 'NixOS, only the hardware configuration: whether swtpm is on is not known, so no word of it', files: {'win11.xml': win11Domain(EMULATOR_TPM), 'hardware-configuration.nix': HARDWARE_ONLY, 'os-release': NIXOS_RELEASE}},
  ],
  invalid: [
    {
      name: 'NixOS with swtpm on, libvirt still cannot find swtpm (not rebuilt yet): the setting is evidence',
      files: {'virsh-start.txt': SWTPM_NOT_FOUND, 'vfio.nix': SWTPM_ON, 'os-release': NIXOS_RELEASE},
      findings: [{id: 'tpm-missing', severity: 'error', message: /^The guest or libvirt reports a missing TPM\.$/, evidence: /^virsh-start\.txt line 2: error: Unable to find 'swtpm' binary in \$PATH: No such file or directory\nvirtualisation\.libvirtd\.qemu\.swtpm\.enable = true$/}],
    },
    {
      name: 'NixOS: an emulated TPM without a version, libvirtd configured without swtpm (the hardware configuration is not named)',
      files: {'win11.xml': win11Domain(EMULATOR_TPM), 'configuration.nix': LIBVIRTD_ONLY, 'hardware-configuration.nix': HARDWARE_ONLY, 'os-release': NIXOS_RELEASE},
      findings: [{
        id: 'tpm-missing', severity: 'error', subject: 'win11',
        evidence: /^domain win11 \(win11\.xml\): libosinfo id http:\/\/microsoft\.com\/win\/11\n<tpm model='tpm-crb'> backend emulator version \(default\)\nconfiguration\.nix configures virtualisation\.libvirtd without qemu\.swtpm\.enable = true$/,
        fix: /^\{"domain":"win11"\}$/,
      }],
    },
    {
      name: 'quickemu started twice in one output: 2.3.1 passes its TPM, the later 2.3.0 start does not',
      files: {'quickemu-output.txt': twoStarts},
      findings: [{
        id: 'tpm-missing', severity: 'error', subject: 'windows-11',
        message: /^Quickemu 2\.3\.0 starts swtpm on windows-11\/windows-11\.swtpm-sock but gives qemu the TPM only if windows-11\/windows-11-swtpm\.sock exists, which it never creates: windows-11 runs without a TPM/,
        evidence: new RegExp(`^quickemu-output\\.txt line ${quickemu230.split('\n').length + 2}: Quickemu 2\\.3\\.0 using [^\n]*\nquickemu-output\\.txt line ${tpmLineOfSecondStart}: - TPM: +windows-11/windows-11\\.swtpm-sock`),
        fix: /^\{"domain":"windows-11"\}$/,
      }],
    },
  ],
  unknown: [
    {name: 'a pasted <metadata> fragment: Windows 11, but no devices to judge', files: {'win11-os.xml': '<metadata>\n  <libosinfo:libosinfo xmlns:libosinfo="http://libosinfo.org/xmlns/libvirt/domain/1.0">\n    <libosinfo:os id="http://microsoft.com/win/11"/>\n  </libosinfo:libosinfo>\n</metadata>\n'}, reason: /^the domain XML is a fragment without <devices> or <tpm>$/},
    {name: 'quickemu\'s TPM line pasted without its first line: the version is not known', files: {'quickemu-output.txt': quickemu230.split('\n').filter((l) => l.includes('TPM:')).join('\n')}},
  ],
})

it('domain-tpm: a Windows 11 domain with a TPM is not also "no Windows 11 domain"', () => {
  expect(runCase(check, {name: 'x', files: {'win11.xml': win11Domain(PASSTHROUGH_TPM)}}).passes).toEqual(['domain win11 (win11.xml) has a TPM (passthrough backend)'])
})

it('domain-tpm: a fragment without its devices is not "no Windows 11 domain" (it may be one)', () => {
  const metadata = '<metadata>\n  <libosinfo:libosinfo xmlns:libosinfo="http://libosinfo.org/xmlns/libvirt/domain/1.0">\n    <libosinfo:os id="http://microsoft.com/win/11"/>\n  </libosinfo:libosinfo>\n</metadata>\n'
  const result = runCase(check, {name: 'x', files: {'win11-os.xml': metadata}})
  expect(result.status).toBe('skipped')
  expect(result.passes).toEqual([])
  // A whole domain of another system still says so.
  const linux = domainXml([diskImage('ubuntu22.04', 'virtio')], {name: 'ubuntu22.04', hostdevs: [], osId: 'http://ubuntu.com/ubuntu/22.04'})
  expect(runCase(check, {name: 'x', files: {'ubuntu.xml': linux}}).passes).toEqual(['no Windows 11 domain'])
})
