/**
 * The libvirt checks on the eight real passthrough domains in the corpus, each with the host
 * listing its author published where there is one. Every verdict below was read off the XML.
 */
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {CHECKS} from '../../checks/index.js'
import {runChecks} from '../../src/engine/run-checks.js'
import {assembleFacts} from '../../src/facts/assemble.js'
import {sourceSetFromFiles} from '../helpers/check-tester.js'
import {corpusDir, hasShared, readShared} from '../helpers/paths.js'

const MINE = ['libvirt-access', 'domain-firmware', 'domain-tpm', 'hostdev-devices', 'iso-permissions', 'virtio-storage-driver', 'nvidia-error-43', 'cpu-topology', 'cpu-mode']
const corpus = (folder: string, file: string) => readShared(join(corpusDir, folder, file))

interface RealCase {
  file: string
  /** The author's own host evidence, from the same repository. */
  host?: Record<string, string>
  /** Every finding of the libvirt checks, "severity id subject". */
  findings: string[]
  /** Checks that must judge this domain (not skip it for want of evidence). */
  judged: string[]
}

const J4NSEN_GROUPS = {'iommu-groups.txt': corpus('iommu-groups', 'J4nsen__4gamers1pc__iommu_groups.txt')}

const CASES: RealCase[] = [
  {
    // i440fx + OVMF pflash, GTX 1070 04:00.0/.1 + USB 03:00.0 (groups 20 and 19 whole), hidden + vendor_id, 1 socket x 4 cores, host-model.
    file: 'J4nsen__4gamers1pc__configs_vm-cpu0-0.xml',
    host: J4NSEN_GROUPS,
    findings: ['info cpu-mode-not-passthrough vm-cpu0-0'],
    judged: ['domain-firmware', 'hostdev-devices', 'virtio-storage-driver', 'nvidia-error-43', 'cpu-topology'],
  },
  {
    // Same, GTX 770 05:00.0/.1 + USB 02:00.0, host-passthrough.
    file: 'J4nsen__4gamers1pc__configs_vm-cpu0-1.xml',
    host: J4NSEN_GROUPS,
    findings: [],
    judged: ['domain-firmware', 'hostdev-devices', 'nvidia-error-43', 'cpu-topology', 'cpu-mode'],
  },
  {
    // GTX 970 82:00.0/.1 + USB 00:1d.0, host-model.
    file: 'J4nsen__4gamers1pc__configs_vm-cpu1-0.xml',
    host: J4NSEN_GROUPS,
    findings: ['info cpu-mode-not-passthrough vm-cpu1-0'],
    judged: ['domain-firmware', 'hostdev-devices', 'nvidia-error-43', 'cpu-topology'],
  },
  {
    // Only the USB controller 00:1a.0 (group 10, alone): no GPU in this revision of the file.
    file: 'J4nsen__4gamers1pc__configs_vm-cpu1-1.xml',
    host: J4NSEN_GROUPS,
    findings: ['info cpu-mode-not-passthrough vm-cpu1-1'],
    judged: ['domain-firmware', 'hostdev-devices', 'cpu-topology'],
  },
  {
    // Debian 11 guest on SeaBIOS passing a Navi 10 (0b:00.0 group 25, 0b:00.1 group 26) with a ROM file; qemu64 CPU.
    file: 'alshdavid-labs__vfio-log__vm-configs_gpu-test.xml',
    host: {'iommu-groups.txt': corpus('iommu-groups', 'alshdavid-labs__vfio-log__iommu-groups.txt')},
    findings: ['warning firmware-not-uefi gpu-test', 'warning cpu-mode-not-passthrough gpu-test'],
    judged: ['hostdev-devices'],
  },
  {
    // Windows 10, q35 + OVMF, 1 socket x 6 cores x 2 threads, host-passthrough, ISOs under /home (no namei: not judged).
    file: 'bryansteiner__gpu-passthrough-tutorial__kvm_win10.xml',
    findings: [],
    judged: ['domain-firmware', 'domain-tpm', 'cpu-topology', 'cpu-mode'],
  },
  {
    // Windows 10 on a virtio disk with virtio-win-0.1.229.iso attached; host-model; hv_vendor_id on the qemu command line.
    file: 'sabinM1__10ferestre__10ferestre.xml',
    findings: ['info cpu-mode-not-passthrough 10ferestre'],
    judged: ['domain-firmware', 'virtio-storage-driver', 'cpu-topology'],
  },
  {
    // Windows 10 (by name), GTX 1060 01:00.0/.1 with a ROM, kvm hidden and no Hyper-V enlightenments; 2 vCPUs, no topology.
    file: 'xkevinx45__log__win10.xml',
    host: {'lspci.txt': corpus('lspci', 'xkevinx45__log__lspci.txt'), 'dmesg.txt': corpus('dmesg', 'xkevinx45__log__ovmf.log')},
    findings: ['warning cpu-topology-default win10'],
    judged: ['domain-firmware', 'hostdev-devices', 'nvidia-error-43', 'cpu-mode'],
  },
]

describe.skipIf(!hasShared)('libvirt checks on the real passthrough domains', () => {
  it('covers all eight files', () => expect(CASES).toHaveLength(8))
  for (const c of CASES) {
    it(c.file, () => {
      const facts = assembleFacts(sourceSetFromFiles({[c.file]: corpus('libvirt-domains-real', c.file), ...c.host}))
      const results = runChecks(CHECKS.filter((check) => MINE.includes(check.id)), facts)
      expect(results.filter((r) => r.status === 'crashed')).toEqual([])
      const got = results.flatMap((r) => r.findings.map((f) => `${f.severity} ${f.id} ${f.subject}`)).sort()
      expect(got).toEqual([...c.findings].sort())
      const judged = results.filter((r) => r.status !== 'skipped').map((r) => r.id)
      for (const id of c.judged) expect(judged, `${id} should judge ${c.file}`).toContain(id)
    })
  }
})
