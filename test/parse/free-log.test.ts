import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {scanFreeLog, signalEntries, toRule, type FreeLogSignal} from '../../src/parse/free-log.js'
import {hasShared} from '../helpers/paths.js'
import {readSeed, SEED} from './nix-seeds.js'

type Expected = Pick<FreeLogSignal, 'kind' | 'data'>

/**
 * Real message lines. Where a line comes from an issue it is cited; "(template)" lines are built
 * from the program's own format string (quoted beside them) with a realistic value filled in.
 */
const CASES: Array<[source: string, line: string, expected: Expected[]]> = [
  [
    'quickemu-project/quickemu#88 (a stop code as a person types it)',
    'using the latest quickemu gets into a boot loop with a Black SOD wingeing about System Thread Exception (and the same but Blue with Win10)',
    [{kind: 'windows-stop-code', data: {code: 'SYSTEM_THREAD_EXCEPTION_NOT_HANDLED'}}],
  ],
  [
    '64kramsystem/vga-passthrough#15',
    'qemu-system-x86_64: -device vfio-pci,host=01:00.0,multifunction=on: vfio error: 0000:01:00.0: group 1 is not viable',
    [{kind: 'group-not-viable', data: {group: '1', address: '0000:01:00.0'}}, {kind: 'vfio-device', data: {address: '0000:01:00.0'}}],
  ],
  [
    'foxlet/vmra1n#4',
    'qemu-system-x86_64: -device vfio-pci,host=00:1d.2,bus=port.1: vfio 0000:00:1d.2: group 8 is not viable',
    [{kind: 'group-not-viable', data: {group: '8', address: '0000:00:1d.2'}}, {kind: 'vfio-device', data: {address: '0000:00:1d.2'}}],
  ],
  [
    'kubevirt/kubevirt#6718 (qemu error inside a libvirt error, newline escaped)',
    "LibvirtError(Code=1, Domain=10, Message='internal error: qemu unexpectedly closed the monitor: 2021-11-03T08:06:48.563014Z qemu-kvm: -device vfio-pci,host=0000:01:00.0,id=ua-gpu1,bus=pci.5,addr=0x0: vfio 0000:01:00.0: group 1 is not viable\\nPlease ensure all devices within the iommu_group are bound to their vfio bus driver.')",
    [{kind: 'group-not-viable', data: {group: '1', address: '0000:01:00.0'}}, {kind: 'vfio-device', data: {address: '0000:01:00.0'}}],
  ],
  [
    'bpg/terraform-provider-proxmox#1353',
    'Jun 04 07:25:13 pve1 QEMU[3989106]: kvm: vfio_dma_map(0x5e043daea2f0, 0x380010000000, 0x2000000, 0x771a6ce00000) = -22 (Invalid argument)',
    [{kind: 'vfio-dma-map-failed', data: {error: '-22 (Invalid argument)'}}],
  ],
  [
    'bpg/terraform-provider-proxmox#1353',
    'Jun 04 07:25:13 pve1 QEMU[3989106]: kvm: VFIO_MAP_DMA failed: Invalid argument',
    [{kind: 'vfio-dma-map-failed', data: {error: 'Invalid argument'}}],
  ],
  ['oracle/qemu#1', 'qemu: hardware error: vfio: DMA mapping failed, unable to continue', [{kind: 'vfio-dma-map-failed'}]],
  [
    'cockpit-project/cockpit-machines#1245',
    'internal error: process exited while connecting to monitor: 2023-10-07T05:52:05.491532Z qemu-system-x86_64: -blockdev {"driver":"file","filename":"/pool/zstd/vm/haos_ova_64g.qcow2","node-name":"libvirt-1-storage","auto-read-only":true,"discard":"unmap"}: Could not open \'/pool/zstd/vm/haos_ova_64g.qcow2\': Permission denied',
    [{kind: 'iso-permission-denied', data: {path: '/pool/zstd/vm/haos_ova_64g.qcow2', reason: 'Permission denied'}}],
  ],
  [
    'ansible-community/molecule-libvirt#22',
    "libvirt.libvirtError: Cannot access storage file '/home/ssbarnea/.local/molecule/default/vms/instance.qcow2' (as uid:107, gid:107): Permission denied",
    [
      {
        kind: 'iso-permission-denied',
        data: {path: '/home/ssbarnea/.local/molecule/default/vms/instance.qcow2', uid: '107', gid: '107', reason: 'Permission denied'},
      },
    ],
  ],
  [
    "qemu (template: error_setg_file_open \"Could not open '%s'\")",
    "qemu-system-x86_64: -drive file=/home/user/Win10.iso,media=cdrom: Could not open '/home/user/Win10.iso': No such file or directory",
    [{kind: 'file-not-found', data: {path: '/home/user/Win10.iso', reason: 'No such file or directory'}}],
  ],
  [
    'qemu (template) with a firmware path',
    "qemu-system-x86_64: -drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE.fd: Could not open '/usr/share/OVMF/OVMF_CODE.fd': No such file or directory",
    [{kind: 'ovmf-missing', data: {path: '/usr/share/OVMF/OVMF_CODE.fd', reason: 'No such file or directory'}}],
  ],
  [
    'KarsMulder/evsieve#1 (the typo is the reporter\'s)',
    "Could not open '/dev/input/by-id/virtual-keyboard': Opeeration not permitted",
    [{kind: 'evdev-failed', data: {path: '/dev/input/by-id/virtual-keyboard', reason: 'Opeeration not permitted'}}],
  ],
  [
    'openshift-metal3/dev-scripts#514',
    "error: Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory",
    [{kind: 'libvirt-connect-failed', data: {socket: '/var/run/libvirt/libvirt-sock', reason: 'No such file or directory'}}],
  ],
  [
    'virt-manager/virt-manager#298',
    "libvirt.libvirtError: Failed to connect socket to '/var/run/libvirt/virtqemud-sock': Connection refused",
    [{kind: 'libvirt-connect-failed', data: {socket: '/var/run/libvirt/virtqemud-sock', reason: 'Connection refused'}}],
  ],
  [
    'libvirt (template "Failed to connect socket to \'%s\'") as virsh prints it for a user outside the libvirtd group',
    "error: Failed to connect socket to '/var/run/libvirt/libvirt-sock': Permission denied",
    [{kind: 'libvirt-permission', data: {socket: '/var/run/libvirt/libvirt-sock', reason: 'Permission denied'}}],
  ],
  [
    'virt-manager/virt-manager#625',
    "libvirt.libvirtError: authentication unavailable: no polkit agent available to authenticate action 'org.libvirt.unix.manage'",
    [{kind: 'libvirt-permission', data: {reason: "no polkit agent available to authenticate action 'org.libvirt.unix.manage'"}}],
  ],
  ['foxlet/macOS-Simple-KVM#473', 'Could not access KVM kernel module: No such file or directory', [{kind: 'kvm-unavailable', data: {reason: 'No such file or directory'}}]],
  ['foxlet/macOS-Simple-KVM#473', 'qemu-system-x86_64: failed to initialize KVM: No such file or directory', [{kind: 'kvm-unavailable', data: {reason: 'No such file or directory'}}]],
  ['qword-os/qword#50', 'Could not access KVM kernel module: Permission denied', [{kind: 'kvm-unavailable', data: {reason: 'Permission denied'}}]],
  [
    'libvirt qemu_process.c, as virt-manager shows it',
    'Error starting domain: unsupported configuration: Domain requires KVM, but it is not available. Check that virtualization is enabled in the host BIOS, and host configuration is setup to load the kvm modules.',
    [{kind: 'kvm-unavailable'}],
  ],
  [
    'libvirt qemu_firmware.c (template "Unable to find any firmware to satisfy \'%s\'")',
    "error: operation failed: Unable to find any firmware to satisfy 'efi'",
    [{kind: 'ovmf-missing', data: {firmware: 'efi'}}],
  ],
  [
    'libvirt >= 9 as virt-manager shows it on NixOS after an upgrade',
    "Error starting domain: operation failed: Unable to find 'efi' firmware that is compatible with the current configuration",
    [{kind: 'ovmf-missing', data: {firmware: 'efi'}}],
  ],
  ['virt-install (virtinst/guest.py)', "ERROR    Did not find any UEFI binary path for arch 'x86_64'", [{kind: 'ovmf-missing', data: {arch: 'x86_64'}}]],
  [
    'stefanberger/swtpm#463',
    "libvirt.libvirtError: Unable to find 'swtpm_setup' binary in $PATH: No such file or directory",
    [{kind: 'tpm-missing', data: {binary: 'swtpm_setup'}}],
  ],
  [
    'ublue-os/aurora#122',
    "Unable to complete install: 'internal error: Could not run '/usr/bin/swtpm_setup'. exitstatus: 1; Check error log '/var/log/swtpm/libvirt/qemu/Aurora-dx-stable-swtpm.log' for details.'",
    [{kind: 'tpm-missing', data: {binary: '/usr/bin/swtpm_setup'}}],
  ],
  ['Windows 11 setup screen', "This PC can't run Windows 11", [{kind: 'tpm-missing'}]],
  ['Windows 11 setup screen, typographic apostrophe', 'This PC can’t run Windows 11', [{kind: 'tpm-missing'}]],
  [
    'T-vK/MobilePassThrough#16 (Looking Glass B3 client; errno on the next line)',
    '    77258811 [E]            ivshmem.c:172  | ivshmemOpenDev                 | Failed to open: /dev/shm/looking-glass\n    77258826 [E]            ivshmem.c:173  | ivshmemOpenDev                 | Permission denied',
    [{kind: 'shm-permission', data: {path: '/dev/shm/looking-glass', reason: 'Permission denied'}}],
  ],
  [
    'gnif/LookingGlass#265 (B1 client)',
    '[E]               main.c:871  | map_memory                     | Failed to map the shared memory file: /dev/shm/looking-glass',
    [{kind: 'shm-permission', data: {path: '/dev/shm/looking-glass'}}],
  ],
  [
    'qemu hostmem-file (template "can\'t open backing store %s for guest RAM")',
    "qemu-system-x86_64: -object memory-backend-file,id=looking-glass,mem-path=/dev/shm/looking-glass,size=32M,share=yes: can't open backing store /dev/shm/looking-glass for guest RAM: Permission denied",
    [{kind: 'shm-permission', data: {path: '/dev/shm/looking-glass', reason: 'Permission denied'}}],
  ],
  [
    'qemu hw/vfio (template "failed to open %s")',
    'qemu-system-x86_64: -device vfio-pci,host=0000:01:00.0,id=hostdev0,bus=pci.4,addr=0x0: vfio 0000:01:00.0: failed to open /dev/vfio/1: Device or resource busy',
    [{kind: 'device-in-use', data: {address: '0000:01:00.0', group: '1'}}, {kind: 'vfio-device', data: {address: '0000:01:00.0'}}],
  ],
  ['FDio/vpp#631 (DPDK)', '2021/06/18 14:01:29:125 notice     dpdk           EAL: Cannot open /dev/vfio/151: Device or resource busy', [{kind: 'device-in-use', data: {group: '151'}}]],
  [
    'Linux drivers/iommu/intel/iommu.c, quoted in the relaxed-RMRR patch README',
    'vfio-pci 0000:01:00.1: Device is ineligible for IOMMU domain attach due to platform RMRR requirement. Contact your platform vendor.',
    [{kind: 'rmrr', data: {address: '0000:01:00.1'}}],
  ],
  [
    'qemu (template; the message HP RMRR reports quote: "failed to setup container for group 12: failed to set iommu for container: Operation not permitted")',
    'qemu-system-x86_64: -device vfio-pci,host=0000:07:00.0,id=hostdev0: vfio 0000:07:00.0: failed to setup container for group 12: Failed to set iommu for container: Operation not permitted',
    [{kind: 'rmrr', data: {group: '12', address: '0000:07:00.0'}}, {kind: 'vfio-device', data: {address: '0000:07:00.0'}}],
  ],
  [
    'bryansteiner/gpu-passthrough-tutorial#39',
    "libvirt.libvirtError: internal error: Unknown PCI header type '127' for device '0000:01:00.0'",
    [{kind: 'pci-header-127', data: {address: '0000:01:00.0'}}],
  ],
  ['Windows blue screen', 'Stop code: INACCESSIBLE_BOOT_DEVICE', [{kind: 'windows-stop-code', data: {code: 'INACCESSIBLE_BOOT_DEVICE'}}]],
  ['Windows blue screen, a code not in the list', 'Stop code: SOME_NEW_FAILURE', [{kind: 'windows-stop-code', data: {code: 'SOME_NEW_FAILURE'}}]],
  ['a pasted complaint', 'the guest crashes with VIDEO_TDR_FAILURE (nvlddmkm.sys)', [{kind: 'windows-stop-code', data: {code: 'VIDEO_TDR_FAILURE'}}]],
  ['Windows Device Manager', 'Windows has stopped this device because it has reported problems. (Code 43)', [{kind: 'code-43'}]],
  ['Windows 10 setup screen', "We couldn't find any drives. To get a storage driver, click Load driver.", [{kind: 'no-disk-found'}]],
  ['Windows 7 setup screen', 'No drives were found. Click Load Driver to provide a mass storage driver for installation.', [{kind: 'no-disk-found'}]],
  ['cschneegans/unattend-generator#400 (devset 231): the answer file\'s disk check in Windows PE', '> Could not locate disk 0 (not found).', [{kind: 'no-disk-found'}]],
  [
    'Looking Glass B1 client (template "KVMFR version missmatch, expected %u but got %u"; values of gnif/LookingGlass#202)',
    '[E]               main.c:1053 | run                            | KVMFR version missmatch, expected 9 but got 8',
    [{kind: 'lg-version-mismatch', data: {expected: '9', got: '8'}}],
  ],
  ['Looking Glass B6 client (template, client main.c)', '[E]               main.c:1630 | lg_run                         | The host application is not compatible with this client', [{kind: 'lg-version-mismatch'}]],
  ['Looking Glass B6 client (gnif/LookingGlass#305 title)', 'Expected KVMFR version 2, got 1', [{kind: 'lg-version-mismatch', data: {expected: '2', got: '1'}}]],
  [
    'gnif/LookingGlass#1318',
    '00:00:00.348 [W]              main.c:693  | main_frameThread               | IVSHMEM too small, screen truncated',
    [{kind: 'lg-shm-too-small'}],
  ],
  [
    'gnif/LookingGlass#1318',
    '00:00:00.348 [W]              main.c:694  | main_frameThread               | Recommend increase size to 64 MiB',
    [{kind: 'lg-shm-too-small', data: {recommendedMiB: '64'}}],
  ],
  [
    'gnif/LookingGlass#547 (host; "excceds" is the program\'s spelling)',
    '  1449189067 [E]                app.c:298  | captureStart                   | Maximum frame size of 14745600 bytes excceds maximum space available',
    [{kind: 'lg-shm-too-small', data: {frameBytes: '14745600'}}],
  ],
]

