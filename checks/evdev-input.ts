import {defineCheck, type Reporter} from '../src/engine/types.js'
import type {Facts} from '../src/facts/types.js'
import type {DomainModel} from '../src/parse/domain-xml.js'
import {baseName, domainLabel, domainSubject} from './lib/domain.js'
import {logLine, logSignalsOf, qemuUser} from './lib/libvirt.js'
import {canReadWrite, nodeAt} from './lib/looking-glass.js'

/** An input device a domain hands to QEMU by path. */
interface EvdevSource {
  domain: DomainModel
  path: string
  /** grab='all' (libvirt) or grab_all=on (input-linux): the toggle switches every evdev device. */
  grabAll: boolean
  /** <qemu:commandline> input-linux: libvirt neither chowns the node nor lets it through the cgroup. */
  commandline: boolean
  element: string
}

/** mousedev and joydev nodes: readable, but not evdev, so QEMU refuses them. */
const LEGACY_NODE = /^\/dev\/input\/(?:mouse\d+|mice|js\d+)$/

/**
 * evdev passthrough gives the guest the host's keyboard and mouse: each source must exist when the VM
 * starts and be an event device (/dev/input/eventN or a by-id / by-path link with "event" in its name,
 * seed 003's tip). With several devices, the one the toggle is pressed on (the keyboard) needs
 * grab='all' so the mouse switches with it.
 */
export default defineCheck({
  id: 'evdev-input',
  title: 'evdev input devices exist and are event devices',
  area: 'looking-glass',
  reports: ['evdev-input-invalid'],
  needs: ['domains'],
  uses: ['fileAccess', 'devNodes', 'logSignals', 'os', 'nixConfig', 'qemuConf'],
  run(facts, report) {
    const sources = facts.domains!.flatMap(evdevSources)
    if (sources.length === 0) return report.skip('no domain uses evdev input')
    const unseen: string[] = []
    for (const source of sources) if (!checkSource(source, facts, report)) unseen.push(source.path)
    for (const domain of facts.domains!) checkGrab(sources.filter((s) => s.domain === domain), report)
    if (unseen.length) report.skip(`cannot see ${unseen.join(', ')}: add \`namei -l ${unseen.join(' ')}\` (or \`ls -l /dev/input/by-id/\`) as permissions.txt`)
  },
})

