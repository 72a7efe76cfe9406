/**
 * Free-form logs (qemu domain logs, virsh / virt-manager errors, Looking Glass output, Windows
 * screens typed out, anything pasted): known messages, in the wording the programs print. Each
 * rule is tried only on lines holding one of its lower-case needles, and only the first
 * MAX_LINE characters of a line are examined, so the scan is linear in the text.
 */

export type FreeLogSignalKind =
  | 'group-not-viable' // "group 1 is not viable"  data.group
  | 'vfio-dma-map-failed' // "VFIO_MAP_DMA failed" / "vfio: DMA mapping failed, unable to continue"
  | 'iso-permission-denied' // "Could not open '/home/u/win.iso': Permission denied"  data.path
  | 'file-not-found' // "Could not open '...': No such file or directory"  data.path
  | 'libvirt-connect-failed' // "Failed to connect socket to '/var/run/libvirt/libvirt-sock'"
  | 'libvirt-permission' // "authentication unavailable" / "Permission denied" on the socket
  | 'kvm-unavailable' // "Could not access KVM kernel module" / "failed to initialize kvm"
  | 'ovmf-missing' // "Unable to find any firmware to satisfy 'efi'" / loader path missing
  | 'tpm-missing' // "This PC can't run Windows 11" / swtpm not found
  | 'shm-permission' // "/dev/shm/looking-glass: Permission denied" / ivshmem errors
  | 'device-in-use' // "Device or resource busy"  data.address
  | 'rmrr' // RMRR message as qemu reports it ("failed to set iommu for container: Operation not permitted")  data.group
  | 'pci-header-127' // "Unknown PCI header type '127'"
  | 'evdev-failed' // "Could not open '/dev/input/by-id/...'" for evdev
  | 'windows-stop-code' // INACCESSIBLE_BOOT_DEVICE, KMODE_EXCEPTION_NOT_HANDLED, ...  data.code
  | 'code-43' // "Code 43" / "Windows has stopped this device because it has reported problems"
  | 'no-disk-found' // "We couldn't find any drives" / "no drive found"
  | 'lg-version-mismatch' // Looking Glass "version mismatch" / "the host application is not compatible"
  | 'lg-shm-too-small' // Looking Glass "too small"
  | 'lg-banner' // Looking Glass's start line, client or host: "main.c:2282 | main | Looking Glass (B3)" / "Looking Glass Host (B7)"  data.side data.version
  | 'qemu-cpu-model' // a qemu command line's CPU: "-cpu Haswell-noTSX,hv_time,..." / "-cpu host,kvm=off"  data.model
  | 'vfio-device' // a qemu command line passing a host device: "-device vfio-pci,host=01:00.0" / {"driver":"vfio-pci","host":"0000:07:00.0"}  data.address

export interface FreeLogSignal {
  kind: FreeLogSignalKind
  /** File name or origin of the log. */
  origin: string
  /** 1-based line number. */
  n: number
  text: string
  data?: Record<string, string>
}

/** Longer lines are examined only this far (a pasted 10 MB line costs no more than this). */
const MAX_LINE = 8192
/** Evidence text kept per signal. */
const MAX_TEXT = 1000

interface Match {
  kind: FreeLogSignalKind
  data?: Record<string, string>
}

interface Rule {
  /** Lower-case substrings; the rule runs only on lines that hold one. */
  needles: string[]
  /** `next` is the following line (Looking Glass prints the errno on its own line). */
  read(line: string, next: string): Match | undefined
}

const PCI = '(?:[0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]'