/** Lines that say what runs: a qemu command line's CPU model, Looking Glass's own start line. */
const RUNNING: Array<[string, string, Array<{kind: string; data?: Record<string, string>}>]> = [
  ['nvidia-kvm-patcher#16 (devset 235), quoted in prose', 'Where the important is : -cpu Haswell-noTSX,hv_time,hv_relaxed,hv_vapic,hv_spinlocks=0x1fff,**hv_vendor_id=123456789abc,kvm=off**', [{kind: 'qemu-cpu-model', data: {model: 'Haswell-noTSX'}}]],
  ['a qemu command line passing the host CPU', '-machine q35,accel=kvm -cpu host,kvm=off -smp 8', [{kind: 'qemu-cpu-model', data: {model: 'host'}}]],
  ['LookingGlass#1299 (devset 233): the host, in the guest', '00:00:00.035 [I]               app.c:867  | app_main                       | Looking Glass Host (B7)', [{kind: 'lg-banner', data: {side: 'host', version: 'B7'}}]],
  ['LookingGlass#265 (devset 213): the client', '[I]               main.c:996  | run                            | Looking Glass (B1-rc6-6-gb979752989+1)', [{kind: 'lg-banner', data: {side: 'client', version: 'B1-rc6-6-gb979752989+1'}}]],
  ['words about it are no banner', 'I run Looking Glass (B6) with a 4K screen', []],
  [
    'BigAnteater/KVM-GPU-Passthrough#19 (devset 246): newer libvirt passes the device as JSON',
    'qemu-system-x86_64: -device {"driver":"vfio-pci","host":"0000:09:00.0","id":"hostdev0","bus":"pci.1","addr":"0x0","romfile":"/usr/share/vgabios/gpu.rom"}: vfio 0000:09:00.0: group 2 is not viable',
    [{kind: 'group-not-viable', data: {group: '2', address: '0000:09:00.0'}}, {kind: 'vfio-device', data: {address: '0000:09:00.0'}}],
  ],
  ['an option of another program', 'taskset -cpu 3 ./a.out', []],
  ['quickemu#102 (devset 234): quickemu 2.3.0\'s first line', 'Quickemu 2.3.0 using /usr/bin/qemu-system-x86_64 v6.0.0', [{kind: 'quickemu-banner', data: {version: '2.3.0'}}]],
  ['quickemu#88 (devset 218): quickemu 2.2.4\'s first line', 'Quickemu 2.2.4 starting windows-11.conf', [{kind: 'quickemu-banner', data: {version: '2.2.4'}}]],
  ['quickemu#102 (devset 234): the swtpm quickemu started', ' - TPM:      windows-11/windows-11.swtpm-sock (2443096)', [{kind: 'quickemu-tpm', data: {socket: 'windows-11/windows-11.swtpm-sock'}}]],
  ['words about quickemu are no banner', 'I tried Quickemu 2.3.0 using the Windows 11 config', []],
  ['quickemu#75 (devset 325): swtpm\'s own version, not a TPM line', 'TPM emulator version 0.6.1, Copyright (c) 2014-2021 IBM Corp.', []],
  ['quickemu#102 (devset 234): the VM\'s disk, in its folder', ' - Disk:     windows-11/disk.qcow2 (64G)', [{kind: 'quickemu-disk', data: {image: 'windows-11/disk.qcow2'}}]],
  ['quickemu#1387 (devset 418): the network line, printed after the TPM\'s', ' - Network:  User (virtio-net)', [{kind: 'quickemu-network'}]],
  ['quickemu#102 (devset 234): another line of the summary', ' - Boot ISO: windows-11/Win11_EnglishInternational_x64.iso', []],
]