function evdevSources(domain: DomainModel): EvdevSource[] {
  const label = domainLabel(domain)
  const fromInputs = domain.inputs.flatMap((input): EvdevSource[] =>
    (input.type === 'evdev' || input.type === 'passthrough') && input.sourceDev
      ? [{domain, path: input.sourceDev, grabAll: input.grab === 'all', commandline: false, element: `${label}: <input type='${input.type}'><source ${input.type === 'evdev' ? 'dev' : 'evdev'}='${input.sourceDev}'${input.grab ? ` grab='${input.grab}'` : ''}${input.repeat ? ` repeat='${input.repeat}'` : ''}/>`}]
      : [],
  )
  const fromArgs = domain.qemuArgs.flatMap((arg): EvdevSource[] => {
    const json = /^\s*\{/.test(arg) ? safeJson(arg) : undefined
    const path = json ? json.evdev : /(?:^|,)evdev=([^,]+)/.exec(arg)?.[1]
    if (typeof path !== 'string' || !/input-linux|virtio-input-host/.test(arg)) return []
    const grabAll = json ? json.grab_all === true || json.grab_all === 'on' : /(?:^|,)grab_all=(?:on|yes|true)/.test(arg)
    return [{domain, path, grabAll, commandline: true, element: `${label}: <qemu:arg value='${arg.slice(0, 200)}'/>`}]
  })
  return [...fromInputs, ...fromArgs]
}

function safeJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text)
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** One source: an event device, present, openable. Returns whether the evidence showed it. */
function checkSource(source: EvdevSource, facts: Facts, report: Reporter): boolean {
  const {path, domain} = source
  const node = nodeAt(facts, path)
  const signals = logSignalsOf(facts, 'evdev-failed').filter((s) => (s.data?.path ?? '') === path || s.text.includes(`'${path}'`))
  const target = facts.fileAccess?.get(path)?.chain.at(-1)?.path
  const evidence = [source.element, ...(node ? [node.evidence] : []), ...signals.map(logLine)]
  const qemu = qemuUser(facts)
  const values = {path, eventPath: eventLinkFor(path), domain: domainSubject(domain), qemuUser: qemu && qemu.name !== 'root' ? qemu.name : 'qemu'}

  const notEvent = notEventReason(path, target)
  if (notEvent) {
    report.error('evdev-input-invalid', {
      subject: path,
      message: `${domainLabel(domain)}: ${notEvent}; QEMU refuses it ("is not an evdev device"). Use the -event-kbd / -event-mouse link of the same device.`,
      evidence,
      values,
    })
    return true
  }
  const missing = (node && !node.exists) || signals.some((s) => /no such file/i.test(s.data?.reason ?? s.text))
  if (missing) {
    report.error('evdev-input-invalid', {
      subject: path,
      message: `${domainLabel(domain)}: ${path} does not exist, so the VM does not start ("Could not open '${path}'"): the device is unplugged, was renamed, or its link is made later (a udev rule, KMonad).`,
      evidence,
      values,
    })
    return true
  }
  const denied = signals.filter((s) => /permission denied|operation not permitted/i.test(s.data?.reason ?? s.text))
  const shutOut = source.commandline && node?.exists && qemu?.certain && canReadWrite(node, {name: qemu.name, groups: qemu.group ? [qemu.group] : []}) === false
  if (denied.length > 0 || shutOut) {
    const who = qemu ? `${qemu.name} (${qemu.how})` : 'the qemu user'
    // A by-id link's own mode (lrwxrwxrwx root root) says nothing about who may open the node.
    const modeOf = node?.mode && !node.mode.startsWith('l') ? ` (${node.mode} ${node.owner}:${node.group})` : ''
    report.error('evdev-input-invalid', {
      subject: path,
      message: `${domainLabel(domain)}: qemu, running as ${who}, cannot open ${path}${modeOf}${source.commandline ? ': libvirt does not chown devices named only in <qemu:commandline>' : ''}.`,
      evidence,
      values,
    })
    return true
  }
  return node !== undefined
}

/** Why a path is not an evdev node, or undefined when it is (or may be: /dev/KMONAD_DEVICE and other udev links). */
function notEventReason(path: string, resolved: string | undefined): string | undefined {
  if (LEGACY_NODE.test(path)) return `${path} is a legacy ${path.includes('/js') ? 'joystick' : 'mouse'} node, not an event device`
  if (/^\/dev\/input\/by-(?:id|path)\//.test(path) && !/event/i.test(baseName(path))) return `${baseName(path)} has no "event" in its name: it is the ${/joystick|js/i.test(path) ? 'joystick' : 'mouse'} interface, not the event device`
  if (resolved && LEGACY_NODE.test(resolved)) return `${path} points to ${resolved}, a legacy node, not an event device`
  return undefined
}

/**
 * The event link of the same device: udev names the mousedev link "...-if01-mouse" and the event one
 * "...-if01-event-mouse" (likewise -kbd, -joystick). A bare legacy node does not say which device it is.
 */
function eventLinkFor(path: string): string {
  if (LEGACY_NODE.test(path)) return '/dev/input/by-id/DEVICE-event-mouse'
  if (/^\/dev\/input\/by-(?:id|path)\//.test(path) && !/event/i.test(baseName(path))) return path.replace(/-(mouse|kbd|joystick)$/, '-event-$1')
  return path
}

/** Several evdev devices and no grab='all': the toggle moves only the keyboard, the mouse stays behind. */
function checkGrab(sources: EvdevSource[], report: Reporter): void {
  if (sources.length < 2 || sources.some((s) => s.grabAll)) return
  const domain = sources[0]!.domain
  const keyboard = sources.find((s) => /kbd|keyboard/i.test(s.path)) ?? sources[0]!
  report.warning('evdev-input-invalid', {
    subject: domainSubject(domain),
    message: `${domainLabel(domain)} passes ${sources.length} evdev devices and none has grab='all': pressing both Ctrl keys switches only the device it is pressed on, so the mouse stays with the guest (or the host).`,
    evidence: sources.map((s) => s.element),
    values: {path: keyboard.path, eventPath: keyboard.path, domain: domainSubject(domain), qemuUser: 'qemu'},
  })
}
