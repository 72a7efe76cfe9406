// Generates a synthetic evidence folder of a given size, for the benchmark: N IOMMU groups (a GPU
// with its audio function, NVMe drives, bridges), a kernel log of M MB made of real-shaped lines
// (the DMAR/vfio/AER/MSR lines the parser looks for among ordinary noise), and D libvirt domains.
// Nothing generated here is committed.
import {mkdirSync, writeFileSync, createWriteStream} from 'node:fs'
import {join} from 'node:path'
import {once} from 'node:events'

const hex = (n, w) => n.toString(16).padStart(w, '0')

function address(i) {
  const bus = Math.floor(i / 8) % 256
  const domain = Math.floor(i / 2048)
  return `${hex(domain, 4)}:${hex(bus, 2)}:${hex(i % 8 === 0 ? 0 : (i % 8) * 2, 2)}.0`
}

export async function generateHost(dir, {groups = 10, logMB = 1, domains = 1} = {}) {
  mkdirSync(dir, {recursive: true})
  const sysfs = ['# vfio-doctor pci-sysfs v1']
  const listing = []
  sysfs.push('0000:00:02.0 vendor=8086 device=3e92 class=030000 driver=i915 boot_vga=1 iommu_group=0')
  sysfs.push('0000:01:00.0 vendor=10de device=2206 class=030000 driver=vfio-pci boot_vga=0 iommu_group=1')
  sysfs.push('0000:01:00.1 vendor=10de device=1aef class=040300 driver=vfio-pci iommu_group=1')
  listing.push('IOMMU Group 0 00:02.0 VGA compatible controller [0300]: Intel Corporation CoffeeLake-S GT2 [UHD Graphics 630] [8086:3e92]')
  listing.push('IOMMU Group 1 01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GA102 [GeForce RTX 3080] [10de:2206] (rev a1)')
  listing.push('IOMMU Group 1 01:00.1 Audio device [0403]: NVIDIA Corporation GA102 High Definition Audio Controller [10de:1aef] (rev a1)')
  for (let g = 2; g < groups; g++) {
    const a = address(g * 8 + 16)
    const bridge = g % 3 === 0
    sysfs.push(`${a} vendor=${bridge ? '8086' : '144d'} device=${bridge ? '1901' : 'a80a'} class=${bridge ? '060400' : '010802'} driver=${bridge ? 'pcieport' : 'nvme'} iommu_group=${g}`)
    listing.push(`IOMMU Group ${g} ${a.slice(5)} ${bridge ? 'PCI bridge [0604]: Intel Corporation 6th-10th Gen Core Processor PCIe Controller (x16) [8086:1901]' : 'Non-Volatile memory controller [0108]: Samsung Electronics Co Ltd NVMe SSD Controller PM9A1/PM9A3/980PRO [144d:a80a]'}`)
  }
  writeFileSync(join(dir, 'pci-sysfs.txt'), sysfs.join('\n') + '\n')
  writeFileSync(join(dir, 'iommu-groups.txt'), listing.join('\n') + '\n')
  writeFileSync(join(dir, 'cmdline.txt'), 'BOOT_IMAGE=/vmlinuz root=/dev/nvme0n1p2 intel_iommu=on iommu=pt vfio-pci.ids=10de:2206,10de:1aef\n')
  writeFileSync(join(dir, 'cpuinfo.txt'), 'processor : 0\nvendor_id : GenuineIntel\nmodel name : Intel(R) Core(TM) i9-9900K CPU @ 3.60GHz\nsiblings : 16\ncpu cores : 8\nflags : fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov vmx sse2\n')
  writeFileSync(join(dir, 'uname.txt'), '6.12.18\n')
  writeFileSync(join(dir, 'os-release'), 'ID=nixos\nPRETTY_NAME="NixOS 25.05 (Warbler)"\n')
  await writeKernelLog(join(dir, 'dmesg.txt'), logMB)
  for (let d = 0; d < domains; d++) writeFileSync(join(dir, `domain-vm${d}.xml`), domainXml(d))
  return dir
}

