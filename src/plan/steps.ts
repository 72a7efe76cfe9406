/**
 * What only a person can do, in the order it has to happen: firmware settings (one trip into the
 * setup screen), a monitor cable, applying the configuration and rebooting, files qemu must reach,
 * the domain, the guest. Each step says how to see it worked, with `vfio-doctor check` where it can.
 */
import {cpuHasIgpu, igpuFirmwareSetting} from '../../checks/lib/display.js'
import {describe, deviceListComplete} from '../../checks/lib/gpu.js'
import {cpuVirtSetting, iommuFirmwareSetting} from '../../checks/lib/host.js'
import type {Finding} from '../engine/types.js'
import {bootVga} from '../facts/guest-gpus.js'
import {isDisplayDevice, slotOf} from '../facts/merge-pci.js'
import type {Facts} from '../facts/types.js'
import type {DomainDecisions} from './domain-changes.js'
import type {Choices, OtherDistros, Step} from './types.js'

export interface StepInput {
  facts: Facts
  findings: Finding[]
  choices: Choices
  domain?: {name: string; file: string; decisions: DomainDecisions}
  replacedNixLines: string[]
  other: OtherDistros
}

export function personSteps(input: StepInput): Step[] {
  return [...firmwareSteps(input), ...monitorStep(input), hostConfigStep(input), ...fileSteps(input), ...domainStep(input), ...guestStep(input), verifyStep()]
}

const errorsOf = (findings: Finding[], ...ids: string[]) => findings.filter((f) => ids.includes(f.id) && f.severity === 'error')

function firmwareSteps({facts, findings, choices: c}: StepInput): Step[] {
  const vendor = c.vendor?.vendor
  const steps: Step[] = []
  if (errorsOf(findings, 'cpu-virt-disabled').length > 0) {
    steps.push({kind: 'firmware-virtualization', title: `Firmware setup: turn on ${cpuVirtSetting(vendor)}`, why: 'KVM cannot run without the CPU\'s virtualization extensions, which the firmware has off', actions: [`Reboot into the firmware setup (Del / F2 at power-on) and enable ${cpuVirtSetting(vendor)}.`], verify: '`vfio-doctor check --only cpu-virt-disabled` reports nothing; /proc/cpuinfo lists vmx or svm'})
  }
  const iommuOff = errorsOf(findings, 'iommu-firmware-off', 'iommu-groups-empty')
  if (iommuOff.length > 0) {
    steps.push({kind: 'firmware-iommu', title: `Firmware setup: turn on ${iommuFirmwareSetting(vendor)}`, why: iommuOff[0]!.message, actions: [`In the firmware setup, enable ${iommuFirmwareSetting(vendor)}. It is often on another page than VT-x / SVM (seed 004 found it under a different menu).`], verify: '`vfio-doctor check --only iommu-enabled` reports nothing and `vfio-doctor groups` lists the IOMMU groups; then run `vfio-doctor plan` again: the device part needs the groups'})
  }
  const remapping = errorsOf(findings, 'interrupt-remapping-missing').filter(() => !c.staleParams.some((p) => p.text === 'intremap=off'))
  if (remapping.length > 0) {
    steps.push({kind: 'firmware-interrupt-remapping', title: 'Firmware setup: interrupt remapping', why: remapping[0]!.message, actions: [remapping[0]!.values?.firstStep ?? 'Enable interrupt remapping in the firmware setup (it comes with VT-d / AMD-Vi; some boards list it separately).'], verify: '`vfio-doctor check --only interrupt-remapping-missing` reports nothing'})
  }
  const display = hostDisplayStep(facts, c)
  if (display) steps.push(display)
  return steps
}

/**
 * After the plan the guest card belongs to vfio-pci: the host needs another display GPU, and the
 * firmware should boot on it (seed 000 froze at boot with its iGPU off and the RX 580 taken).
 */
