/** The known messages (knowledge/<id>.messages.yaml) and the one matcher that runs them. */
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {COMPILED, knownMessages, literalNeedle, scanMessages, yamlEntries} from '../../src/knowledge/messages.js'
import {knowledgeIds} from '../../src/knowledge/page.js'
import type {Source} from '../../src/sources/types.js'
import {repoRoot} from '../helpers/paths.js'

const entries = Object.entries(yamlEntries()).flatMap(([id, list]) => list.map((e) => ({id, ...e})))

describe('every known message', () => {
  it.each(entries.map((e) => [`${e.id}: ${e.pattern}`, e] as const))('%s matches its example, and its needle is in it', (_name, e) => {
    expect(knowledgeIds()).toContain(e.id)
    const [message] = knownMessages().filter((m) => m.id === e.id && m.pattern.source === new RegExp(e.pattern, 'i').source)
    expect(message!.pattern.test(e.example)).toBe(true)
    expect(e.example.toLowerCase()).toContain(message!.needle)
    expect(scanMessages([source(e.example)]).map((h) => h.message)).toContain(message)
  })

  it('the build compiles exactly the YAML files', () => {
    const compiled = join(repoRoot, COMPILED)
    if (!existsSync(compiled)) return expect.fail(`${COMPILED} is missing: npm run build writes it`)
    expect(JSON.parse(readFileSync(compiled, 'utf8'))).toEqual(yamlEntries())
  })
})

/** Real lines that share a message's words but prove nothing: no message may claim them. */
const NEAR_MISSES: Array<[why: string, line: string]> = [
  ['hashicorp/terraform-provider-vsphere (template "could not locate disk: %s"): a disk file, not a disk the installer looks for', 'could not locate disk: terraform-test-disk-eager.vmdk'],
  ["unattend-generator (modifier/Disk.cs, template \"InterfaceType '\" & actual & \"' of disk N is unexpected.\"): the disk is there", "InterfaceType 'SCSI' of disk 0 is unexpected."],
  ['unattend-generator (modifier/Disk.cs): the summary line of any failed disk check, whichever it was', 'Fatal error: Disk assertion failed. Windows Setup will halt to avoid potential data loss.'],
  ["virt-manager (details.py): libvirt or qemu too old for UEFI, not a missing OVMF image", 'Libvirt or hypervisor does not support UEFI.'],
  ['the kernel on a board booted without UEFI (a Raspberry Pi 3 dmesg)', '[    0.000000] efi: UEFI not found.'],
  ["libvirt (src/qemu/qemu_hostdev.c): the legacy KVM backend asked for by name, not the IOMMU groups vfio needs", "error: unsupported configuration: host doesn't support legacy PCI passthrough"],
  ['qemu on a host CPU without a flag the guest asked for (ra1nstorm/ra1nstorm-helper#64)', "qemu-system-x86_64: warning: host doesn't support requested feature: CPUID.01H:ECX.pcid [bit 17]"],
  ['qemu (hw/vfio, template "failed to open %s"): the group is bound but in use by another process, not unbound', 'qemu-system-x86_64: -device vfio-pci,host=0000:01:00.0,id=hostdev0,bus=pci.4,addr=0x0: vfio 0000:01:00.0: failed to open /dev/vfio/1: Device or resource busy'],
  ['qemu (hw/vfio/container.c, "failed to open /dev/vfio/vfio"): the container node, a matter of the vfio module, not of one device', 'qemu-system-x86_64: -device vfio-pci,host=0000:01:00.0: vfio 0000:01:00.0: failed to setup container for group 1: failed to open /dev/vfio/vfio: No such file or directory'],
  ["qemu on the seeded host: the GPU's audio function (01:00.1) cannot be reset, as on many working hosts", 'qemu-system-x86_64: vfio: Cannot reset device 0000:01:00.1, depends on group 14 which is not owned.'],
  ['the driver core (drivers/base/dd.c, template "%s: probe of %s failed with error %d"): another driver, another error', 'nvidia: probe of 0000:01:00.0 failed with error -1'],
  ['the driver core, vfio-pci with -EBUSY (a PF with SR-IOV enabled), not a missing group', '[    3.112233] vfio-pci 0000:41:00.0: probe with driver vfio-pci failed with error -16'],
  ['coreutils ls (template "cannot access %s"): a device in a group without a driver link, the group is there', "ls: cannot access '/sys/kernel/iommu_groups/1/devices/0000:01:00.0/driver': No such file or directory"],
  ['coreutils ls: the groups exist but this user may not read them', "ls: cannot access '/sys/kernel/iommu_groups/': Permission denied"],
  ["virt-manager (virtinst/capabilities.py) with no guest type at all, while kvm-ok says /dev/kvm exists (virt-manager#481, devset 115)", "Error launching details: Host does not support virtualization type hvm for architecture 'x86_64'"],
  ["coreutils ls on Looking Glass's kvmfr device, not on /dev/kvm", "ls: cannot access '/dev/kvmfr0': No such file or directory"],
  ["virt-manager's libosinfo id of a Windows guest, not WSL's kernel", '<libosinfo:os id="http://microsoft.com/win/11"/>'],
  ["a distribution kernel's uname -a (sickcodes/Docker-OSX#514), neither WSL's nor LinuxKit's", 'Linux fedora 5.18.7-200.fc36.x86_64 #1 SMP PREEMPT_DYNAMIC Sat Jun 25 20:06:14 UTC 2022 x86_64 x86_64 x86_64 GNU/Linux'],
]