describe('scanFreeLog: what runs', () => {
  it.each(RUNNING)('%s', (_source, text, expected) => {
    expect(scanFreeLog(text, 'x').map(({kind, data}) => (data ? {kind, data} : {kind}))).toEqual(expected)
  })
})

/** Lines that mention the same words but are not the problems. */
const QUIET: Array<[string, string]> = [
  ['a host device that is not vfio-pci', '-device pci-assign,host=01:00.0'],
  ['kernel, a working bind', 'vfio-pci 0000:01:00.0: enabling device (0000 -> 0003)'],
  ['intel/gvt-linux#171: EIO, not the EPERM of RMRR', 'vfio 34658867-146a-4656-9fa5-890fdbc37010: failed to setup container for group 11: Failed to set iommu for container: Input/output error'],
  ['a failed open that is neither permission nor absence', "Could not open '/var/lib/libvirt/images': Is a directory"],
  ['a how-to line', 'sudo swtpm_setup --tpm2 --create-config-files'],
  ['hashicorp/terraform-provider-vsphere (template "could not locate disk: %s"): a file, not a disk number', 'could not locate disk: terraform-test-disk-eager.vmdk'],
  ["unattend-generator's other disk check (template \"InterfaceType '\" & actual & \"' of disk N is unexpected.\"): a disk found", "InterfaceType 'SCSI' of disk 0 is unexpected."],
  ['words of a stop code, not the code', 'the system thread pool throws an exception'],
  ['a time stamp is not a PCI address; 430 is not 43', '2021-11-03T08:06:48.563014Z error 430'],
]