const WINDOWS_STOP_CODES = [
  'ATTEMPTED_WRITE_TO_READONLY_MEMORY',
  'BAD_POOL_HEADER',
  'CLOCK_WATCHDOG_TIMEOUT',
  'CRITICAL_PROCESS_DIED',
  'DPC_WATCHDOG_VIOLATION',
  'DRIVER_IRQL_NOT_LESS_OR_EQUAL',
  'DRIVER_POWER_STATE_FAILURE',
  'HYPERVISOR_ERROR',
  'INACCESSIBLE_BOOT_DEVICE',
  'IRQL_NOT_LESS_OR_EQUAL',
  'KERNEL_DATA_INPAGE_ERROR',
  'KERNEL_SECURITY_CHECK_FAILURE',
  'KMODE_EXCEPTION_NOT_HANDLED',
  'MEMORY_MANAGEMENT',
  'PAGE_FAULT_IN_NONPAGED_AREA',
  'SYSTEM_SERVICE_EXCEPTION',
  'SYSTEM_THREAD_EXCEPTION_NOT_HANDLED',
  'THREAD_STUCK_IN_DEVICE_DRIVER',
  'UNEXPECTED_KERNEL_MODE_TRAP',
  'UNMOUNTABLE_BOOT_VOLUME',
  'VIDEO_DXGKRNL_FATAL_ERROR',
  'VIDEO_SCHEDULER_INTERNAL_ERROR',
  'VIDEO_TDR_FAILURE',
  'WHEA_UNCORRECTABLE_ERROR',
]
const STOP_CODE = new RegExp(`\\b(${WINDOWS_STOP_CODES.join('|')})\\b`)
/**
 * The same codes as people type them: "System Thread Exception", "kmode exception not handled".
 * The trailing NOT_HANDLED may be left out; the code is told by its first words.
 */
const SPOKEN_STOP_CODES = WINDOWS_STOP_CODES.map((code) => ({code, pattern: new RegExp(`\\b${code.replace(/_NOT_HANDLED$/, '').split('_').join('[_ ]')}\\b`, 'i')}))
const SPOKEN_NEEDLES = [...new Set(WINDOWS_STOP_CODES.map((code) => code.split('_').slice(0, 2).join(' ').toLowerCase()))]

const VFIO_DEVICE = new RegExp(`vfio(?: error:)? (${PCI})`, 'i')
const HOST_OPTION = new RegExp(`host=(${PCI})`, 'i')
/** An address standing alone (not the tail of a time stamp like 08:06:48.563). */
const ANY_ADDRESS = new RegExp(`(?:^|[^0-9a-fA-F:])(${PCI})(?![0-9])`)

/** The device a vfio message is about: `vfio 0000:01:00.0:`, then `host=01:00.0`, then any address. */
function deviceAddress(line: string): string | undefined {
  const match = VFIO_DEVICE.exec(line) ?? HOST_OPTION.exec(line) ?? ANY_ADDRESS.exec(line)
  if (!match) return undefined
  const address = match[1]!.toLowerCase()
  return address.length === 7 ? `0000:${address}` : address
}

function withData(kind: FreeLogSignalKind, data: Record<string, string | undefined>): Match {
  const defined = Object.entries(data).filter((entry): entry is [string, string] => entry[1] !== undefined)
  return defined.length > 0 ? {kind, data: Object.fromEntries(defined)} : {kind}
}

function capture(pattern: RegExp, line: string, group = 1): string | undefined {
  return pattern.exec(line)?.[group]?.trim()
}

/** Which problem a failed open is: by the file's place, then by the errno text. */
function classifyOpenFailure(path: string, reason: string | undefined): FreeLogSignalKind | undefined {
  if (path.startsWith('/dev/input/')) return 'evdev-failed'
  if (/^\/dev\/(?:shm\/|kvmfr)/.test(path)) return 'shm-permission'
  const missing = reason !== undefined && /no such file or directory/i.test(reason)
  if (missing && /ovmf|edk2|aavmf|\.fd$/i.test(path)) return 'ovmf-missing'
  if (reason === undefined) return undefined
  if (/permission denied|operation not permitted|read-only file system/i.test(reason)) return 'iso-permission-denied'
  if (missing) return 'file-not-found'
  return undefined
}

/** Looking Glass prints `Failed to open: <path>` and the errno text on the next line, after its last `|`. */
function lookingGlassReason(next: string): string | undefined {
  const reason = next.slice(next.lastIndexOf('|') + 1).trim()
  return reason !== '' && reason.length < 100 ? reason : undefined
}

