/**
 * The plan's decisions on hosts the seeds do not cover: real IOMMU listings and domains from the
 * corpus (an AMD Matisse host with a Navi 10, a four-GPU server), identical GPUs, the distribution
 * families and their initramfs tools, NixOS releases, Looking Glass sizes, old NVIDIA drivers.
 */
import {mkdtempSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {diagnose} from '../../src/engine/pipeline.js'
import {parseDomainXml} from '../../src/parse/domain-xml.js'
import {buildPlan} from '../../src/plan/build.js'
import type {PlanOptions} from '../../src/plan/types.js'
import {readEvidenceFolder} from '../../src/sources/evidence.js'
import {applyPlan, type FirmwareResult} from '../helpers/apply-plan.js'
import {corpusDir, fixturesDir, hasShared, readShared} from '../helpers/paths.js'
import {expectNixParses, expectPatchApplies, expectValidDomain} from '../helpers/tools.js'

const corpus = (folder: string, name: string) => readShared(join(corpusDir, folder, name))
const fixture = (host: string, name: string) => readFileSync(join(fixturesDir, host, name), 'utf8')

function evidence(files: Record<string, string>): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'vfio-doctor-host-')), 'evidence')
  mkdirSync(dir)
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return dir
}

async function plan(files: Record<string, string>, options: PlanOptions = {}) {
  const dir = evidence(files)
  return {dir, plan: buildPlan(await readEvidenceFolder(dir), options)}
}

async function errorsAfter(dir: string, p: Awaited<ReturnType<typeof plan>>['plan'], firmware?: FirmwareResult): Promise<string[]> {
  const applied = applyPlan(dir, p, firmware)
  const {report} = diagnose(await readEvidenceFolder(applied))
  return report.findings.filter((f) => f.severity === 'error').map((f) => `${f.id}: ${f.message}`)
}

const NAVI_HOST = {
  'iommu-groups.txt': corpus('iommu-groups', 'alshdavid-labs__vfio-log__iommu-groups.txt'),
  'domain-gpu-test.xml': corpus('libvirt-domains-real', 'alshdavid-labs__vfio-log__vm-configs_gpu-test.xml'),
}

describe.skipIf(!hasShared)('a real AMD host (Matisse, Radeon RX 5700 in groups 25 and 26) and its real domain', () => {
  it('passes both functions of the card, knows the CPU by its host bridge, and leaves the AMD IOMMU alone', async () => {
    const {plan: p} = await plan(NAVI_HOST, {vm: 'gpu-test'})
    expect(p.choices.gpu?.address).toBe('0000:0b:00.0')
    expect(p.choices.passed.map((d) => d.address)).toEqual(['0000:0b:00.0', '0000:0b:00.1'])
    expect(p.choices.vendor).toMatchObject({vendor: 'amd', evidence: 'host bridge 00:01.0 [1022:1482]'})
    expect(p.choices.kernelParams.map((k) => k.text)).toEqual(['iommu=pt', 'vfio-pci.ids=1002:731f,1002:ab38'])
    expect(p.otherDistros.modprobeConf).toContain('options vfio-pci ids=1002:731f,1002:ab38\n')
    expect(p.otherDistros.modprobeConf).toMatch(/softdep amdgpu pre: vfio-pci\nsoftdep radeon pre: vfio-pci\nsoftdep snd_hda_intel pre: vfio-pci/)
    // No os-release: every initramfs tool and boot loader, each named.
    expect(p.otherDistros.initramfs.map((i) => i.tool)).toEqual(['mkinitcpio', 'dracut', 'initramfs-tools'])
  })

  it('rewrites the Debian guest: OVMF, host-passthrough without the qemu64 model, no Hyper-V or TPM for Linux', async () => {
    const {plan: p} = await plan(NAVI_HOST, {vm: 'gpu-test'})
    const d = p.domain!
    expect(d.changes.map((c) => c.what)).toEqual(["<os firmware='efi'>: boot OVMF (UEFI)", "<cpu mode='host-passthrough'>"])
    const removed = d.diff.split('\n').filter((l) => /^-[^-]/.test(l))
    expect(removed).toEqual(['-  <os>', '-  <cpu mode="custom" match="exact" check="partial">', '-    <model fallback="allow">qemu64</model>'])
    const model = parseDomainXml(d.rewritten, d.file)
    expect(model.cpu).toEqual({mode: 'host-passthrough', topology: {sockets: 1, dies: 1, cores: 4, threads: 2}})
    expectValidDomain(d.rewritten, 'navi')
    expectPatchApplies(d.original, d.diff, d.rewritten, 'navi')
  })

  it('says the host needs a display of its own, and leaves check without errors once applied', async () => {
    const {dir, plan: p} = await plan(NAVI_HOST, {vm: 'gpu-test'})
    // The only GPU on the bus, and no cpuinfo to say whether the Ryzen has graphics: the step hedges.
    expect(p.steps[0]).toMatchObject({kind: 'firmware-igpu', title: 'Firmware setup: turn on the integrated GPU and boot on it'})
    expect(p.steps[0]!.why).toContain('(if the CPU has integrated graphics, it is off in the firmware)')
    // A Matisse Ryzen has none: the firmware step changes nothing, and check says so as a warning.
    const applied = applyPlan(dir, p, {steps: ['firmware-igpu'], files: {}})
    const {report} = diagnose(await readEvidenceFolder(applied))
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([])
    expect(report.findings.map((f) => `${f.severity} ${f.id}`)).toContain('warning host-display-lost')
  })
})