const BOOT = [
  'Linux version 6.12.18 (nixbld@localhost) (gcc (GCC) 13.3.0, GNU ld (GNU Binutils) 2.43.1) #1-NixOS SMP PREEMPT_DYNAMIC',
  'Command line: BOOT_IMAGE=/vmlinuz intel_iommu=on iommu=pt vfio-pci.ids=10de:2206,10de:1aef',
  'ACPI: DMAR 0x000000008C5F8000 0000A8 (v01 INTEL  EDK2     00000002      01000013)',
  'DMAR: IOMMU enabled',
  'DMAR: Host address width 39',
  'DMAR: DRHD base: 0x000000fed90000 flags: 0x1',
  'DMAR: dmar0: reg_base_addr fed90000 ver 1:0 cap 1c0000c40660462 ecap 19e2ff0505e',
  'DMAR-IR: Enabled IRQ remapping in x2apic mode',
  'DMAR: Intel(R) Virtualization Technology for Directed I/O',
  'iommu: Default domain type: Passthrough (set via kernel command line)',
  'pci 0000:01:00.0: Adding to iommu group 1',
  'VFIO - User Level meta-driver version: 0.3',
  'vfio_pci: add [10de:2206[ffffffff:ffffffff]] class 0x000000/00000000',
]
const NOISE = [
  'usb 1-4: new high-speed USB device number 3 using xhci_hcd',
  'EXT4-fs (nvme0n1p2): mounted filesystem with ordered data mode. Quota mode: none.',
  'audit: type=1400 audit(1700000000.123:42): apparmor="STATUS" operation="profile_load" name="libvirtd"',
  'wlp3s0: associated',
  'IPv6: ADDRCONF(NETDEV_CHANGE): wlp3s0: link becomes ready',
  'kvm: kvm [2412]: ignored rdmsr: 0x64e data 0x0',
  'pcieport 0000:00:1c.0: AER: Corrected error received: 0000:00:1c.0',
  'vfio-pci 0000:01:00.0: enabling device (0000 -> 0003)',
]

async function writeKernelLog(path, megabytes) {
  const out = createWriteStream(path)
  let written = 0
  let t = 0
  const line = (text) => `[${(t += 0.000731).toFixed(6).padStart(12)}] ${text}\n`
  for (const text of BOOT) written += write(out, line(text))
  const target = megabytes * 1024 * 1024
  let i = 0
  while (written < target) {
    const chunk = []
    for (let k = 0; k < 1000; k++) chunk.push(line(NOISE[i++ % NOISE.length]))
    const text = chunk.join('')
    written += text.length
    if (!out.write(text)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
}

function write(out, text) {
  out.write(text)
  return text.length
}

function domainXml(n) {
  return `<domain type='kvm'>
  <name>vm${n}</name>
  <uuid>00000000-0000-4000-8000-${hex(n, 12)}</uuid>
  <memory unit='GiB'>16</memory>
  <vcpu placement='static'>8</vcpu>
  <os firmware='efi'><type arch='x86_64' machine='pc-q35-8.2'>hvm</type></os>
  <features><acpi/><apic/><hyperv mode='custom'><relaxed state='on'/><vapic state='on'/><spinlocks state='on' retries='8191'/></hyperv></features>
  <cpu mode='host-passthrough' check='none'><topology sockets='1' dies='1' cores='4' threads='2'/></cpu>
  <devices>
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/var/lib/libvirt/images/vm${n}.qcow2'/><target dev='vda' bus='virtio'/></disk>
    <hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/></source></hostdev>
    <hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' bus='0x01' slot='0x00' function='0x1'/></source></hostdev>
    <tpm model='tpm-crb'><backend type='emulator' version='2.0'/></tpm>
    <video><model type='none'/></video>
  </devices>
</domain>
`
}

// `node scripts/gen-host.mjs DIR --groups 100 --log-mb 10 --domains 10`
if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir, ...rest] = process.argv.slice(2)
  const opt = (name, def) => {
    const i = rest.indexOf(name)
    return i >= 0 ? Number(rest[i + 1]) : def
  }
  if (!dir) {
    console.error('usage: node scripts/gen-host.mjs DIR [--groups N] [--log-mb M] [--domains D]')
    process.exit(2)
  }
  await generateHost(dir, {groups: opt('--groups', 10), logMB: opt('--log-mb', 1), domains: opt('--domains', 1)})
}
