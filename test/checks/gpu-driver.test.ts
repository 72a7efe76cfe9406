import check from '../../checks/gpu-driver.js'
import {testCheck} from '../helpers/check-tester.js'
import {devsetFile, hasShared} from '../helpers/paths.js'
import {listings, lspci, lspciNnk, NIXOS_RELEASE, pciSysfs, seed000Cmdline, seed000Groups, seed000Nix, seed003Gtx1070, gtx1070Audio} from './isolation-data.js'
import {domains} from './libvirt-data.js'

const rx580OnVfio = lspciNnk(seed000Groups, {'01:00.0': 'vfio-pci', '01:00.1': 'vfio-pci', '00:01.0': 'pcieport'})
const gtx1070 = (gpu: string, audio: string) => lspciNnk(`${seed003Gtx1070}\nIOMMU Group 1 01:00.1 ${gtx1070Audio}`, {'01:00.0': gpu, '01:00.1': audio})

testCheck(check, {
  valid: [
    {name: 'seed 000: the RX 580 on vfio-pci (vfio-pci.ids on the command line)', files: {'cmdline.txt': seed000Cmdline, 'lspci-nnk.txt': rx580OnVfio, 'iommu-groups.txt': seed000Groups}, passes: [/^0000:01:00\.0 uses vfio-pci$/]},
    {name: "seed 003: options vfio-pci ids=10de:1b81 and the GTX 1070 on vfio-pci", files: {'modprobe-vfio.conf': 'options vfio-pci ids=10de:1b81\n', 'lspci-nnk.txt': gtx1070('vfio-pci', 'snd_hda_intel')}},
    {name: 'no GPU marked: the only candidate (seed 000 RX 580) is already on vfio-pci', files: {'lspci-nnk.txt': rx580OnVfio}},
    {name: 'sysfs: bound by driver_override', files: {'pci-sysfs.txt': pciSysfs(['0000:01:00.0 vendor=10de device=1b81 class=030000 driver=vfio-pci driver_override=vfio-pci iommu_group=1'])}},
  ],
  invalid: [
    {
      name: 'Latitude E6430 (corpus) with no GPU marked: the NVS 5200M is the candidate (the Intel iGPU is the host display), and nouveau drives it',
      files: {'lspci.txt': lspci.e6430},
      findings: [{id: 'gpu-driver-not-vfio', severity: 'info', subject: '0000:01:00.0', message: /^No GPU is marked for the guest\. If it is .*NVS 5200M\]: it is bound to nouveau, not vfio-pci/}],
    },
    {
      name: 'Latitude E6430 (corpus): --gpu on the NVS 5200M, which nouveau drives and nothing hands to vfio-pci',
      files: {'lspci.txt': lspci.e6430},
      gpu: '01:00.0',
      findings: [{id: 'gpu-driver-not-vfio', severity: 'error', subject: '0000:01:00.0', message: /bound to nouveau.*nothing hands it to vfio-pci/, fix: /"ids":"10de:0dfc,10de:0bea"/}],
    },
    {
      name: 'IdeaPad 320 (corpus): --gpu on the GeForce 940MX 3D controller, which nvidia drives',
      files: {'lspci.txt': lspci.ideapad320},
      gpu: '01:00.0',
      findings: [{id: 'gpu-driver-not-vfio', severity: 'error', subject: '0000:01:00.0', message: /GM108M \[GeForce 940MX\] is bound to nvidia/, fix: /"softdepDriver":"nvidia"/}],
    },
    {
      name: 'exherbo ThinkPad (corpus lspci -k): the GeForce 610M has no driver bound and nothing hands it to vfio-pci',
      files: {'lspci-k.txt': lspci.exherbo},
      gpu: '01:00.0',
      // Plain lspci -k shows no ids: the maker comes from the name, and NVIDIA's open driver is nouveau.
      findings: [{id: 'gpu-driver-not-vfio', severity: 'error', subject: '0000:01:00.0', message: /^GPU 0000:01:00\.0 NVIDIA Corporation GF117M \[GeForce 610M\/710M \/ GT 620M\/625M\/630M\/720M\] is bound to no driver, not vfio-pci, and nothing hands it to vfio-pci \(no vfio-pci\.ids entry or driver_override for it\)\.$/, evidence: /: no driver \(lspci -k\)$/, fix: /"driver":"its host driver","softdepDriver":"nouveau"/}],
    },
    {
      name: 'seed 000 module in the configuration, but the running command line has no vfio-pci.ids: not booted yet',
      files: {'configuration.nix': seed000Nix, 'cmdline.txt': 'intel_iommu=on loglevel=4\n', 'lspci-nnk.txt': lspciNnk(seed000Groups, {'01:00.0': 'amdgpu', '01:00.1': 'snd_hda_intel'}), 'os-release.txt': NIXOS_RELEASE},
      findings: [{id: 'gpu-driver-not-vfio', severity: 'error', subject: '0000:01:00.0', message: /not booted with that configuration/, evidence: /configuration\.nix line \d+: boot\.kernelParams "vfio-pci\.ids=1002:67df,1002:aaf0"\nkernel command line: intel_iommu=on loglevel=4$/}],
    },
    {
      name: 'sysfs: vfio-pci.ids names the card, yet nothing is bound (vfio-pci not loaded)',
      files: {'cmdline.txt': 'vfio-pci.ids=10de:1b81,10de:10f0\n', 'pci-sysfs.txt': pciSysfs(['0000:01:00.0 vendor=10de device=1b81 class=030000 iommu_group=1', '0000:01:00.1 vendor=10de device=10f0 class=040300 iommu_group=1'])},
      findings: [{id: 'gpu-driver-not-vfio', severity: 'error', subject: '0000:01:00.0', message: /^GPU 0000:01:00\.0 \[10de:1b81\] is handed to vfio-pci but bound to no driver: vfio-pci did not load \(it must be in the initrd\)\.$/, evidence: /^0000:01:00\.0 \[10de:1b81\]: no driver \(sysfs\)\n0000:01:00\.1 \[10de:10f0\]: no driver \(sysfs\)\nkernel command line: vfio-pci\.ids=10de:1b81,10de:10f0$/, fix: /"ids":"10de:1b81,10de:10f0","driver":"its host driver","softdepDriver":"nouveau"/}],
    },
    {
      name: 'sysfs: an RX 580 named in vfio-pci.ids, nothing bound: the softdep is for amdgpu',
      files: {'cmdline.txt': 'vfio-pci.ids=1002:67df,1002:aaf0\n', 'pci-sysfs.txt': pciSysfs(['0000:01:00.0 vendor=1002 device=67df class=030000 iommu_group=1', '0000:01:00.1 vendor=1002 device=aaf0 class=040300 iommu_group=1'])},
      findings: [{id: 'gpu-driver-not-vfio', severity: 'error', subject: '0000:01:00.0', fix: /"softdepDriver":"amdgpu"/}],
    },
    {
      name: "J4nsen (corpus): a managed hostdev passes the GTX 1070, which nouveau holds until the VM starts",
      files: {'iommu-groups.txt': listings.j4nsen, 'vm-cpu0-0.xml': domains.j4nsenGtx1070, 'lspci-nnk.txt': lspciNnk(listings.j4nsen, {'04:00.0': 'nouveau', '04:00.1': 'snd_hda_intel'})},
      findings: [{id: 'gpu-driver-not-vfio', severity: 'info', subject: '0000:04:00.0', message: /^GPU 0000:04:00\.0 \[10de:1b81\] NVIDIA Corporation GP104 \[GeForce GTX 1070\] is bound to nouveau until a VM starts: libvirt detaches it then \(managed='yes'\)/, fix: /"driver":"nouveau","softdepDriver":"nouveau"/}],
    },
  ],
  unknown: [
    {name: 'seed 000 listing alone: no drivers shown', files: {'iommu-groups.txt': seed000Groups, 'cmdline.txt': seed000Cmdline}, reason: /which driver 0000:01:00\.0 uses/},
    {name: 'no PCI evidence at all', files: {'cmdline.txt': seed000Cmdline}, reason: /no PCI device list/},
    {
      name: "no GPU marked, and the only display device is the host's Intel iGPU",
      files: {'lspci.txt': lspci.e6430.split(/\n(?=\S)/).filter((d) => !/^01:00/.test(d)).join('\n')},
      reason: /no GPU is marked/,
    },
    {
      name: 'ids in effect but amdgpu holds the card: the load order is the cause, vfio-load-order reports it',
      files: {'cmdline.txt': seed000Cmdline, 'lspci-nnk.txt': lspciNnk(seed000Groups, {'01:00.0': 'amdgpu', '01:00.1': 'snd_hda_intel'})},
      reason: /vfio-load-order/,
    },
  ],
}, {skip: !hasShared})