describe.skipIf(!hasShared)('a real four-GPU server (GTX 1070, GTX 770, GTX 970 and the BMC)', () => {
  const files = {'iommu-groups.txt': corpus('iommu-groups', 'J4nsen__4gamers1pc__iommu_groups.txt')}
  it('asks which GPU rather than guess', async () => {
    await expect(plan(files)).rejects.toThrow(/more than one GPU could go to the guest \(0000:04:00\.0, 0000:05:00\.0, 0000:0a:00\.0, 0000:82:00\.0\): choose with --gpu ADDR/)
  })
  it('takes the one named with --gpu, and tells a missing address apart', async () => {
    const {plan: p} = await plan(files, {gpu: '82:00.0'})
    expect(p.choices.kernelParams.find((k) => k.text.startsWith('vfio-pci.ids'))?.text).toBe('vfio-pci.ids=10de:13c2,10de:0fbb')
    await expect(plan(files, {gpu: '0f:00.0'})).rejects.toThrow('--gpu 0f:00.0: the evidence lists no device at 0000:0f:00.0')
    await expect(plan(files, {gpu: '09:00.0'})).rejects.toThrow('--gpu 09:00.0: 0000:09:00.0 is a PCI bridge, not a graphics card')
  })
})

/** Two identical RX 580s: the host draws on 02:00 (boot VGA, amdgpu), the guest gets 01:00. Lines as seed 000's card. */
const TWINS = {
  'os-release.txt': 'ID=nixos\nVERSION_ID="25.05"\nPRETTY_NAME="NixOS 25.05 (Warbler)"\n',
  'cpuinfo.txt': corpus('cpuinfo', 'MrArtemSid__coreboot_p61-s3-b3__logs_cpuinfo.log'),
  'uname.txt': '6.12.18\n',
  'cmdline.txt': 'initrd=\\EFI\\nixos\\initrd.efi init=/nix/store/x-nixos-system/init intel_iommu=on loglevel=4\n',
  'pci-sysfs.txt': [
    '# vfio-doctor pci-sysfs v1',
    '0000:00:00.0 vendor=8086 device=0158 class=060000 iommu_group=0',
    '0000:00:01.0 vendor=8086 device=0151 class=060400 driver=pcieport iommu_group=1',
    '0000:00:01.1 vendor=8086 device=0155 class=060400 driver=pcieport iommu_group=1',
    '0000:00:14.0 vendor=8086 device=1e31 class=0c0330 driver=xhci_hcd iommu_group=2',
    '0000:00:1f.2 vendor=8086 device=1e02 class=010601 driver=ahci iommu_group=3',
    '0000:01:00.0 vendor=1002 device=67df class=030000 driver=amdgpu boot_vga=0 iommu_group=4',
    '0000:01:00.1 vendor=1002 device=aaf0 class=040300 driver=snd_hda_intel iommu_group=4',
    '0000:02:00.0 vendor=1002 device=67df class=030000 driver=amdgpu boot_vga=1 iommu_group=5',
    '0000:02:00.1 vendor=1002 device=aaf0 class=040300 driver=snd_hda_intel iommu_group=5',
  ].join('\n') + '\n',
}