describe('scanFreeLog: real message lines', () => {
  it.each(CASES)('%s', (_source, text, expected) => {
    const signals = scanFreeLog(text, 'pasted.log')
    expect(signals.map(({kind, data}) => (data ? {kind, data} : {kind}))).toEqual(expected)
    for (const signal of signals) {
      expect(signal.origin).toBe('pasted.log')
      expect(signal.n).toBe(1)
      expect(text.split('\n')[0]!.trim().startsWith(signal.text)).toBe(true)
    }
  })

  it.each(signalEntries().map((e, i) => [`${i + 1} ${e.signal ?? e.classify ?? e.read}`, toRule(e, i)] as const))('entry %s of the signals file is reached by a real line of these tables', (_, rule) => {
    const reached = [...CASES, ...RUNNING].some(([, text]) => {
      const lines = text.split('\n')
      return lines.some((line, j) => rule.needles.some((needle) => line.toLowerCase().includes(needle)) && rule.read(line, lines[j + 1] ?? '') !== undefined)
    })
    expect(reached).toBe(true)
  })

  it.each(QUIET)('no signal: %s', (_why, text) => {
    expect(scanFreeLog(text, 'x')).toEqual([])
  })
})

describe('scanFreeLog: whole texts', () => {
  it('gives 1-based line numbers, one signal per kind and line', () => {
    const text = [
      'starting VM',
      'qemu-system-x86_64: -device vfio-pci,host=0000:01:00.0: vfio 0000:01:00.0: group 1 is not viable',
      'Please ensure all devices within the iommu_group are bound to their vfio bus driver.',
      'Could not access KVM kernel module: No such file or directory failed to initialize kvm: No such file or directory',
    ].join('\r\n')
    expect(scanFreeLog(text, 'qemu.log').map((s) => [s.kind, s.n])).toEqual([
      ['group-not-viable', 2],
      ['vfio-device', 2],
      ['kvm-unavailable', 4],
    ])
  })

  it.skipIf(!hasShared)('the seed documents: the problems their prose reports', () => {
    expect(scanFreeLog(readSeed(SEED.vini), 'vini').map((s) => [s.kind, s.n])).toEqual([['code-43', 209]])
    expect(scanFreeLog(readSeed(SEED.jakeHamilton), 'jake').map((s) => [s.kind, s.n])).toEqual([['no-disk-found', 159]])
    expect(scanFreeLog(readSeed(SEED.blog2025), 'blog')).toEqual([])
  })
})