describe('near misses', () => {
  it.each(NEAR_MISSES)('no message claims %s', (_why, line) => {
    expect(scanMessages([source(line)]).map((h) => h.message.id)).toEqual([])
  })
})

describe('literalNeedle: the plain text every matching line holds', () => {
  it.each([
    ['kvm: disabled by bios', 'kvm: disabled by bios'],
    ['module not found: .?vfio_virqfd', 'module not found: '],
    ['BAR \\d+: can.t reserve \\[mem', 't reserve '],
    ['[abc]defgh{2,3}ijkl', 'defg'],
    ['Hypervisor detected: (?<name>\\w+)', 'hypervisor detected: '],
    ['a(?:bc)?defgh', 'defgh'],
    ['KVM \\((?<flag>vmx|svm)\\) is disabled', ' is disabled'],
  ])('%s -> %s', (pattern, needle) => expect(literalNeedle(pattern)).toBe(needle))

  it.each([['foo|barbaz'], ['ab.cd'], ['(?:bcde)?fg']])('%s has none (an alternation at the top, an optional group, or no run of 4)', (pattern) => expect(literalNeedle(pattern)).toBeUndefined())
})

describe('scanMessages', () => {
  it('names the line in the file, for a part that starts further down', () => {
    const hits = scanMessages([{...source('some words\nkvm: disabled by bios\n'), recognised: {format: 'text', by: 'content', from: 40, to: 41}}])
    expect(hits.map((h) => [h.message.id, h.n])).toEqual([['cpu-virt-disabled', 41]])
  })

  it('fills fix values from named groups', () => {
    const [hit] = scanMessages([source("qemu: vfio 0000:01:00.0: group 7 is not viable")])
    expect(hit!.values).toEqual({group: '7'})
  })

  it('finds messages on the right lines among many, whatever the line ends', () => {
    const text = ['noise', 'kvm: disabled by bios', ...Array(1000).fill('noise'), 'x: group 3 is not viable\r', 'noise'].join('\n')
    expect(scanMessages([source(text)]).map((h) => [h.message.id, h.n, h.text])).toEqual([
      ['cpu-virt-disabled', 2, 'kvm: disabled by bios'],
      ['group-not-viable', 1003, 'x: group 3 is not viable'],
    ])
  })

  it('past a few thousand lines holding a needle, the automaton picks the messages each line matches, in order', () => {
    // Lines holding needles in any case, then every example: the later lines are read by the automaton.
    const needles = [...new Set(knownMessages().map((m) => m.needle))]
    const lines = [...Array.from({length: 2500}, (_, i) => `decoy ${needles[i % needles.length]!.toUpperCase()} ~`), ...entries.map((e) => e.example)]
    // The oracle: every message's pattern on every line, at most five hits a message.
    const counts = new Map<string, number>()
    const expected = lines.flatMap((line) =>
      knownMessages().flatMap((m) => {
        if ((counts.get(m.pattern.source) ?? 0) >= 5 || !m.pattern.test(line)) return []
        counts.set(m.pattern.source, (counts.get(m.pattern.source) ?? 0) + 1)
        return [[m.id, line.trim()]]
      }),
    )
    expect(scanMessages([source(lines.join('\n'))]).map((h) => [h.message.id, h.text])).toEqual(expected)
    expect(expected.length).toBeGreaterThan(60)
  })

  it('keeps a few hits of a flood, and reads no unreadable source', () => {
    const flood = 'AER: Corrected error received: 0000:00:1c.5\n'.repeat(10_000)
    expect(scanMessages([source(flood)]).length).toBe(5)
    expect(scanMessages([{kind: 'log', origin: 'x', status: 'denied', reason: 'x: permission denied'}])).toEqual([])
  })
})

function source(text: string): Source {
  return {kind: 'log', origin: 'paste.txt', status: 'ok', text}
}