// qemu's own words when the device it was given is not on vfio-pci (in the repository, so these run without ../shared).
testCheck(check, {
  valid: [],
  invalid: [
    {
      name: 'devset 406 (macOS-Simple-KVM#12): "failed to open /dev/vfio/1: No such file or directory" alone',
      files: {'output.txt': devsetFile('406-macos-simple-kvm-igpu-dev-vfio-missing', 'output.txt')},
      findings: [{id: 'gpu-driver-not-vfio', severity: 'error', message: /^no device of the passed device's IOMMU group is bound to vfio-pci .*\(qemu message; the rest could not be checked/, evidence: /^output\.txt line 1: .*vfio 0000:00:02\.0: failed to open \/dev\/vfio\/1: No such file or directory$/, fix: /"address":"0000:00:02.0"/}],
    },
  ],
  unknown: [
    {
      name: 'the same open failing with "Device or resource busy": the group is in use, not unbound',
      files: {'qemu.log': 'qemu-system-x86_64: -device vfio-pci,host=0000:01:00.0,id=hostdev0,bus=pci.4,addr=0x0: vfio 0000:01:00.0: failed to open /dev/vfio/1: Device or resource busy\n'},
      reason: /no PCI device list/,
    },
  ],
})

/** `lspci -nnk` of a desktop: the host's Intel iGPU on i915, a GTX 1070 and its audio function with no driver bound (inline, no ../shared needed). */
const NNK = `00:02.0 VGA compatible controller [0300]: Intel Corporation CometLake-S GT2 [UHD Graphics 630] [8086:3e92]
\tSubsystem: ASUSTeK Computer Inc. Device [1043:8694]
\tKernel driver in use: i915
\tKernel modules: i915
01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1070] [10de:1b81] (rev a1)
\tSubsystem: Micro-Star International Co., Ltd. [MSI] GP104 [GeForce GTX 1070] [1462:3302]
\tKernel modules: nouveau
01:00.1 Audio device [0403]: NVIDIA Corporation GP104 High Definition Audio Controller [10de:10f0] (rev a1)
\tSubsystem: Micro-Star International Co., Ltd. [MSI] GP104 High Definition Audio Controller [1462:3302]
\tKernel modules: snd_hda_intel
`
const IDS_CMDLINE = 'BOOT_IMAGE=/vmlinuz root=/dev/sda1 intel_iommu=on vfio-pci.ids=10de:1b81,10de:10f0'
const GTX_EVIDENCE = '0000:01:00\\.0 \\[10de:1b81\\] NVIDIA Corporation GP104 \\[GeForce GTX 1070\\]: (no driver|driver nouveau) \\(lspci -k\\)\n0000:01:00\\.1 \\[10de:10f0\\] NVIDIA Corporation GP104 High Definition Audio Controller: no driver \\(lspci -k\\)'
testCheck(check, {
  valid: [
    {
      name: 'no GPU marked, the GTX 1070 on nouveau: information on the candidate, and the check still ran',
      files: {'lspci-nnk.txt': NNK.replace('\tKernel modules: nouveau', '\tKernel driver in use: nouveau\n\tKernel modules: nouveau')},
      infos: [{id: 'gpu-driver-not-vfio', subject: '0000:01:00.0', message: /^No GPU is marked for the guest\. If it is 0000:01:00\.0 \[10de:1b81\] NVIDIA Corporation GP104 \[GeForce GTX 1070\]: it is bound to nouveau, not vfio-pci, and nothing hands it to vfio-pci\.$/}],
    },
  ],
  invalid: [
    {
      name: 'vfio-pci.ids names the GTX 1070, nothing bound, no group listing: vfio-pci did not load, or the IOMMU is off',
      files: {'lspci-nnk.txt': NNK, 'cmdline.txt': IDS_CMDLINE},
      findings: [{
        id: 'gpu-driver-not-vfio',
        severity: 'error',
        subject: '0000:01:00.0',
        message: /^GPU 0000:01:00\.0 \[10de:1b81\] NVIDIA Corporation GP104 \[GeForce GTX 1070\] is handed to vfio-pci but bound to no driver: vfio-pci did not load \(it must be in the initrd\), or it refused the card because the IOMMU is off \(vfio-pci only takes devices in an IOMMU group; the evidence has no group listing to tell\)\.$/,
        // The binding's own place, not the whole command line: the running kernel has the ids.
        evidence: new RegExp(`^${GTX_EVIDENCE}\nkernel command line: vfio-pci\\.ids=10de:1b81,10de:10f0$`),
        fix: /^\{"address":"0000:01:00\.0","ids":"10de:1b81,10de:10f0","driver":"its host driver","softdepDriver":"nouveau"\}$/,
      }],
    },
    {
      name: 'the same, with the kernel log saying DMA remapping is on: only vfio-pci not loading is left',
      files: {'lspci-nnk.txt': NNK, 'cmdline.txt': IDS_CMDLINE, 'dmesg.txt': '[    0.469814] DMAR: Intel(R) Virtualization Technology for Directed I/O\n'},
      findings: [{id: 'gpu-driver-not-vfio', severity: 'error', subject: '0000:01:00.0', message: /^GPU 0000:01:00\.0 \[10de:1b81\] NVIDIA Corporation GP104 \[GeForce GTX 1070\] is handed to vfio-pci but bound to no driver: vfio-pci did not load \(it must be in the initrd\)\.$/}],
    },
    {
      name: "an Intel iGPU (GVT-d) named in vfio-pci.ids, nothing bound: the softdep is for i915",
      files: {'pci-sysfs.txt': '0000:00:02.0 vendor=8086 device=3e92 class=030000 iommu_group=0\n', 'cmdline.txt': 'BOOT_IMAGE=/vmlinuz root=/dev/sda1 intel_iommu=on vfio-pci.ids=8086:3e92'},
      findings: [{id: 'gpu-driver-not-vfio', severity: 'error', subject: '0000:00:02.0', evidence: /^0000:00:02\.0 \[8086:3e92\]: no driver \(sysfs\)\nkernel command line: /, fix: /"softdepDriver":"i915"/}],
    },
    {
      name: 'no GPU marked, the GTX 1070 on nouveau: each function of the candidate card quoted with its driver',
      files: {'lspci-nnk.txt': NNK.replace('\tKernel modules: nouveau', '\tKernel driver in use: nouveau\n\tKernel modules: nouveau')},
      findings: [{id: 'gpu-driver-not-vfio', severity: 'info', subject: '0000:01:00.0', evidence: new RegExp(`^${GTX_EVIDENCE}$`), fix: /^\{"address":"0000:01:00\.0","ids":"10de:1b81,10de:10f0","driver":"nouveau","softdepDriver":"nouveau"\}$/}],
    },
    {
      name: 'plain `lspci -k` (no ids), --gpu on an RX 580 with no driver: the maker from the name, so amdgpu',
      files: {'lspci-k.txt': '01:00.0 VGA compatible controller: Advanced Micro Devices, Inc. [AMD/ATI] Ellesmere [Radeon RX 470/480/570/570X/580/580X/590] (rev e7)\n\tSubsystem: Sapphire Technology Limited Nitro+ Radeon RX 580 4GB\n\tKernel modules: amdgpu\n'},
      gpu: '01:00.0',
      findings: [{id: 'gpu-driver-not-vfio', severity: 'error', subject: '0000:01:00.0', fix: /"softdepDriver":"amdgpu"/}],
    },
    {
      name: 'plain `lspci -k` (no ids), --gpu on an Intel iGPU with no driver: i915',
      files: {'lspci-k.txt': '00:02.0 VGA compatible controller: Intel Corporation CometLake-S GT2 [UHD Graphics 630]\n\tSubsystem: ASUSTeK Computer Inc. Device 8694\n\tKernel modules: i915\n'},
      gpu: '00:02.0',
      findings: [{id: 'gpu-driver-not-vfio', severity: 'error', subject: '0000:00:02.0', fix: /"softdepDriver":"i915"/}],
    },
  ],
})