describe('property: any text gives a result, quickly', () => {
  const seeds = Object.values(SEED).map(readSeed)
  const corpus = CASES.map(([, line]) => line).join('\n')

  it('arbitrary strings never throw and every signal points at a real line', () => {
    fc.assert(
      fc.property(fc.string({unit: 'binary', maxLength: 400}), (text) => {
        const lineCount = text.split('\n').length
        for (const signal of scanFreeLog(text, 'f')) expect(signal.n).toBeLessThanOrEqual(lineCount)
      }),
      {numRuns: 500},
    )
  })

  it.skipIf(!hasShared)('the message corpus and the seeds cut anywhere, with CRLF and NUL bytes', () => {
    const texts = [corpus, ...seeds]
    fc.assert(
      fc.property(fc.nat(texts.length - 1), fc.double({min: 0, max: 1, noNaN: true}), fc.boolean(), fc.nat(30), (which, at, crlf, nuls) => {
        let text = texts[which]!.slice(0, Math.floor(texts[which]!.length * at))
        if (crlf) text = text.replace(/\n/g, '\r\n')
        for (let k = 0; k < nuls; k++) {
          const p = (k * 7919) % (text.length + 1)
          text = text.slice(0, p) + '\0' + text.slice(p)
        }
        scanFreeLog(text, 'f')
      }),
      {numRuns: 300},
    )
  })

  it('CRLF finds the same signals', () => {
    const strip = (signals: FreeLogSignal[]): unknown => signals.map(({kind, n, data}) => ({kind, n, data}))
    expect(strip(scanFreeLog(corpus.replace(/\n/g, '\r\n'), 'f'))).toEqual(strip(scanFreeLog(corpus, 'f')))
  })

  it('a 10 MB single line, and 10 MB of matching lines, in bounded time', () => {
    const size = 10 * 1024 * 1024
    const shapes = [
      'x'.repeat(size),
      "Could not open '".repeat(size / 16),
      ' '.repeat(size) + 'Device or resource busy',
      'group 1 is not viable '.repeat(size / 22),
      `${CASES[0]![1]}\n`.repeat(size / 120),
      '_'.repeat(size),
      '0000:01:00.0 '.repeat(size / 13),
    ]
    for (const text of shapes) {
      const started = performance.now()
      scanFreeLog(text, 'big')
      expect(performance.now() - started).toBeLessThan(10_000)
    }
  }, 120_000)
})