describe.skipIf(!hasShared)('two identical GPUs', () => {
  it('binds the guest card by address (driver_override), never by the ids both cards share', async () => {
    const {dir, plan: p} = await plan({...TWINS, 'configuration.nix': '{ ... }:\n{\n  boot.initrd.kernelModules = [ "amdgpu" ];\n}\n'}, {gpu: '01:00.0', user: 'alice'})
    // amdgpu in stage 1 would take both cards before the driver_override commands run.
    expect(p.steps.find((s) => s.kind === 'host-config')!.actions).toContain('  - configuration.nix line 3: "amdgpu" (boot.initrd.kernelModules: loads before the driver_override commands)')
    expect(p.choices.binding).toMatchObject({kind: 'address', addresses: ['0000:01:00.0', '0000:01:00.1']})
    expect(p.choices.kernelParams.map((k) => k.text)).toEqual(['intel_iommu=on', 'iommu=pt'])
    expect(p.nixosModule).toContain('boot.initrd.availableKernelModules = [ "vfio_pci" "vfio" "vfio_iommu_type1" ];')
    expect(p.nixosModule).toContain('for dev in 0000:01:00.0 0000:01:00.1; do')
    expect(p.nixosModule).not.toContain('"vfio-pci.ids=')
    expect(p.otherDistros.modprobeConf).toContain('install vfio-pci /usr/local/bin/vfio-pci-override.sh; /sbin/modprobe --ignore-install vfio-pci')
    expect(p.otherDistros.overrideScript?.content).toContain('echo vfio-pci > /sys/bus/pci/devices/$dev/driver_override')
    expectNixParses(p.nixosModule, 'twins')
    expect(await errorsAfter(dir, p)).toEqual([])
  })
})

describe('the boot display', () => {
  it('when the firmware boots on the guest card and the host has an iGPU: boot on the iGPU', async () => {
    const sysfs = fixture('seed-004-working', 'pci-sysfs.txt').replace('boot_vga=1', 'boot_vga=0').replace(/(0000:01:00\.0 .*)boot_vga=0/, '$1boot_vga=1')
    const {plan: p} = await plan({'pci-sysfs.txt': sysfs, 'cpuinfo.txt': fixture('seed-004-working', 'cpuinfo.txt')})
    expect(p.steps[0]).toMatchObject({kind: 'firmware-igpu', title: "Firmware setup: boot on 0000:00:02.0, not on the guest's card"})
    expect(p.steps[0]!.actions[0]).toContain('"Primary Display" / "Init Display First" / "Initiate Graphic Adapter" = IGFX (iGPU)')
  })
})

describe.skipIf(!hasShared)('distribution families', () => {
  const host = (osRelease: string, cmdline = 'BOOT_IMAGE=/vmlinuz-6.8.0 root=UUID=1 ro quiet splash') => ({...NAVI_HOST, 'os-release.txt': osRelease, 'cmdline.txt': cmdline})
  it.each([
    ['ID=arch\n', 'mkinitcpio', 'grub', 'sudo grub-mkconfig -o /boot/grub/grub.cfg'],
    ['ID=ubuntu\nID_LIKE=debian\n', 'initramfs-tools', 'grub', 'sudo update-grub'],
    ['ID=linuxmint\nID_LIKE="ubuntu debian"\n', 'initramfs-tools', 'grub', 'sudo update-grub'],
    ['ID=fedora\n', 'dracut', 'grub', 'sudo grubby --update-kernel=ALL --args="iommu=pt vfio-pci.ids=1002:731f,1002:ab38"'],
    ['ID="opensuse-tumbleweed"\nID_LIKE="opensuse suse"\n', 'dracut', 'grub', 'sudo grub2-mkconfig -o /boot/grub2/grub.cfg'],
    ['ID=endeavouros\nID_LIKE=arch\n', 'mkinitcpio', 'grub', 'sudo grub-mkconfig -o /boot/grub/grub.cfg'],
  ])('%j: %s, %s', async (osRelease, tool, loader, update) => {
    const {plan: p} = await plan(host(osRelease))
    expect(p.otherDistros.initramfs.map((i) => i.tool)).toEqual([tool])
    expect(p.otherDistros.bootloader.map((b) => b.loader)).toEqual([loader])
    expect(p.otherDistros.bootloader[0]!.how.join('\n')).toContain(update)
  })

  it('says where the kernel parameters go on systemd-boot, and what to take out', async () => {
    const {plan: p} = await plan(host('ID=arch\n', 'initrd=\\initramfs-linux.img root=UUID=1 rw amd_iommu=on'))
    expect(p.choices.host.bootloader).toBe('systemd-boot')
    expect(p.otherDistros.bootloader[0]!.how[0]).toBe('/etc/kernel/cmdline (kernel-install, UKIs) or the options line of each /boot/loader/entries/*.conf: add iommu=pt vfio-pci.ids=1002:731f,1002:ab38, and take out amd_iommu=on')
    expect(p.otherDistros.initramfs[0]).toMatchObject({file: '/etc/mkinitcpio.conf', command: 'sudo mkinitcpio -P'})
  })
})

