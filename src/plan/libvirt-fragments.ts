/**
 * libvirt XML for the plan, as fragments a person pastes (virsh edit) and as the pieces the domain
 * rewrite inserts. Written with two-space indentation and single quotes, as `virsh dumpxml` does.
 */
import {describe} from '../../checks/lib/gpu.js'
import type {DomainDecisions} from './domain-changes.js'
import type {Choices, Fragment} from './types.js'

/** 12 characters at most: KVM's Hyper-V vendor id field. */
const VENDOR_ID = 'randomid'

export function hostdevXml(address: string): string {
  const [domain, bus, slotFn] = address.split(':')
  const [slot, fn] = slotFn!.split('.')
  return [
    "<hostdev mode='subsystem' type='pci' managed='yes'>",
    '  <source>',
    `    <address domain='0x${domain}' bus='0x${bus}' slot='0x${slot}' function='0x${fn}'/>`,
    '  </source>',
    '</hostdev>',
  ].join('\n')
}

export const TPM_XML = "<tpm model='tpm-crb'>\n  <backend type='emulator' version='2.0'/>\n</tpm>"
export const VIDEO_NONE_XML = "<video>\n  <model type='none'/>\n</video>"
export const SPICE_XML = "<graphics type='spice' autoport='yes'>\n  <listen type='address'/>\n  <image compression='off'/>\n</graphics>"
export const HYPERVCLOCK_XML = "<timer name='hypervclock' present='yes'/>"
export const KVM_HIDDEN_XML = "<kvm>\n  <hidden state='on'/>\n</kvm>"
export const KVM_HIDDEN_CHILD_XML = "<hidden state='on'/>"
export const VENDOR_ID_XML = `<vendor_id state='on' value='${VENDOR_ID}'/>`
export const NVIDIA_NOTE_XML = '<!-- No <kvm><hidden/> or Hyper-V vendor_id: NVIDIA drivers since R465 (2021) run in a VM; add them only for an older guest driver (vfio-doctor plan with its nvidia-legacy flag) -->'

/** Hyper-V enlightenments Windows uses; synic needs vpindex, stimer needs synic and the Hyper-V clock. */
export function hypervXml(vendorId: boolean): string {
  return [
    "<hyperv mode='custom'>",
    "  <relaxed state='on'/>",
    "  <vapic state='on'/>",
    "  <spinlocks state='on' retries='8191'/>",
    "  <vpindex state='on'/>",
    "  <synic state='on'/>",
    "  <stimer state='on'/>",
    "  <reset state='on'/>",
    ...(vendorId ? [`  ${VENDOR_ID_XML}`] : []),
    "  <frequencies state='on'/>",
    '</hyperv>',
  ].join('\n')
}

export function topologyXml(t: {cores: number; threads: number}): string {
  return `<topology sockets='1' dies='1' cores='${t.cores}' threads='${t.threads}'/>`
}

export function cpuXml(t: {cores: number; threads: number} | undefined, keptChildren: string[] = []): string {
  const children = [...(t ? [topologyXml(t)] : []), ...keptChildren]
  if (children.length === 0) return "<cpu mode='host-passthrough' check='none'/>"
  return ["<cpu mode='host-passthrough' check='none'>", ...children.map((c) => indent(c, '  ')), '</cpu>'].join('\n')
}

export function shmemXml(name: string, sizeMiB: number): string {
  return `<shmem name='${name}'>\n  <model type='ivshmem-plain'/>\n  <size unit='M'>${sizeMiB}</size>\n</shmem>`
}

export function sizeXml(sizeMiB: number): string {
  return `<size unit='M'>${sizeMiB}</size>`
}

/** The fragments for the person, for the decisions (all of them without a domain). */
export function fragments(c: Choices, d: DomainDecisions): Fragment[] {
  const out: Fragment[] = []
  const add = (title: string, where: string, why: string, xml: string) => out.push({title, where, why, xml})
  const addresses = d.addHostdevs
  if (addresses.length > 0) {
    add('PCI host devices', '<devices>', `every function of the guest's IOMMU group but its bridges, managed='yes' so libvirt detaches them when the VM starts: ${addresses.map((a) => describe(c.passed.find((p) => p.address === a) ?? {address: a})).join('; ')}`, addresses.map(hostdevXml).join('\n'))
  }
  if (d.firmwareEfi) add('UEFI firmware (OVMF)', "<os>: the firmware attribute (keep its <type>)", 'GPU passthrough wants UEFI; Windows 11 requires it. libvirt picks the OVMF image itself', "<os firmware='efi'>\n  <type arch='x86_64' machine='q35'>hvm</type>\n</os>")
  if (d.tpm) add('TPM 2.0', '<devices>', `Windows 11 requires a TPM 2.0; libvirt runs swtpm for it`, TPM_XML)
  if (d.cpuPassthrough || d.topology) {
    add('CPU', 'replaces <cpu>', `the host CPU as it is${d.topology ? `, one socket of ${d.topology.cores} cores x ${d.topology.threads} threads (<vcpu>${d.vcpus}</vcpu>)` : ''}`, cpuXml(d.topology))
    if (d.vcpus !== undefined) add('vCPU count', 'replaces <vcpu>', 'cores x threads of the topology', `<vcpu placement='static'>${d.vcpus}</vcpu>`)
  }
  if (d.hyperv) {
    add('Hyper-V enlightenments', '<features>', 'Windows guests run faster and more smoothly with them', hypervXml(d.hideVendorId))
    add('Hyper-V clock', '<clock>', 'the synthetic timers (stimer) need the Hyper-V clock source', `<clock offset='localtime'>\n  ${HYPERVCLOCK_XML}\n</clock>`)
  }
  if (d.hideKvm || (d.hideVendorId && !d.hyperv)) add('Hide the hypervisor (NVIDIA drivers before R465)', '<features>', 'older NVIDIA drivers stop with Code 43 when they see a hypervisor', [d.hideKvm ? KVM_HIDDEN_XML : '', d.hideVendorId && !d.hyperv ? `<hyperv>\n  ${VENDOR_ID_XML}\n</hyperv>` : ''].filter(Boolean).join('\n'))
  if (d.nvidiaNote) add('NVIDIA: nothing to hide', '<features>', 'a comment saying why there is no <kvm><hidden/>', NVIDIA_NOTE_XML)
  if (d.lookingGlass) {
    add('Looking Glass shared memory', '<devices>', c.lookingGlass!.why, shmemXml(d.lookingGlass.name, d.lookingGlass.sizeMiB))
    if (d.videoNone) add('No emulated display', 'replaces <video>', 'the guest draws on the passed GPU; Looking Glass shows it', VIDEO_NONE_XML)
    if (d.addSpice) add('SPICE for input', '<devices>', 'the Looking Glass client sends keyboard and mouse over SPICE', SPICE_XML)
    if (d.removeTablets || d.general) add('No tablet', 'remove <input type=\'tablet\'>', 'with SPICE input the tablet puts clicks where it last was, not under the cursor', "<!-- remove: <input type='tablet' bus='usb'/> -->")
  }
  return out
}

export function indent(text: string, prefix: string): string {
  return text.split('\n').map((l) => (l ? prefix + l : l)).join('\n')
}
