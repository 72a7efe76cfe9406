import check from '../../checks/companion-functions.js'
import {testCheck} from '../helpers/check-tester.js'
import {hasShared} from '../helpers/paths.js'
import {apu5700u, gtx1070Audio, listings, lspciNnk, pciSysfs, seed000Cmdline, seed000Groups, seed003Gtx1070} from './isolation-data.js'
import {seed003Nix} from './libvirt-data.js'

const TU116 = {gpu: '10de:2184', audio: '10de:1aeb', usb: '10de:1aec', ucsi: '10de:1aed'}
// A pattern source for the fix as JSON, where each line break is written backslash-n.
const TURING_SOFTDEPS = 'softdep snd_hda_intel pre: vfio-pci\\\\nsoftdep xhci_pci pre: vfio-pci\\\\nsoftdep i2c_nvidia_gpu pre: vfio-pci'

const gtx1070Listing = `${seed003Gtx1070}\nIOMMU Group 1 01:00.1 ${gtx1070Audio}\n`
/** A GTX 1660 (Turing): GPU, HDMI audio, USB-C controller and UCSI controller (listed in Coopydood/ultimate-macOS-KVM#213). */
const gtx1660 = [
  '01:00.0 VGA compatible controller [0300]: NVIDIA Corporation TU116 [GeForce GTX 1660] [10de:2184] (rev a1)',
  '01:00.1 Audio device [0403]: NVIDIA Corporation TU116 High Definition Audio Controller [10de:1aeb] (rev a1)',
  '01:00.2 USB controller [0c03]: NVIDIA Corporation TU116 USB 3.1 Host Controller [10de:1aec] (rev a1)',
  '01:00.3 Serial bus controller [0c80]: NVIDIA Corporation TU116 USB Type-C UCSI Controller [10de:1aed] (rev a1)',
].join('\n')

