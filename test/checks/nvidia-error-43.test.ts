import check from '../../checks/nvidia-error-43.js'
import {testCheck} from '../helpers/check-tester.js'
import {hasShared} from '../helpers/paths.js'
import {domains, edit, listings, xkevinLspci} from './libvirt-data.js'

const j4nsen = domains.j4nsenGtx1070 // GTX 1070 04:00.0/.1, <hyperv> with vendor_id, <kvm><hidden>
const noVendorId = edit(j4nsen, "<vendor_id state='on' value='whatever'/>\n", '')
const notHidden = edit(j4nsen, "<kvm>\n      <hidden state='on'/>\n    </kvm>\n", '')
/** The vendor id given the way sabinM1's domain does it: on the qemu command line. */
const vendorOnCommandLine = edit(
  edit(noVendorId, "<domain type='kvm'>", "<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>"),
  '</domain>',
  "  <qemu:commandline>\n    <qemu:arg value='-cpu'/>\n    <qemu:arg value='host,hv_time,kvm=off,hv_vendor_id=null,-hypervisor'/>\n  </qemu:commandline>\n</domain>",
)
const linuxGuest = edit(notHidden, '<memory', "<metadata>\n    <libosinfo:libosinfo xmlns:libosinfo='http://libosinfo.org/xmlns/libvirt/domain/1.0'>\n      <libosinfo:os id='http://debian.org/debian/12'/>\n    </libosinfo:libosinfo>\n  </metadata>\n  <memory")
/** The same domain on a q35 machine type (no <ioapic driver='kvm'/>), as virt-manager makes them now. */
const q35 = edit(j4nsen, "machine='pc-i440fx-2.7'", "machine='pc-q35-6.2'")
/** The listing with the GTX 1070 as its laptop variant (GP104M, 10de:1ba1). */
const mobileListing = () => listings.j4nsen.replace('GP104 [GeForce GTX 1070] [10de:1b81]', 'GP104M [GeForce GTX 1070 Mobile] [10de:1ba1]')
const CODE_43 = 'Windows has stopped this device because it has reported problems. (Code 43)\n'

