/**
 * A live NixOS host read through a fake root: the generation's bootspec and kernel-params, the
 * qemu.conf its module generated, and the configuration tree its imports name.
 */
import {describe, expect, it} from 'vitest'
import {runChecks} from '../../src/engine/run-checks.js'
import {assembleFacts} from '../../src/facts/assemble.js'
import {collectLive} from '../../src/sources/live/index.js'
import rebootPending from '../../checks/reboot-pending.js'
import kernelModules from '../../checks/kernel-modules.js'
import {FakeRoot, scriptedRunner} from '../helpers/fake-root.js'

const NEW = '/nix/store/aaa-nixos-system-desktop-25.05'
const OLD = '/nix/store/bbb-nixos-system-desktop-25.05'
const bootspec = (kernel: string, params: string[]) =>
  JSON.stringify({
    'org.nixos.bootspec.v1': {
      init: `${NEW}/init`,
      initrd: `/nix/store/ccc-initrd-linux-${kernel}/initrd`,
      kernel: `/nix/store/ddd-linux-${kernel}/bzImage`,
      kernelParams: params,
      label: `NixOS 25.05.20250601.abcdef (Linux ${kernel})`,
      system: 'x86_64-linux',
      toplevel: NEW,
    },
    'org.nixos.specialisation.v1': {},
  })

function host(): FakeRoot {
  return new FakeRoot()
    .file('proc/cmdline', `initrd=\\EFI\\nixos\\x-initrd.efi init=${OLD}/init amd_iommu=on loglevel=4\n`)
    .file('etc/os-release', 'ID=nixos\nPRETTY_NAME="NixOS 25.05 (Warbler)"\n')
    .file(`${NEW.slice(1)}/boot.json`, bootspec('6.14.2', ['amd_iommu=on', 'loglevel=4']))
    .file(`${OLD.slice(1)}/boot.json`, bootspec('6.1.90', ['amd_iommu=on', 'loglevel=4']))
    .link('run/current-system', NEW)
    .link('run/booted-system', OLD)
    // What NixOS's libvirtd module writes from runAsRoot = false and a verbatimConfig.
    .file('var/lib/libvirt/qemu.conf', 'user = "qemu-libvirtd"\ngroup = "qemu-libvirtd"\nnamespaces = []\nuser = "+1000"\n')
    .file('etc/nixos/configuration.nix', '{ ... }: {\n  imports = [ ./hardware-configuration.nix ./vfio ];\n}\n')
    .file('etc/nixos/hardware-configuration.nix', '{ ... }: { boot.kernelModules = [ "kvm-amd" ]; }\n')
    // A module importing the configuration back: read once, no loop.
    .file('etc/nixos/vfio/default.nix', '{ ... }: {\n  imports = [ ../configuration.nix ];\n  boot.kernelModules = [ "vfio_virqfd" "vfio_pci" ];\n}\n')
}

describe('live NixOS host', () => {
  it('reads the bootspec, the generated qemu.conf and the imported modules, each once', async () => {
    const set = await collectLive({root: host().dir, run: scriptedRunner({}), user: 'vini'})
    const of = (kind: string) => set.sources.filter((s) => s.kind === kind && s.status === 'ok')
    expect(of('nixBootspec').map((s) => [s.label, s.origin])).toEqual([['current', `${NEW}/boot.json`], ['booted', `${OLD}/boot.json`]])
    expect(of('qemuConf').map((s) => s.origin)).toEqual(['/var/lib/libvirt/qemu.conf'])
    expect(of('nixConfig').map((s) => s.origin)).toEqual(['/etc/nixos/configuration.nix', '/etc/nixos/hardware-configuration.nix', '/etc/nixos/vfio/default.nix'])

    const facts = assembleFacts(set)
    expect(facts.nixos?.currentKernel).toEqual({release: '6.14.2', origin: `${NEW}/boot.json`})
    expect(facts.nixos?.currentKernelParams).toEqual(['amd_iommu=on', 'loglevel=4'])
    expect(facts.qemuConf?.[0]?.user?.value).toBe('+1000')
    // The coming kernel (6.14) has no vfio_virqfd: the module list the tree merged is judged against it.
    const [modules] = runChecks([kernelModules], facts)
    expect(modules!.findings.map((f) => [f.id, f.subject, f.evidence[0]])).toEqual([['kernel-module-obsolete', 'vfio_virqfd', `${NEW}/boot.json: the current generation boots Linux 6.14.2`]])
  })

  it('a running kernel older than the generation\'s is a reboot pending', async () => {
    const set = await collectLive({root: host().file('proc/sys/kernel/osrelease', '6.1.90\n').dir, run: scriptedRunner({}), user: 'vini'})
    const [result] = runChecks([rebootPending], assembleFacts(set))
    expect(result!.findings.map((f) => [f.severity, f.message])).toEqual([['error', 'The current generation boots Linux 6.14.2, but the running kernel is 6.1.90: reboot into it (the modules and the initrd are built for the new kernel).']])
  })

  it('VFIO_DOCTOR_CURRENT_SYSTEM names the generation being activated', async () => {
    const set = await collectLive({root: host().dir, run: scriptedRunner({}), user: 'vini', currentSystem: OLD})
    expect(set.sources.find((s) => s.kind === 'nixSystem' && s.label === 'current')?.text).toBe(`${OLD}\n`)
  })

  it('stops at the file limit with a note, whatever the tree', async () => {
    const root = new FakeRoot()
    const chain = 80
    for (let i = 0; i < chain; i++) root.file(`etc/nixos/m${String(i).padStart(2, '0')}.nix`, `{ imports = [ ./m${String(i + 1).padStart(2, '0')}.nix ]; }\n`)
    const set = await collectLive({root: root.dir, run: scriptedRunner({}), user: 'vini'})
    const nix = set.sources.filter((s) => s.kind === 'nixConfig')
    expect(nix.filter((s) => s.status === 'ok')).toHaveLength(64)
    expect(nix.at(-1)?.reason).toMatch(/more than 64 NixOS configuration files/)
  })
})