describe('NixOS releases and kernels', () => {
  const seed003 = (osRelease: string, extra: Record<string, string> = {}) => ({
    'os-release.txt': osRelease,
    'lspci-nnk.txt': fixture('seed-004-working', 'lspci-nnk.txt'),
    ...extra,
  })
  it('NixOS 25.11: OVMF comes with QEMU, the option is gone', async () => {
    const {plan: p} = await plan(seed003('ID=nixos\nVERSION_ID="25.11"\n'), {user: 'vini'})
    expect(p.nixosModule).not.toContain('ovmf.enable')
    expect(p.nixosModule).toContain('# UEFI firmware (OVMF) comes with QEMU since NixOS 25.11: nothing to enable.')
    expectNixParses(p.nixosModule, 'nixos-25.11')
  })
  it('a 5.15 kernel: vfio_virqfd is left to vfio_pci; 6.2 and later: it is gone', async () => {
    const old = (await plan(seed003('ID=nixos\nVERSION_ID="23.05"\n', {'uname.txt': '5.15.110\n'}))).plan.nixosModule
    // A comment's wrapped lines read as one sentence.
    const comments = (module: string) => module.replace(/\n\s*# /g, ' ')
    expect(comments(old)).toContain('No vfio_virqfd: where it still exists (before 6.2) vfio_pci loads it itself (running kernel 5.15.110)')
    const recent = (await plan(seed003('ID=nixos\nVERSION_ID="24.11"\n', {'uname.txt': '6.6.52\n'}))).plan.nixosModule
    expect(comments(recent)).toContain('No vfio_virqfd: Linux 6.2 merged it into vfio (running kernel 6.6.52).')
  })
  it('an Intel kernel that turns the IOMMU on by itself gets no intel_iommu=on', async () => {
    const files = {...seed003('ID=nixos\nVERSION_ID="24.11"\n'), 'pci-sysfs.txt': fixture('seed-004-working', 'pci-sysfs.txt'), 'cmdline.txt': 'init=/nix/store/x/init loglevel=4\n', 'cpuinfo.txt': fixture('seed-004-working', 'cpuinfo.txt')}
    const {plan: p} = await plan(files)
    expect(p.choices.kernelParams.map((k) => k.text)).not.toContain('intel_iommu=on')
    expect(p.nixosModule.replace(/\n\s*# /g, ' ')).toContain('this kernel turns the IOMMU on without intel_iommu=on')
  })
})

describe('Looking Glass and old NVIDIA drivers', () => {
  it.each([
    ['1920x1080', 32],
    ['2560x1440', 64],
    ['3440x1440', 64],
    ['3840x2160', 128],
  ])('--looking-glass %s: %i MiB, in the domain, the tmpfiles rule and the steps', async (resolution, miB) => {
    const [width, height] = resolution.split('x').map(Number) as [number, number]
    const files = {...['configuration.nix', 'domain-win10.xml', 'os-release.txt', 'permissions.txt', 'groups.txt', 'dev-nodes.txt'].reduce((all, n) => ({...all, [n]: fixture('seed-003-looking-glass', n)}), {})}
    const {dir, plan: p} = await plan(files, {vm: 'win10', lookingGlass: {width, height}})
    expect(p.choices.lookingGlass?.sizeMiB).toBe(miB)
    expect(p.nixosModule).toContain('systemd.tmpfiles.rules = [ "f /dev/shm/looking-glass 0660 vini qemu-libvirtd -" ];')
    if (miB !== 32) {
      expect(p.domain!.diff).toContain(`-      <size unit='M'>32</size>\n+      <size unit='M'>${miB}</size>`)
      expect(p.steps.map((s) => s.kind)).toContain('reset-shm')
    } else expect(p.domain!.diff).toBe('')
    expect(await errorsAfter(dir, p)).toEqual([])
  })

  it.skipIf(!hasShared)('--nvidia-legacy hides the hypervisor; without it the domain says why it does not', async () => {
    const host = {...TWINS, 'pci-sysfs.txt': fixture('seed-004-working', 'pci-sysfs.txt'), 'domain-win11.xml': fixture('seed-001-iso-permission', 'domain-win10.xml').replace('<name>win10</name>', '<name>win11</name>').replace('win/10', 'win/11').replace(/bus='0x23'/g, "bus='0x01'")}
    const legacy = (await plan(host, {vm: 'win11', nvidiaLegacy: true})).plan.domain!
    const model = parseDomainXml(legacy.rewritten, 'x')
    expect(model.features).toMatchObject({kvmHidden: true, hypervVendorId: {state: 'on', value: 'randomid'}})
    expect(model.tpms).toEqual([{model: 'tpm-crb', backend: 'emulator', version: '2.0'}])
    expectValidDomain(legacy.rewritten, 'legacy')
    const current = (await plan(host, {vm: 'win11'})).plan.domain!
    expect(parseDomainXml(current.rewritten, 'x').features.kvmHidden).toBeUndefined()
    expect(current.rewritten).toContain('<!-- No <kvm><hidden/> or Hyper-V vendor_id: NVIDIA drivers since R465 (2021) run in a VM')
    expectValidDomain(current.rewritten, 'current')
  })
})