testCheck(check, {
  valid: [
    {name: 'hidden and vendor_id set (J4nsen vm-cpu0-0)', files: {'vm.xml': j4nsen, 'iommu.txt': listings.j4nsen}, passes: [/^domain vm-cpu0-0 \(vm\.xml\) hides the hypervisor from the NVIDIA driver$/]},
    {name: 'kvm hidden and no Hyper-V enlightenments (xkevinx45, plain lspci)', files: {'win10.xml': domains.xkevinWin10, 'lspci.txt': xkevinLspci}},
    {name: 'vendor id on the qemu command line (as sabinM1 does)', files: {'vm.xml': vendorOnCommandLine, 'iommu.txt': listings.j4nsen}},
    {name: 'a Linux guest needs no hiding', files: {'vm.xml': linuxGuest, 'iommu.txt': listings.j4nsen}, skipped: /^no domain passes an NVIDIA GPU to a Windows guest/},
    {name: 'an AMD GPU (alshdavid Navi 10)', files: {'gpu-test.xml': domains.alshdavidNavi, 'iommu.txt': listings.alshdavid}, skipped: /^no domain passes an NVIDIA GPU to a Windows guest/},
  ],
  invalid: [
    {
      name: 'Hyper-V enlightenments without a vendor_id',
      files: {'vm.xml': noVendorId, 'iommu.txt': listings.j4nsen},
      findings: [{id: 'nvidia-error-43', severity: 'warning', subject: 'vm-cpu0-0', message: /^domain vm-cpu0-0 \(vm\.xml\) passes an NVIDIA GPU without <hyperv><vendor_id state='on' value='\.\.\.'\/>: NVIDIA guest drivers older than R465 stop with Code 43/, evidence: /GeForce GTX 1070/, fix: /"vendorId":"randomid"/}],
    },
    {
      name: 'KVM not hidden',
      files: {'vm.xml': notHidden, 'iommu.txt': listings.j4nsen},
      findings: [{id: 'nvidia-error-43', severity: 'warning', subject: 'vm-cpu0-0', message: /hidden/, fix: /"vendorId":"whatever"/}],
    },
    {
      name: 'Code 43 although hidden: the remaining causes',
      files: {'vm.xml': j4nsen, 'iommu.txt': listings.j4nsen, 'device-manager.txt': CODE_43},
      findings: [{
        id: 'nvidia-error-43',
        severity: 'error',
        subject: 'vm-cpu0-0',
        message: /^The guest reports Code 43 for the NVIDIA GPU of domain vm-cpu0-0 \(vm\.xml\)\. Likely causes here: no <rom file=> for 0000:04:00\.0: some cards need a clean dump of their vBIOS; Resizable BAR, if it is on in the host firmware \(turn it off there\)\.$/,
        evidence: /^<hostdev> source 0000:04:00\.0 \[10de:1b81\] NVIDIA Corporation GP104 \[GeForce GTX 1070\]\n<kvm><hidden state='on'\/>\n<hyperv><vendor_id state='on' value='whatever'\/>\ndevice-manager\.txt line 1: Windows has stopped this device/,
        fix: /"domain":"vm-cpu0-0","vendorId":"whatever","address":"0000:04:00\.0"/,
      }],
    },
    {
      name: "Code 43 on q35 with the card as the host's boot GPU: its altered ROM and the split irqchip",
      files: {'vm.xml': q35, 'iommu.txt': listings.j4nsen, 'pci-sysfs.txt': '0000:04:00.0 vendor=10de device=1b81 class=030000 driver=vfio-pci boot_vga=1 iommu_group=20\n', 'device-manager.txt': CODE_43},
      findings: [{id: 'nvidia-error-43', severity: 'error', subject: 'vm-cpu0-0', message: /Likely causes here: 0000:04:00\.0 is the host's boot GPU and has no <rom file=>: its ROM shadow was altered at boot, so pass a clean dump of its vBIOS; a q35 machine without <ioapic driver='kvm'\/> \(QEMU 4\.0\+ split irqchip\); Resizable BAR/}],
    },
    {
      name: 'Code 43 on a laptop GPU: it wants a battery',
      files: {'vm.xml': j4nsen, 'iommu.txt': mobileListing(), 'device-manager.txt': CODE_43},
      findings: [{id: 'nvidia-error-43', severity: 'error', subject: 'vm-cpu0-0', message: /Likely causes here: 0000:04:00\.0 is a laptop GPU: its driver wants a battery \(an ACPI battery table\) and often a vBIOS from the system firmware; no <rom file=> for 0000:04:00\.0/}],
    },
    {
      name: 'Code 43 with the vendor id on the qemu command line',
      files: {'vm.xml': vendorOnCommandLine, 'iommu.txt': listings.j4nsen, 'device-manager.txt': CODE_43},
      findings: [{id: 'nvidia-error-43', severity: 'error', subject: 'vm-cpu0-0', evidence: /<qemu:commandline> hv_vendor_id=null/, fix: /"vendorId":"null"/}],
    },
    {
      name: 'Code 43 and not hidden',
      files: {'vm.xml': notHidden, 'iommu.txt': listings.j4nsen, 'device-manager.txt': CODE_43},
      findings: [{id: 'nvidia-error-43', severity: 'error', subject: 'vm-cpu0-0', message: /Likely causes here: the hypervisor is not hidden \(<kvm><hidden state='on'\/>\), which drivers before R465 refuse; no <rom file=>/}],
    },
  ],
  unknown: [
    {name: 'the domain without a device list', files: {'vm.xml': j4nsen}, reason: /PCI device list|pciDevices|lspci|sysfs/},
    {name: 'a device list without domains', files: {'iommu.txt': listings.j4nsen}},
  ],
}, {skip: !hasShared})
