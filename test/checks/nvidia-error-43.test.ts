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
const CODE_43 = 'Windows has stopped this device because it has reported problems. (Code 43)\n'

testCheck(check, {
  valid: [
    {name: 'hidden and vendor_id set (J4nsen vm-cpu0-0)', files: {'vm.xml': j4nsen, 'iommu.txt': listings.j4nsen}},
    {name: 'kvm hidden and no Hyper-V enlightenments (xkevinx45, plain lspci)', files: {'win10.xml': domains.xkevinWin10, 'lspci.txt': xkevinLspci}},
    {name: 'vendor id on the qemu command line (as sabinM1 does)', files: {'vm.xml': vendorOnCommandLine, 'iommu.txt': listings.j4nsen}},
    {name: 'a Linux guest needs no hiding', files: {'vm.xml': linuxGuest, 'iommu.txt': listings.j4nsen}, skipped: /^no domain passes an NVIDIA GPU to a Windows guest/},
    {name: 'an AMD GPU (alshdavid Navi 10)', files: {'gpu-test.xml': domains.alshdavidNavi, 'iommu.txt': listings.alshdavid}, skipped: /^no domain passes an NVIDIA GPU to a Windows guest/},
  ],
  invalid: [
    {
      name: 'Hyper-V enlightenments without a vendor_id',
      files: {'vm.xml': noVendorId, 'iommu.txt': listings.j4nsen},
      findings: [{id: 'nvidia-error-43', severity: 'warning', subject: 'vm-cpu0-0', message: /vendor_id.*older than R465/, evidence: /GeForce GTX 1070/}],
    },
    {
      name: 'KVM not hidden',
      files: {'vm.xml': notHidden, 'iommu.txt': listings.j4nsen},
      findings: [{id: 'nvidia-error-43', severity: 'warning', subject: 'vm-cpu0-0', message: /hidden/, fix: /"vendorId":"whatever"/}],
    },
    {
      name: 'Code 43 although hidden: the remaining causes',
      files: {'vm.xml': j4nsen, 'iommu.txt': listings.j4nsen, 'device-manager.txt': CODE_43},
      findings: [{id: 'nvidia-error-43', severity: 'error', subject: 'vm-cpu0-0', message: /no <rom file=> for 0000:04:00\.0.*Resizable BAR/}],
    },
    {
      name: 'Code 43 and not hidden',
      files: {'vm.xml': notHidden, 'iommu.txt': listings.j4nsen, 'device-manager.txt': CODE_43},
      findings: [{id: 'nvidia-error-43', severity: 'error', subject: 'vm-cpu0-0', message: /not hidden/}],
    },
  ],
  unknown: [
    {name: 'the domain without a device list', files: {'vm.xml': j4nsen}, reason: /PCI device list|pciDevices|lspci|sysfs/},
    {name: 'a device list without domains', files: {'iommu.txt': listings.j4nsen}},
  ],
}, {skip: !hasShared})
