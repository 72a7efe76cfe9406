/**
 * The command a person ran, as a paste shows it ("$ lspci -nnk", "[user@host ~]$ sudo dmesg | grep
 * -i iommu", "# cat /proc/cmdline", a "dmesg output:" heading): which kind of output follows.
 */
import type {SourceKind} from '../types.js'

export interface CommandHint {
  kind: SourceKind
  /** For kinds that come in several: `readlink /run/booted-system` is the booted generation. */
  label?: string
}

/** Tried in order on the command (or heading) text; the first that matches names what follows. */
const COMMANDS: Array<[RegExp, CommandHint]> = [
  [/\b(?:dmesg|journalctl\b[^|\n]{0,200}?(?:-k|--dmesg|-b))|kern\.log|kernel log/i, {kind: 'kernelLog'}],
  [/\/sys\/kernel\/iommu_groups|iommu[-_ ]?groups?|ls-iommu|\biommu\.sh\b|lsiommu/i, {kind: 'iommuListing'}],
  [/\blspci\b/i, {kind: 'lspci'}],
  [/\blsmod\b|\/proc\/modules/i, {kind: 'modules'}],
  [/\/run\/booted-system\/kernel-params/i, {kind: 'nixKernelParams', label: 'booted'}],
  [/\/run\/current-system\/kernel-params|kernel-params\b/i, {kind: 'nixKernelParams', label: 'current'}],
  [/\/proc\/cmdline|\bcmdline\b|kernel command line/i, {kind: 'cmdline'}],
  [/\/proc\/cpuinfo|\blscpu\b|\bcpuinfo\b/i, {kind: 'cpuinfo'}],
  [/\bkvm-ok\b|virt-host-validate|mkinitcpio|dracut|update-initramfs|nixos-rebuild|quickemu|quickget/i, {kind: 'log'}],
  [/\/var\/log\/libvirt|qemu-system|qemu\.log|\bvirsh (?:start|create|define|attach|nodedev)|virt-install|virt-manager/i, {kind: 'qemuLog'}],
  [/\bvirsh (?:dumpxml|edit)\b|\.xml\b|domain xml/i, {kind: 'domainXml'}],
  [/\bvirsh list\b/i, {kind: 'virshList'}],
  [/\/run\/booted-system/i, {kind: 'nixSystem', label: 'booted'}],
  [/\/run\/current-system/i, {kind: 'nixSystem', label: 'current'}],
  [/\.nix\b|configuration\.nix|\/etc\/nixos/i, {kind: 'nixConfig'}],
  [/modprobe\.d|modprobe\.conf/i, {kind: 'modprobe'}],
  [/qemu\.conf/i, {kind: 'qemuConf'}],
  [/\/etc\/os-release|\/usr\/lib\/os-release|os-release/i, {kind: 'osRelease'}],
  [/\/proc\/version/i, {kind: 'procVersion'}],
  [/\buname\b/i, {kind: 'uname'}],
  [/systemd-detect-virt/i, {kind: 'detectVirt'}],
  [/\/sys\/firmware\/acpi\/tables/i, {kind: 'acpiTables'}],
  [/\/sys\/class\/iommu/i, {kind: 'iommuClass'}],
  [/\/sys\/module\/kvm/i, {kind: 'kvmParams'}],
  [/^(?:sudo\s+)?(?:id|groups)\b/i, {kind: 'userGroups'}],
  [/^(?:sudo\s+)?(?:ls|namei|stat)\b[^|]*\/dev\/(?:kvm|vfio|shm\/looking-glass|kvmfr)/i, {kind: 'devNodes'}],
  [/^(?:sudo\s+)?(?:ls|namei|stat|getfacl)\b/i, {kind: 'permissions'}],
]

/**
 * Commands a root prompt ("# lspci"), a bare "> " prompt or a fancy one ("❯ lspci", "» lspci") may start
 * with: any other "# ..." line is a comment, any other "> ..." line is a Markdown quote of output, and any
 * other "❯ ..." line is output (dockur/windows and qemus/qemu print their log lines as "❯ Starting ...").
 */
const ROOT_PROMPT_COMMANDS =
  /^(?:sudo|dmesg|journalctl|lspci|lsmod|lscpu|cat|grep|find|for|ls|namei|stat|id|groups|uname|readlink|virsh|kvm-ok|virt-host-validate|mkinitcpio|dracut|update-initramfs|nixos-rebuild|systemd-detect-virt|quickemu|qemu-system-\w+|bash|sh|\.\/\S+|modprobe|lsblk|ls-iommu|doas)\b/

/** "$ cmd", "user@host:~$ cmd", "[user@host dir]$ cmd", "root@host:~# cmd"; "# cmd", "> cmd" and "❯ cmd" (known commands only). */
const PROMPT = /^\s*(?:(?:\[[^\]\n]{1,80}\]|[\w.-]{1,64}@[\w.-]{1,64}(?::[^\s$#]{0,200})?)\s?[$#%]|[$%])\s+(\S.*)$/
const ROOT_PROMPT = /^\s*[#>\u276f\u00bb]\s+(\S.*)$/

/** The command on a prompt line, or undefined when the line is not a prompt. */
export function promptCommand(line: string): string | undefined {
  const prompt = PROMPT.exec(line)
  if (prompt) return prompt[1]!.trim()
  const root = ROOT_PROMPT.exec(line)
  return root && ROOT_PROMPT_COMMANDS.test(root[1]!) ? root[1]!.trim() : undefined
}

/** What a command (or a heading naming one) prints. */
export function hintOfCommand(command: string): CommandHint | undefined {
  return COMMANDS.find(([pattern]) => pattern.test(command))?.[1]
}