function hostDisplayStep(facts: Facts, c: Choices): Step | undefined {
  if (!c.gpu) return undefined
  const devices = facts.pciDevices ?? []
  const passedSlots = new Set(c.passed.map((d) => slotOf(d.address)))
  const hostGpus = devices.filter((d) => isDisplayDevice(d) && !passedSlots.has(slotOf(d.address)))
  const setting = igpuFirmwareSetting(c.vendor?.vendor)
  const verify = '`vfio-doctor check --only host-display-lost` reports nothing, and `lspci -nn` lists the host\'s own GPU (Intel iGPUs sit at 00:02.0)'
  if (hostGpus.length === 0) {
    // A grep'd or partial listing cannot show that the host has no other GPU.
    if (!deviceListComplete(facts)) return undefined
    const igpu = cpuHasIgpu(facts.cpu)
    if (igpu === false) return {kind: 'firmware-igpu', title: 'The host needs a GPU of its own', why: `${describe(c.gpu)} is the only GPU and the ${facts.cpu!.model} has no integrated graphics: once vfio-pci takes the card the host has no display`, actions: ['Fit a second graphics card for the host, or run the host headless (over SSH).'], verify}
    return {
      kind: 'firmware-igpu',
      title: 'Firmware setup: turn on the integrated GPU and boot on it',
      why: `${describe(c.gpu)} is the only GPU on the PCI bus: once vfio-pci takes it at boot the host has no display and boot seems to freeze${igpu ? ` (the ${facts.cpu!.model} has integrated graphics)` : ' (if the CPU has integrated graphics, it is off in the firmware)'}`,
      actions: [`In the firmware setup set ${setting}.`],
      verify,
    }
  }
  const boot = bootVga(facts)
  if (boot && passedSlots.has(slotOf(boot.address))) {
    const host = hostGpus[0]!
    return {kind: 'firmware-igpu', title: `Firmware setup: boot on ${host.address}, not on the guest's card`, why: `the firmware boots on ${boot.address} (${boot.evidence}): boot messages go to the guest's screen and stop when vfio-pci takes the card`, actions: [`In the firmware setup set ${host.address === '0000:00:02.0' ? setting : `"Primary Display" / "Initiate Graphic Adapter" to the slot of ${host.address}`}.`], verify}
  }
  return undefined
}

function monitorStep({choices: c}: StepInput): Step[] {
  if (!c.gpu) return []
  return [{
    kind: 'monitor',
    title: "Connect a monitor to the host's own display output",
    why: `after the reboot vfio-pci owns ${c.gpu.address} and it shows nothing until the VM starts`,
    actions: ['Before rebooting, plug a monitor (or a second input of the same monitor) into the motherboard\'s video output (or the host\'s other card).', `Leave a cable (or a dummy plug) on ${c.gpu.address} for the guest.`],
    verify: 'after the reboot the host\'s desktop comes up on that output',
  }]
}