const RULES: Rule[] = [
  {
    // qemu: "vfio 0000:01:00.0: group 1 is not viable" (older: "vfio: error, group 1 is not viable")
    needles: ['is not viable'],
    read: (line) => withData('group-not-viable', {group: capture(/group (\d+) is not viable/i, line), address: deviceAddress(line)}),
  },
  {
    // qemu: "VFIO_MAP_DMA failed: Invalid argument", "vfio_dma_map(0x.., 0x.., 0x.., 0x..) = -22 (Invalid argument)",
    // "qemu: hardware error: vfio: DMA mapping failed, unable to continue"
    needles: ['vfio_map_dma', 'vfio_dma_map(', 'dma mapping failed'],
    read: (line) =>
      withData('vfio-dma-map-failed', {
        error: capture(/VFIO_MAP_DMA(?: failed)?: (.+)/i, line) ?? capture(/vfio_dma_map\([^()]*\) = (-?\d+ .*)/i, line),
      }),
  },
  {
    // qemu: "Could not open '/home/u/Win10.iso': Permission denied" (also evdev and firmware paths)
    needles: ["could not open '"],
    read: (line) => {
      const match = /Could not open '([^']*)': (.+)/i.exec(line) ?? /Could not open '([^']*)'/i.exec(line)
      if (!match) return undefined
      const [path, reason] = [match[1]!, match[2]?.trim()]
      const kind = classifyOpenFailure(path, reason)
      return kind && withData(kind, {path, reason})
    },
  },
  {
    // libvirt: "Cannot access storage file '/home/x/a.iso' (as uid:107, gid:107): Permission denied"
    needles: ['cannot access storage file'],
    read: (line) => {
      const match = /Cannot access storage file '([^']*)'(?: \(as uid:(\d+), gid:(\d+)\))?: (.+)/i.exec(line)
      if (!match) return undefined
      const kind = classifyOpenFailure(match[1]!, match[4]!.trim())
      return kind && withData(kind, {path: match[1], uid: match[2], gid: match[3], reason: match[4]!.trim()})
    },
  },
  {
    // qemu: "can't open backing store /dev/shm/looking-glass for guest RAM: Permission denied"
    needles: ["can't open backing store"],
    read: (line) => {
      const match = /can't open backing store (\S+) for guest RAM: (.+)/i.exec(line)
      const kind = match && classifyOpenFailure(match[1]!, match[2]!.trim())
      return kind ? withData(kind, {path: match![1], reason: match![2]!.trim()}) : undefined
    },
  },
  {
    // Looking Glass client: "Failed to open: /dev/shm/looking-glass" then "Permission denied";
    // older: "Failed to open the shared memory file: /dev/shm/looking-glass"
    needles: ['failed to open: /dev/', 'shared memory file: ', 'shared memory device: '],
    read: (line, next) => {
      const path = capture(/Failed to (?:open|map)(?::| the shared memory (?:file|device):) (\/dev\/\S+)/i, line)
      if (path === undefined || !/^\/dev\/(?:shm\/|kvmfr)/.test(path)) return undefined
      return withData('shm-permission', {path, reason: lookingGlassReason(next)})
    },
  },
  {
    // libvirt: "Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory"
    needles: ['failed to connect socket to'],
    read: (line) => {
      const match = /Failed to connect socket to '([^']*)': (.+)/i.exec(line)
      const reason = match?.[2]?.trim()
      const kind = reason !== undefined && /permission denied/i.test(reason) ? 'libvirt-permission' : 'libvirt-connect-failed'
      return withData(kind, {socket: match?.[1], reason})
    },
  },
  {
    // libvirt: "authentication unavailable: no polkit agent available to authenticate action 'org.libvirt.unix.manage'"
    needles: ['authentication unavailable', 'authentication failed: polkit'],
    read: (line) => withData('libvirt-permission', {reason: capture(/authentication (?:unavailable|failed): (.+)/i, line)}),
  },
  {
    // qemu: "Could not access KVM kernel module: No such file or directory", "failed to initialize kvm: ...";
    // libvirt: "Domain requires KVM, but it is not available. ...", "... does not support virt type 'kvm'"
    needles: ['could not access kvm kernel module', 'failed to initialize kvm', 'domain requires kvm', "does not support virt type 'kvm'"],
    read: (line) =>
      withData('kvm-unavailable', {
        reason: capture(/(?:Could not access KVM kernel module|failed to initialize kvm): (.+)/i, line),
      }),
  },
  {
    // libvirt: "operation failed: Unable to find any firmware to satisfy 'efi'",
    // newer: "Unable to find 'efi' firmware that is compatible with the current configuration";
    // virt-manager: "Did not find any UEFI binary path for arch 'x86_64'"
    needles: ['unable to find any firmware to satisfy', 'firmware that is compatible with the current configuration', 'did not find any uefi binary path'],
    read: (line) =>
      withData('ovmf-missing', {
        firmware: capture(/firmware to satisfy '([^']*)'/i, line) ?? capture(/Unable to find '([^']*)' firmware/i, line),
        arch: capture(/for arch '([^']*)'/i, line),
      }),
  },
  {
    // libvirt: "Unable to find 'swtpm_setup' binary in $PATH: No such file or directory",
    // "Could not run '/usr/bin/swtpm_setup'. exitstatus: 1; Check error log ..."; Windows setup: "This PC can't run Windows 11"
    needles: ["unable to find 'swtpm", 'swtpm_setup', "this pc can't run windows 11", 'this pc can’t run windows 11', "doesn't currently meet windows 11"],
    read: (line) => {
      if (/swtpm/i.test(line) && !/Unable to find '[^']*' binary|Could not run '/i.test(line)) return undefined
      return withData('tpm-missing', {binary: capture(/(?:Unable to find|Could not run) '([^']{0,255}swtpm[^']{0,255})'/i, line)})
    },
  },
  {
    // qemu: "vfio 0000:01:00.0: failed to open /dev/vfio/1: Device or resource busy"; sysfs writes: "write error: Device or resource busy"
    needles: ['device or resource busy'],
    read: (line) => withData('device-in-use', {address: deviceAddress(line), group: capture(/\/dev\/vfio\/(\d+)/, line)}),
  },
  {
    // kernel: "Device is ineligible for IOMMU domain attach due to platform RMRR requirement.";
    // qemu: "failed to setup container for group 1: Failed to set iommu for container: Operation not permitted"
    // (missing interrupt remapping gives the same qemu message: the kernel log tells them apart)
    needles: ['rmrr requirement', 'failed to set iommu for container: operation not permitted'],
    read: (line) => withData('rmrr', {group: capture(/for group (\d+)/i, line), address: deviceAddress(line)}),
  },
  {
    // libvirt: "internal error: Unknown PCI header type '127' for device '0000:01:00.0'"
    needles: ["unknown pci header type '127'"],
    read: (line) => withData('pci-header-127', {address: capture(new RegExp(`for device '(${PCI})'`, 'i'), line)}),
  },
  {
    needles: ['_', 'stop code', ...SPOKEN_NEEDLES],
    read: (line) => {
      const code = capture(STOP_CODE, line) ?? SPOKEN_STOP_CODES.find((c) => c.pattern.test(line))?.code ?? capture(/stop code:?\s+([A-Z][A-Z0-9_]{5,})/i, line)
      return code === undefined ? undefined : {kind: 'windows-stop-code', data: {code: code.toUpperCase()}}
    },
  },
  {
    // Device Manager: "Windows has stopped this device because it has reported problems. (Code 43)"
    needles: ['43', 'has stopped this device because it has reported problems'],
    read: (line) =>
      /\b(?:code|error)\s*43\b|has stopped this device because it has reported problems/i.test(line) ? {kind: 'code-43'} : undefined,
  },
  {
    // Windows setup: "We couldn't find any drives. To get a storage driver, click Load driver." / "No drives were found."
    needles: ["couldn't find any drives", 'couldn’t find any drives', 'no drives were found', 'no drive found', 'no drives found'],
    read: () => ({kind: 'no-disk-found'}),
  },
  {
    // Looking Glass: "The host application is not compatible with this client", "Expected KVMFR version 19, got 18",
    // older: "KVMFR version missmatch, expected 9 but got 8"
    needles: ['host application is not compatible', 'kvmfr version missmatch', 'kvmfr version mismatch', 'expected kvmfr version', 'expected lgmp version', 'lgmp_err_invalid_version'],
    read: (line) => {
      const match = /expected (?:(?:KVMFR|LGMP) version )?(\d+),? (?:but )?got (\d+)/i.exec(line)
      return withData('lg-version-mismatch', {expected: match?.[1], got: match?.[2]})
    },
  },
  {
    // Looking Glass client: "IVSHMEM too small, screen truncated" / "Recommend increase size to 64 MiB";
    // host: "Maximum frame size of 33177600 bytes excceds maximum space available" (sic)
    needles: ['ivshmem too small', 'recommend increase', 'maximum space available'],
    read: (line) =>
      withData('lg-shm-too-small', {
        recommendedMiB: capture(/increas\w{0,8} (?:the )?size to (\d+) ?MiB/i, line),
        frameBytes: capture(/Maximum frame size of (\d+) bytes/i, line),
      }),
  },
  {
    // The client and the host (in the guest) name themselves first: Looking Glass is in use.
    needles: ['| looking glass (', '| looking glass host ('],
    read: (line) => {
      const match = /\|\s*Looking Glass (Host )?\(([\w.+-]+)\)\s*$/.exec(line)
      return match ? {kind: 'lg-banner', data: {side: match[1] ? 'host' : 'client', version: match[2]!}} : undefined
    },
  },
  {
    // qemu command lines and errors quote the device they pass: "-device vfio-pci,host=01:00.0,multifunction=on",
    // newer libvirt as JSON: -device {"driver":"vfio-pci","host":"0000:07:00.0",...} (quotes escaped in a log)
    needles: ['vfio-pci,host=', 'driver\\":\\"vfio-pci', 'driver":"vfio-pci'],
    read: (line) => {
      const address = capture(new RegExp(`vfio-pci,(?:[^ ]*,)?host=(${PCI})`, 'i'), line) ?? capture(new RegExp(`"driver\\\\?":\\\\?"vfio-pci\\\\?",\\\\?"host\\\\?":\\\\?"(${PCI})`, 'i'), line)
      return address === undefined ? undefined : {kind: 'vfio-device', data: {address: address.length === 7 ? `0000:${address.toLowerCase()}` : address.toLowerCase()}}
    },
  },
  {
    needles: ['-cpu '],
    read: (line) => {
      const model = capture(/(?:^|[\s*`'"])-cpu\s+([A-Za-z][\w.-]*)/, line)
      return model === undefined ? undefined : {kind: 'qemu-cpu-model', data: {model}}
    },
  },
]

export function scanFreeLog(text: string, origin: string): FreeLogSignal[] {
  const signals: FreeLogSignal[] = []
  const lines = text.split('\n')
  for (let index = 0; index < lines.length; index++) {
    const line = clip(lines[index]!)
    const lower = line.toLowerCase()
    const next = index + 1 < lines.length ? clip(lines[index + 1]!) : ''
    const kinds = new Set<FreeLogSignalKind>()
    for (const rule of RULES) {
      if (!rule.needles.some((needle) => lower.includes(needle))) continue
      const match = rule.read(line, next)
      if (!match || kinds.has(match.kind)) continue
      kinds.add(match.kind)
      const signal: FreeLogSignal = {kind: match.kind, origin, n: index + 1, text: line.trim().slice(0, MAX_TEXT)}
      if (match.data) signal.data = match.data
      signals.push(signal)
    }
  }
  return signals
}

function clip(line: string): string {
  const clipped = line.length > MAX_LINE ? line.slice(0, MAX_LINE) : line
  return clipped.endsWith('\r') ? clipped.slice(0, -1) : clipped
}