testCheck(check, {
  valid: [
    {name: 'seed 000: vfio-pci.ids=1002:67df,1002:aaf0 names both functions (listing without drivers)', files: {'cmdline.txt': seed000Cmdline, 'iommu-groups.txt': seed000Groups}, passes: [/^every function of 0000:01:00\.0's card is handed to vfio-pci$/]},
    {name: 'seed 000: both functions on vfio-pci', files: {'cmdline.txt': seed000Cmdline, 'lspci-nnk.txt': lspciNnk(seed000Groups, {'01:00.0': 'vfio-pci', '01:00.1': 'vfio-pci'})}},
    {
      name: 'GTX 1660 (Turing) with all four functions in vfio-pci.ids and on vfio-pci',
      files: {'cmdline.txt': 'vfio-pci.ids=10de:2184,10de:1aeb,10de:1aec,10de:1aed\n', 'lspci-nnk.txt': lspciNnk(gtx1660, {'01:00.0': 'vfio-pci', '01:00.1': 'vfio-pci', '01:00.2': 'vfio-pci', '01:00.3': 'vfio-pci'})},
    },
    {
      name: 'sysfs: the audio function is bound to nothing, which does not block the group',
      files: {'cmdline.txt': 'vfio-pci.ids=10de:1b81\n', 'pci-sysfs.txt': pciSysfs(['0000:01:00.0 vendor=10de device=1b81 class=030000 driver=vfio-pci iommu_group=1', '0000:01:00.1 vendor=10de device=10f0 class=040300 iommu_group=1'])},
    },
    {
      name: "Proxmox 5700U (corpus): the APU's HDMI audio in vfio-pci.ids too; the slot's PSP, USB and audio-processor functions are the CPU's, not the GPU's",
      files: {'lspci-nn.txt': apu5700u.lspci, 'dmesg.txt': apu5700u.dmesg, 'modprobe-vfio.conf': 'options vfio-pci ids=1002:164c,1002:1637\n'},
    },
    {name: "no device list: seed 000's vfio-pci.ids names the RX 580 and its HDMI audio", files: {'cmdline.txt': seed000Cmdline}, passes: [/^vfio-pci\.ids \(1002:67df,1002:aaf0\) names more than one function of each graphics maker$/]},
  ],
  invalid: [
    {
      name: 'devset 112 (kubevirt-gpu-device-plugin#45): modprobe.d names the GTX 1660 SUPER\'s VGA id alone, no device list',
      files: {'vfio.conf': 'options vfio-pci ids=10de:21c4\n'},
      findings: [{id: 'companion-function-not-vfio', severity: 'warning', subject: '10de:21c4', message: /^vfio-pci\.ids names one NVIDIA id \(10de:21c4\) and no other/, evidence: /vfio\.conf line 1: options vfio-pci ids=10de:21c4/}],
    },
    {
      name: 'Proxmox 5700U (corpus): "vfio_pci: add [1002:164c...]" only, so the APU\'s HDMI audio 05:00.1 stays with the host',
      files: {'lspci-nn.txt': apu5700u.lspci, 'dmesg.txt': apu5700u.dmesg},
      findings: [{id: 'companion-function-not-vfio', severity: 'error', subject: '0000:05:00.0', message: /^0000:05:00\.1 \(Audio device \[1002:1637\]\) is not handed to vfio-pci: vfio-pci\.ids selects 1002:164c/, evidence: /vfio_pci: add \[1002:164c/, fix: /"ids":"1002:164c,1002:1637"/}],
    },
    {
      name: "seed 003: options vfio-pci ids=10de:1b81 leaves the GTX 1070's audio function out",
      files: {'modprobe-vfio.conf': 'options vfio-pci ids=10de:1b81\n', 'iommu-groups.txt': gtx1070Listing},
      findings: [{id: 'companion-function-not-vfio', severity: 'error', subject: '0000:01:00.0', message: /^0000:01:00\.1 \(Audio device \[10de:10f0\]\) is not handed to vfio-pci: vfio-pci\.ids selects 10de:1b81, so the card's other functions stay with the host\. They share the GPU's IOMMU group, which is then not viable: the VM does not start with the GPU\.$/, fix: /"ids":"10de:1b81,10de:10f0".*"softdeps":"softdep snd_hda_intel pre: vfio-pci"/},
      ],
    },
    {
      name: "seed 003's NixOS configuration (extraModprobeConfig) with lspci -nnk: the audio function on snd_hda_intel",
      files: {'configuration.nix': seed003Nix, 'lspci-nnk.txt': lspciNnk(gtx1070Listing, {'01:00.0': 'vfio-pci', '01:00.1': 'snd_hda_intel'})},
      findings: [{id: 'companion-function-not-vfio', severity: 'error', subject: '0000:01:00.0', message: /bound to snd_hda_intel/, evidence: /boot\.extraModprobeConfig "options vfio-pci ids=10de:1b81"/}],
    },
    {
      name: 'GTX 1660 (Turing): ids name the GPU and audio only, xhci_hcd and nvidia-gpu keep the USB-C and UCSI functions',
      files: {'cmdline.txt': 'vfio-pci.ids=10de:2184,10de:1aeb\n', 'lspci-nnk.txt': lspciNnk(gtx1660, {'01:00.0': 'vfio-pci', '01:00.1': 'vfio-pci', '01:00.2': 'xhci_hcd', '01:00.3': 'nvidia-gpu'})},
      findings: [{id: 'companion-function-not-vfio', severity: 'error', subject: '0000:01:00.0', message: /01:00\.2 .*xhci_hcd; 0000:01:00\.3 .*nvidia-gpu/, fix: /"missing":"10de:1aec,10de:1aed".*softdep xhci_pci pre: vfio-pci\\nsoftdep i2c_nvidia_gpu pre: vfio-pci/}],
    },
    {
      name: 'no device list: both NVIDIA functions, but one AMD id alone',
      files: {'cmdline.txt': 'vfio-pci.ids=10de:1b81,10de:10f0,1002:67df\n'},
      findings: [{id: 'companion-function-not-vfio', severity: 'warning', subject: '1002:67df', message: /^vfio-pci\.ids names one AMD id \(1002:67df\) and no other: AMD cards have an HDMI audio function/, evidence: /^kernel command line: vfio-pci\.ids=10de:1b81,10de:10f0,1002:67df$/, fix: /"ids":"1002:67df,ID_OF_EACH_OTHER_FUNCTION"/}],
    },
    {
      name: 'lspci -nnk without groups, --gpu 01:00.0: the GPU on vfio-pci (libvirt bound it) and its audio on snd_hda_intel',
      files: {'lspci-nnk.txt': lspciNnk(gtx1070Listing, {'01:00.0': 'vfio-pci', '01:00.1': 'snd_hda_intel'})},
      gpu: '01:00.0',
      findings: [{
        id: 'companion-function-not-vfio',
        severity: 'error',
        subject: '0000:01:00.0',
        message: /^0000:01:00\.1 \(Audio device \[10de:10f0\]\) is bound to snd_hda_intel: only the GPU function is bound to vfio-pci, so the card's other functions stay with the host\. Where they share the GPU's IOMMU group \(as on most discrete cards\) the group is not viable/,
        evidence: /^0000:01:00\.0 \[10de:1b81\] NVIDIA Corporation GP104 \[GeForce GTX 1070\]: driver vfio-pci\n0000:01:00\.1 \[10de:10f0\] [^\n]*: driver snd_hda_intel$/,
        fix: /"address":"0000:01:00\.0","ids":"10de:1b81,10de:10f0","missing":"10de:10f0","addresses":"0000:01:00\.0 0000:01:00\.1","slot":"0000:01:00","softdeps":"softdep snd_hda_intel pre: vfio-pci"/,
      }],
    },
    {
      name: 'a driver_override loop that names the GPU function only',
      files: {
        'configuration.nix': '{\n  boot.initrd.preDeviceCommands = \'\'\n    echo vfio-pci > /sys/bus/pci/devices/0000:01:00.0/driver_override\n    modprobe -i vfio-pci\n  \'\';\n}\n',
        'iommu-groups.txt': gtx1070Listing,
      },
      findings: [{id: 'companion-function-not-vfio', severity: 'error', subject: '0000:01:00.0', message: /driver_override names only 0000:01:00\.0/, fix: /"addresses":"0000:01:00\.0 0000:01:00\.1"/}],
    },
  ],
  unknown: [
    {name: "J4nsen (corpus) with --gpu: nothing hands the card to vfio-pci (gpu-driver's finding)", files: {'iommu-groups.txt': listings.j4nsen}, gpu: '04:00.0', reason: /no guest GPU is handed to vfio-pci/},
    {name: 'no device list, and nothing hands devices to vfio-pci', files: {'cmdline.txt': 'BOOT_IMAGE=/vmlinuz root=/dev/sda2 ro quiet intel_iommu=on\n'}, reason: /no PCI device list and nothing hands devices to vfio-pci/},
  ],
}, {skip: !hasShared})

/** The same GTX 1660 card as `lspci -n` prints it (class codes and ids, no names, no drivers), behind an Intel host bridge. */
const gtx1660Numeric = `00:00.0 0600: 8086:3e30 (rev 07)\n00:01.0 0604: 8086:1901 (rev 07)\n01:00.0 0300: ${TU116.gpu} (rev a1)\n01:00.1 0403: ${TU116.audio} (rev a1)\n01:00.2 0c03: ${TU116.usb} (rev a1)\n01:00.3 0c80: ${TU116.ucsi} (rev a1)\n`
/** ... and as plain `lspci` prints it (class names, no ids, no drivers). */
const gtx1660Plain = [
  '00:00.0 Host bridge: Intel Corporation 8th Gen Core Processor Host Bridge/DRAM Registers (rev 07)',
  '00:01.0 PCI bridge: Intel Corporation 6th-10th Gen Core Processor PCIe Controller (x16) (rev 07)',
  '01:00.0 VGA compatible controller: NVIDIA Corporation TU116 [GeForce GTX 1660] (rev a1)',
  '01:00.1 Audio device: NVIDIA Corporation TU116 High Definition Audio Controller (rev a1)',
  '01:00.2 USB controller: NVIDIA Corporation TU116 USB 3.1 Host Controller (rev a1)',
  '01:00.3 Serial bus controller: NVIDIA Corporation TU116 USB Type-C UCSI Controller (rev a1)',
].join('\n')
const overrideGpuOnly = "{\n  boot.initrd.preDeviceCommands = ''\n    echo vfio-pci > /sys/bus/pci/devices/0000:01:00.0/driver_override\n    modprobe -i vfio-pci\n  '';\n}\n"

// Tables on inline evidence: they run without ../shared.
testCheck(check, {
  valid: [
    {
      name: 'libvirt\'s managed hostdevs bound GPU and audio to vfio-pci at VM start, nothing names them at boot',
      files: {'lspci-nnk.txt': lspciNnk(`${gtx1660.split('\n').slice(0, 2).join('\n')}\n`, {'01:00.0': 'vfio-pci', '01:00.1': 'vfio-pci'})},
      gpu: '01:00.0',
      passes: [/^every function of 0000:01:00\.0's card is handed to vfio-pci$/],
    },
  ],
  invalid: [
    {
      name: 'lspci -n (class codes only, no drivers): vfio-pci.ids names the Turing GPU alone; the softdeps come from the other functions\' classes',
      files: {'lspci-n.txt': gtx1660Numeric, 'cmdline.txt': `BOOT_IMAGE=/vmlinuz-linux root=UUID=0a3b rw intel_iommu=on vfio-pci.ids=${TU116.gpu}\n`},
      findings: [{
        id: 'companion-function-not-vfio', severity: 'error', subject: '0000:01:00.0',
        message: /^0000:01:00\.1 \(function \[10de:1aeb\]\) is not handed to vfio-pci; 0000:01:00\.2 \(function \[10de:1aec\]\) is not handed to vfio-pci; 0000:01:00\.3 \(function \[10de:1aed\]\) is not handed to vfio-pci: vfio-pci\.ids selects 10de:2184, so the card's other functions stay with the host\. Where they share the GPU's IOMMU group \(as on most discrete cards\) the group is not viable; the guest also gets no HDMI \/ DisplayPort audio\.$/,
        evidence: /^0000:01:00\.0 \[10de:2184\]: driver unknown\n0000:01:00\.1 \[10de:1aeb\]: driver unknown\n0000:01:00\.2 \[10de:1aec\]: driver unknown\n0000:01:00\.3 \[10de:1aed\]: driver unknown\nkernel command line: vfio-pci\.ids=10de:2184$/,
        fix: new RegExp(`^\\{"address":"0000:01:00\\.0","ids":"10de:2184,10de:1aeb,10de:1aec,10de:1aed","missing":"10de:1aeb,10de:1aec,10de:1aed","addresses":"0000:01:00\\.0 0000:01:00\\.1 0000:01:00\\.2 0000:01:00\\.3","slot":"0000:01:00","softdeps":"${TURING_SOFTDEPS}"\\}$`),
      }],
    },
    {
      name: 'plain lspci (class names only, no ids, no drivers) and a driver_override for the GPU alone: the softdeps from the class names, the ids left to lspci -nn',
      files: {'lspci.txt': gtx1660Plain, 'configuration.nix': overrideGpuOnly},
      findings: [{
        id: 'companion-function-not-vfio', severity: 'error', subject: '0000:01:00.0',
        message: /^0000:01:00\.1 \(Audio device\) is not handed to vfio-pci; 0000:01:00\.2 \(USB controller\) is not handed to vfio-pci; 0000:01:00\.3 \(Serial bus controller\) is not handed to vfio-pci: driver_override names only 0000:01:00\.0, so/,
        evidence: /: driver unknown\nconfiguration\.nix line 2: boot\.initrd\.preDeviceCommands writes vfio-pci to driver_override of 0000:01:00\.0$/,
        fix: new RegExp(`"ids":"VENDOR:DEVICE of each function \\(lspci -nn\\)","missing":"",.*"softdeps":"${TURING_SOFTDEPS}"\\}$`),
      }],
    },
    {
      name: 'no device list: the command line names the NVIDIA pair, modprobe.d one AMD id alone: the modprobe.d line is the evidence',
      files: {'cmdline.txt': 'BOOT_IMAGE=/vmlinuz-linux root=UUID=0a3b rw amd_iommu=on vfio-pci.ids=10de:1b81,10de:10f0\n', 'modprobe-vfio.conf': 'options vfio-pci ids=1002:67df\n'},
      findings: [{
        id: 'companion-function-not-vfio', severity: 'warning', subject: '1002:67df',
        evidence: /^modprobe-vfio\.conf line 1: options vfio-pci ids=1002:67df$/,
        fix: /^\{"address":"the card","ids":"1002:67df,ID_OF_EACH_OTHER_FUNCTION","missing":"the ids of its other functions","addresses":"the card's functions","slot":"SLOT \(the card's bus:device, from lspci\)","softdeps":""\}$/,
      }],
    },
  ],
})