function hostConfigStep({facts, choices: c, replacedNixLines, other, findings}: StepInput): Step {
  const verify = `\`vfio-doctor check --only gpu-driver-not-vfio,companion-function-not-vfio,vfio-modules-missing,vfio-load-order,reboot-pending\` reports nothing; \`lspci -nnk${c.gpu ? ` -s ${slotOf(c.gpu.address)}` : ''}\` shows "Kernel driver in use: vfio-pci"`
  const relogin = errorsOf(findings, 'libvirt-access').length > 0 || (facts.user && c.user === facts.user.name && !facts.user.groups.includes(c.host.nixos ? 'libvirtd' : 'libvirt')) ? ' The reboot also puts you in the new groups.' : ''
  if (c.host.nixos) {
    return {
      kind: 'host-config',
      title: 'NixOS: add vfio.nix, rebuild, reboot',
      why: 'kernel parameters and the initrd only change at boot',
      actions: [
        'Copy vfio.nix next to /etc/nixos/configuration.nix and add ./vfio.nix to its imports.',
        ...(replacedNixLines.length ? ['Take out these lines of your configuration, which vfio.nix replaces:', ...replacedNixLines.map((l) => `  - ${l}`)] : []),
        ...c.staleParams.filter((p) => !replacedNixLines.some((l) => l.includes(p.text))).map((p) => `Remove ${p.text} (${p.why}).`),
        '`sudo nixos-rebuild boot`, then reboot.' + relogin,
      ],
      verify,
    }
  }
  const tools = other.initramfs.map((i) => `${i.tool}${other.initramfs.length > 1 ? ' (if the host uses it)' : ''}: ${i.summary}, then \`${i.command}\`${i.note ? ` (${i.note})` : ''}`)
  return {
    kind: 'host-config',
    title: 'Kernel parameters, /etc/modprobe.d/vfio.conf, initramfs, reboot',
    why: 'vfio-pci has to be in the initramfs with its options, ahead of the GPU driver; the parameters and the initramfs only change at boot',
    actions: [
      `${c.host.packages ? `\`${c.host.packages}\`` : 'Install libvirt, QEMU, OVMF (UEFI firmware) and swtpm (TPM emulator)'}, then \`sudo systemctl enable --now libvirtd\`${c.user ? ` and \`sudo usermod -aG libvirt,kvm ${c.user}\`` : ' and add yourself to the libvirt and kvm groups'}.`,
      ...otherVfioLines(facts),
      'Copy vfio.conf to /etc/modprobe.d/vfio.conf.' + (other.overrideScript ? ` Copy vfio-pci-override.sh to ${other.overrideScript.path} and \`sudo chmod +x\` it.` : ''),
      ...tools,
      ...other.bootloader.flatMap((b) => b.how.map((h) => `${b.loader}: ${h}`)),
      ...(other.tmpfiles ? ['Copy looking-glass.conf to /etc/tmpfiles.d/10-looking-glass.conf.'] : []),
      'Reboot.' + relogin,
    ],
    verify,
  }
}

/** vfio-pci lines in other modprobe.d files would add to or fight vfio.conf's. */
function otherVfioLines(facts: Facts): string[] {
  const lines = [
    ...(facts.modprobe?.options ?? []).filter((o) => /^vfio[-_]pci$/.test(o.module)).map((o) => `${o.origin} line ${o.line}: options ${o.module}`),
    ...(facts.modprobe?.softdeps ?? []).filter((s) => s.pre.some((p) => /^vfio[-_]pci$/.test(p))).map((s) => `${s.origin} line ${s.line}: softdep ${s.module}`),
  ]
  return lines.length ? [`Take out the vfio-pci lines of your other modprobe.d files (vfio.conf replaces them): ${lines.join('; ')}.`] : []
}

function fileSteps({findings, choices: c, domain}: StepInput): Step[] {
  const steps: Step[] = []
  for (const move of domain?.decisions.diskMoves ?? []) {
    steps.push({
      kind: 'move-file',
      title: `Move ${move.from.slice(move.from.lastIndexOf('/') + 1)} into libvirt's image folder`,
      why: `the qemu user cannot reach ${move.from}; every qemu user can reach /var/lib/libvirt/images, and the new domain XML points there`,
      actions: [`\`sudo mv '${move.from}' /var/lib/libvirt/images/\``, `\`sudo chmod 0644 '${move.to}'\` (an installer ISO only needs reading)`],
      verify: `\`namei -l '${move.to}'\` added to the evidence as permissions.txt: \`vfio-doctor check --only iso-permissions\` reports nothing`,
      move,
    })
  }
  const moved = new Set(domain?.decisions.diskMoves.map((m) => m.from))
  for (const f of errorsOf(findings, 'iso-permissions').filter((f) => f.values?.path && !moved.has(f.values.path) && f.values.blocker)) {
    steps.push({kind: 'file-access', title: `Let qemu reach ${f.values!.path}`, why: f.message, actions: [`\`sudo setfacl -m u:${f.values!.qemuUser ?? 'QEMU_USER'}:${f.values!.need ?? 'x'} '${f.values!.blocker}'\``], verify: '`vfio-doctor check --only iso-permissions` reports nothing'})
  }
  const shm = errorsOf(findings, 'looking-glass-shm')
  if (c.lookingGlass && (shm.length > 0 || domain?.decisions.lookingGlass?.sizeWrong)) {
    steps.push({
      kind: 'reset-shm',
      title: `Start from a fresh ${c.lookingGlass.path}`,
      why: shm[0]?.message ?? `the domain's Looking Glass memory changes size, and QEMU refuses a ${c.lookingGlass.path} of the old size`,
      actions: [`The reboot empties /dev/shm and the tmpfiles rule makes ${c.lookingGlass.path} again for you and qemu. Without a reboot: \`sudo rm ${c.lookingGlass.path}\` while the VM is off, then \`sudo systemd-tmpfiles --create\`.`],
      verify: `\`ls -l ${c.lookingGlass.path}\` shows ${c.user ?? 'you'} ${c.qemuGroup} -rw-rw----; \`vfio-doctor check --only looking-glass-shm\` reports nothing`,
    })
  }
  return steps
}

