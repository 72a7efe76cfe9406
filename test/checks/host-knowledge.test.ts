/**
 * The host / kernel / IOMMU knowledge pages against their checks: each page has the layout, every
 * placeholder it uses is filled by a real finding of its check, its Nix (filled) parses with
 * nix-instantiate and its libvirt XML (filled) validates against libvirt's RelaxNG schema.
 */
import {testKnowledgePages, type Representative} from '../helpers/knowledge-tester.js'
import {hasShared} from '../helpers/paths.js'
import {corpus, CPUINFO, DMESG, NAVI10_GROUPS, seed000, seed001Module, seed003Config, seed003Dmesg} from './host-data.js'

const EMPTY = 'IOMMU Group .:\n'
const s000 = seed000()

/** One evidence folder per knowledge id that makes its check report it. */
const REPRESENTATIVE: Record<string, Representative> = {
  'iommu-groups-empty': {check: 'iommu-enabled', files: {'iommu-groups.txt': EMPTY}},
  'iommu-firmware-off': {check: 'iommu-enabled', files: {'dmesg.txt': s000.dmesgVtdOff, 'iommu-groups.txt': s000.emptyListing, 'cpuinfo.txt': corpus(CPUINFO.intel)}},
  'iommu-kernel-off': {check: 'iommu-enabled', files: {'cmdline.txt': 'root=/dev/sda2 amd_iommu=off', 'iommu-groups.txt': EMPTY, 'cpuinfo.txt': corpus(CPUINFO.amd)}},
  'cpu-virt-disabled': {check: 'cpu-virtualization', files: {'cpuinfo.txt': corpus(CPUINFO.noVmx)}},
  'host-is-virtual': {check: 'host-virtual', files: {'dmesg.txt': corpus(DMESG.kvmGuest)}},
  'reboot-pending': {check: 'reboot-pending', files: {'cmdline.txt': 'root=/dev/sda1 loglevel=4', 'current-system-kernel-params.txt': 'intel_iommu=on iommu=pt loglevel=4\n'}},
  'iommu-param-wrong': {check: 'iommu-param', files: {'configuration.nix': seed001Module(), 'cpuinfo.txt': corpus(CPUINFO.intel)}},
  'interrupt-remapping-missing': {
    check: 'interrupt-remapping',
    files: {'dmesg.txt': '[  352.6] vfio_iommu_type1_attach_group: No interrupt remapping support.  Use the module param "allow_unsafe_interrupts" to enable VFIO IOMMU support on this platform'},
  },
  'kernel-module-obsolete': {check: 'kernel-modules', files: {'configuration.nix': seed003Config(), 'uname.txt': '6.12.18'}},
  'vfio-modules-missing': {check: 'vfio-modules', files: {'configuration.nix': '{ boot.extraModprobeConfig = "options vfio-pci ids=10de:1b81"; }'}},
  'kvm-msr-crash': {check: 'kvm-msrs', files: {'dmesg.txt': '[ 6044.472516] kvm [3412]: vcpu0, guest rIP: 0xfffff8019c8d6103 unhandled rdmsr: 0x611'}},
  'pcie-aspm-errors': {check: 'pcie-errors', files: {'dmesg.txt': corpus(DMESG.l490)}},
  'gpu-reset-bug': {check: 'gpu-reset', files: {'dmesg.txt': corpus(DMESG.navi10), 'iommu-groups.txt': corpus(NAVI10_GROUPS)}},
  'pci-header-127': {check: 'gpu-reset', files: {'virsh-start.txt': "error: internal error: Unknown PCI header type '127' for device '0000:0d:00.3'\n", 'iommu-groups.txt': corpus(NAVI10_GROUPS)}},
  'rmrr-conflict': {
    check: 'iommu-mapping',
    files: {'dmesg.txt': '[  116.814073] vfio-pci 0000:0b:00.0: Device is ineligible for IOMMU domain attach due to platform RMRR requirement.  Contact your platform vendor.'},
  },
  'dma-mapping-failed': {check: 'iommu-mapping', files: {'qemu-win10.log': 'qemu: hardware error: vfio: DMA mapping failed, unable to continue\n', 'dmesg.txt': seed003Dmesg()}},
}

testKnowledgePages('host, kernel and IOMMU knowledge pages', REPRESENTATIVE, {skip: !hasShared})
