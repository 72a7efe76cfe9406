import {defineCheck} from '../src/engine/types.js'
import {UNKNOWN_USER} from '../src/knowledge/stand-ins.js'
import type {Facts} from '../src/facts/types.js'
import {isNixos} from './lib/host.js'
import {libvirtGroup, logLine, logSignalsOf} from './lib/libvirt.js'
import {NO_SYSTEM_DAEMON, SYSTEM_DAEMON_SOCKETS} from '../src/sources/libvirt-daemon.js'

/**
 * The person can reach the libvirt daemon that holds the VMs: the daemon runs (its socket exists),
 * they may use it (the libvirt group), and they ask the right connection (qemu:///system; a plain
 * `virsh` as a normal user asks the per-user qemu:///session, which holds other VMs or none).
 */
export default defineCheck({
  id: 'libvirt-access',
  title: 'You can reach the libvirt daemon that runs the VMs',
  area: 'vm',
  reports: ['libvirt-access'],
  needs: [],
  uses: ['virshList', 'domains', 'logSignals', 'user', 'os', 'nixConfig'],
  run(facts, report) {
    const connectFailed = logSignalsOf(facts, 'libvirt-connect-failed')
    const denied = logSignalsOf(facts, 'libvirt-permission')
    // Only a virsh that ran and failed says something; "no virsh list in the evidence" does not.
    const reason = facts.virshList ? undefined : facts.unknown.virshList?.reason
    const listFailed = reason && /^virsh(?::| did not answer)/.test(reason) ? reason : undefined
    const noDaemon = reason?.startsWith(NO_SYSTEM_DAEMON) ? reason : undefined
    const group = libvirtGroup(facts)
    const user = facts.user && facts.user.name !== 'root' ? facts.user : undefined
    const inGroup = user ? user.groups.includes(group) : undefined
    const values = {group, user: user?.name ?? UNKNOWN_USER, daemon: 'libvirtd'}
    const groupEvidence = user ? [`id: ${user.name} is in ${user.groups.join(', ') || 'no groups'}`] : []

    if (!facts.virshList && !listFailed && !noDaemon && connectFailed.length === 0 && denied.length === 0 && !user) {
      return report.skip('no virsh list output, libvirt error text or `id` output')
    }

    if (connectFailed.length > 0) {
      const socket = connectFailed.find((s) => s.data?.socket)?.data?.socket ?? '/run/libvirt/libvirt-sock'
      const daemon = /virtqemud/.test(socket) ? 'virtqemud' : 'libvirtd'
      const session = /\/run\/user\/|\.cache|XDG_RUNTIME_DIR/.test(socket)
      report.error('libvirt-access', {
        message: session
          ? `The per-user libvirt daemon could not be reached at ${socket}: this is the qemu:///session connection, not qemu:///system where passthrough VMs live.`
          : `The libvirt daemon is not running: its socket ${socket} is missing or refuses connections.`,
        evidence: connectFailed.map(logLine),
        values: {...values, daemon},
      })
    } else if (denied.length > 0) {
      report.error('libvirt-access', {
        message: `You may not use the system libvirt daemon${inGroup === false ? `: ${user!.name} is not in the ${group} group` : inGroup ? `, although ${user!.name} is in ${group}: a new group only applies from the next login, so log out and in (or reboot)` : `: add yourself to the ${group} group`}.`,
        evidence: [...denied.map(logLine), ...groupEvidence],
        values,
      })
    } else if (noDaemon) {
      report.error('libvirt-access', {
        message: `The libvirt daemon is not running: ${SYSTEM_DAEMON_SOCKETS.join(' and ')}, the sockets virsh connects to for qemu:///system, do not exist.`,
        evidence: [`virsh list: ${noDaemon}`, ...groupEvidence],
        values,
      })
    } else if (listFailed) {
      // virsh's first error line is often the generic "failed to connect to the hypervisor".
      const cause = /permission denied|authentication/i.test(listFailed)
        ? 'you may not use the daemon'
        : /no such file or directory|connection refused/i.test(listFailed)
          ? 'the daemon is not running'
          : inGroup === false
            ? `${user!.name} is not in the ${group} group, or the daemon is not running`
            : 'the daemon is not running, you may not use it, or the connection URI is wrong'
      report.error('libvirt-access', {
        message: `virsh could not list the VMs (${listFailed}): ${cause}.`,
        evidence: [`virsh list: ${listFailed}`, ...groupEvidence],
        values,
      })
    } else if (inGroup === false) {
      const configured = configuredGroup(facts, user!.name, group)
      report.warning('libvirt-access', {
        message: configured
          ? `The configuration puts ${user!.name} in ${group}, but the account is not in it yet: log out and in (or reboot) for the group to apply.`
          : `${user!.name} is not in the ${group} group: virt-manager asks for the root password for qemu:///system, and virsh without sudo lands on qemu:///session, which does not see the system's VMs.`,
        evidence: [...groupEvidence, ...(configured ? [configured] : [])],
        values,
      })
    } else if (user) report.pass(`${user.name} is in the ${group} group`)

    const listed = facts.virshList
    if (listed && listed.names.length === 0) {
      const defined = facts.domains ?? []
      const system = /qemu:\/\/\/system/.test(listed.origin)
      if (defined.length > 0 && !system) {
        report.warning('libvirt-access', {
          message: `virsh list shows no domains, yet ${defined.map((d) => d.name || d.origin).join(', ')} ${defined.length > 1 ? 'are' : 'is'} defined: virsh asked another connection. As a normal user plain \`virsh\` uses qemu:///session; the passthrough VMs are on qemu:///system.`,
          evidence: [`${listed.origin}: no domains listed`, ...defined.map((d) => `${d.origin}: domain ${d.name}`)],
          values,
        })
      } else if (defined.length === 0) {
        report.info('libvirt-access', {
          message: `${system ? 'qemu:///system' : 'The connection virsh asked'} has no domains. If virt-manager shows your VM, it is on the other connection (qemu:///session, "QEMU/KVM User session"), which cannot manage PCI passthrough; create it under qemu:///system.`,
          evidence: [`${listed.origin}: no domains listed`],
          values,
        })
      }
    } else if (listed) report.pass(`virsh lists ${listed.names.length} domain(s)`)
  },
})

/** On NixOS, the configuration line that adds the group, when there is one. */
function configuredGroup(facts: Facts, user: string, group: string): string | undefined {
  if (!isNixos(facts)) return undefined
  for (const config of facts.nixConfig ?? []) {
    const entry = config.userGroups.find((g) => g.user === user && g.groups.some((n) => n.value === group))
    if (entry) return `${config.file}:${entry.line}: users.users.${user}.extraGroups includes "${group}"`
  }
  return undefined
}