function domainStep({domain, choices: c}: StepInput): Step[] {
  if (!domain) {
    return [{kind: 'define-domain', title: 'Put the libvirt fragments into the VM', why: 'the VM needs the card, OVMF, the CPU topology and the rest shown above', actions: ['Shut the VM down, then `virsh -c qemu:///system edit VM` (or virt-manager\'s XML tab) and add the fragments; or run `vfio-doctor plan --vm VM` for the whole rewritten XML.'], verify: '`vfio-doctor check` reports nothing under "libvirt and the VM definition"'}]
  }
  const uefi = !domain.decisions.firmwareEfi ? '' : domain.decisions.windows
    ? ' If Windows is already installed with SeaBIOS, it will not boot with OVMF: convert its disk to GPT first (mbr2gpt /convert /allowFullOS in the guest) or reinstall.'
    : ' If the guest is already installed with SeaBIOS, it will not boot with OVMF until it has an EFI system partition and a UEFI boot loader (or is reinstalled).'
  return [{
    kind: 'define-domain',
    title: `Define ${domain.name} from the rewritten XML`,
    why: domain.decisions.changes.map((ch) => ch.what).join('; ') || 'nothing to change',
    actions: [`Shut ${domain.name} down, then \`virsh -c qemu:///system define ${domain.file}\` (or apply ${domain.file.replace(/\.xml$/, '')}.diff to the XML with \`patch\`).${uefi}`],
    verify: `\`virsh -c qemu:///system dumpxml ${domain.name} > domain-${domain.name}.xml\`, then \`vfio-doctor check --input .\` on a folder with it: nothing under "libvirt and the VM definition"${c.lookingGlass ? ' or "Looking Glass"' : ''}`,
  }]
}

function guestStep({choices: c}: StepInput): Step[] {
  if (!c.gpu) return []
  return [{
    kind: 'guest',
    title: 'In the guest: the GPU driver' + (c.lookingGlass ? ', the IVSHMEM driver and Looking Glass host' : ''),
    why: 'the guest sees the real card and needs its vendor\'s driver' + (c.lookingGlass ? '; Looking Glass needs its host application, the same version as your client' : ''),
    actions: [
      `Start the VM with a monitor on ${c.gpu.address} and install the ${c.gpu.vendorId === '10de' ? 'NVIDIA' : c.gpu.vendorId === '1002' ? 'AMD' : 'GPU vendor\'s'} driver.`,
      ...(c.lookingGlass ? ['Install the Red Hat IVSHMEM driver for "PCI standard RAM Controller", and the Looking Glass host application of the same version as looking-glass-client.'] : []),
    ],
    verify: c.lookingGlass ? '`looking-glass-client` shows the guest' : 'the guest\'s desktop shows on the monitor on the passed card',
  }]
}

function verifyStep(): Step {
  return {kind: 'verify', title: 'Check the whole host', why: 'every part above in place', actions: ['`sudo vfio-doctor check`'], verify: 'no errors'}
}
