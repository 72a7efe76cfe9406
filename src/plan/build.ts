/**
 * Sources -> the plan: the host's facts, what every check finds, the choices made from both, and
 * every output built from those choices. Pure: the same evidence always gives the same plan.
 */
import {CHECKS} from '../../checks/index.js'
import {runChecks} from '../engine/run-checks.js'
import type {Finding} from '../engine/types.js'
import {assembleFacts} from '../facts/assemble.js'
import type {Facts} from '../facts/types.js'
import type {SourceSet} from '../sources/types.js'
import {UsageError} from '../util/errors.js'
import {decide} from './choices.js'
import {decideDomain, type DomainDecisions} from './domain-changes.js'
import {rewriteDomain} from './domain-rewrite.js'
import {fragments} from './libvirt-fragments.js'
import {nixosModule, replacedNixLines} from './nixos-module.js'
import {otherDistros} from './other-distros.js'
import {personSteps} from './steps.js'
import type {Choices, Coverage, DomainPlan, Plan, PlanOptions, Step} from './types.js'
import {unifiedDiff} from './unified-diff.js'

/** The plan, with the facts, findings and domain decisions it was made from (tests and tools read them). */
export function buildPlan(set: SourceSet, options: PlanOptions = {}): Plan & {facts: Facts; findings: Finding[]; decisions: DomainDecisions} {
  const facts = assembleFacts(set, options.gpu ? {gpu: options.gpu} : {})
  const findings = runChecks(CHECKS, facts).flatMap((r) => r.findings)
  const choices = decide(facts, findings, options)
  const model = options.vm ? findDomain(facts, options.vm) : undefined
  const decisions = decideDomain(choices, facts, findings, model)
  const domain = model ? domainPlan(set, model, decisions, choices) : undefined
  const other = otherDistros(choices)
  const steps = personSteps({facts, findings, choices, ...(domain && model ? {domain: {name: model.name, file: domain.file, decisions}} : {}), replacedNixLines: replacedNixLines(facts, choices), other})
  return {
    facts,
    findings,
    decisions,
    choices,
    nixosModule: nixosModule(choices),
    otherDistros: other,
    fragments: fragments(choices, decisions),
    ...(domain ? {domain} : {}),
    steps,
    coverage: coverage(findings, choices, decisions, steps, domain !== undefined),
  }
}

function findDomain(facts: Facts, name: string) {
  const domain = facts.domains?.find((d) => d.name === name)
  if (domain) return domain
  const names = (facts.domains ?? []).map((d) => d.name).filter(Boolean)
  throw new UsageError(`--vm ${name}: no such domain in the evidence${names.length ? ` (domains: ${names.join(', ')})` : ' (it has no domain XML)'}`)
}

function domainPlan(set: SourceSet, model: NonNullable<ReturnType<typeof findDomain>>, decisions: DomainDecisions, choices: Choices): DomainPlan | undefined {
  const source = set.sources.find((s) => s.kind === 'domainXml' && s.status === 'ok' && s.origin === model.origin)
  const malformed = model.warnings.find((w) => w.startsWith('malformed XML') || w.startsWith('DOCTYPE'))
  if (!source?.text || malformed) {
    choices.notes.push(`the XML of ${model.name} is not rewritten: ${malformed ?? 'its text is not in the evidence'}; use the fragments`)
    return undefined
  }
  const base = model.origin.slice(model.origin.lastIndexOf('/') + 1)
  const file = /\.xml$/i.test(base) && !/\s/.test(base) ? base : `domain-${model.name}.xml`
  const rewritten = rewriteDomain(source.text, decisions)
  return {name: model.name, file, original: source.text, rewritten, diff: unifiedDiff(source.text, rewritten, `a/${file}`, `b/${file}`), changes: decisions.changes}
}

/** Which part of the plan answers each error and warning `check` reports today. */
function coverage(findings: Finding[], c: Choices, d: DomainDecisions, steps: Step[], rewritten: boolean): Coverage[] {
  const step = (kind: Step['kind']) => {
    const at = steps.findIndex((s) => s.kind === kind)
    return at < 0 ? undefined : `step ${at + 1} (${steps[at]!.title})`
  }
  const domain = rewritten ? 'the rewritten domain XML' : 'the libvirt fragments'
  const host = c.host.nixos ? 'vfio.nix' : '/etc/modprobe.d/vfio.conf, the initramfs and the kernel parameters'
  const bound = c.gpu ? `${host}: vfio-pci gets ${c.passed.map((p) => p.address).join(', ')} ${c.binding.kind === 'ids' ? 'by id' : 'by address'}, loaded first` : undefined
  const answers: Record<string, (f: Finding) => string | undefined> = {
    'cpu-virt-disabled': () => step('firmware-virtualization'),
    'iommu-firmware-off': () => step('firmware-iommu'),
    'iommu-groups-empty': () => step('firmware-iommu'),
    'iommu-kernel-off': () => `${host}: ${c.kernelParams.filter((p) => /iommu/.test(p.text)).map((p) => p.text).join(' ')}${c.staleParams.length ? `, without ${c.staleParams.map((p) => p.text).join(' ')}` : ''}`,
    'iommu-param-wrong': () => `${host}: only ${c.kernelParams.filter((p) => /iommu/.test(p.text)).map((p) => p.text).join(' ')}`,
    'interrupt-remapping-missing': () => step('firmware-interrupt-remapping') ?? (c.staleParams.some((p) => p.text === 'intremap=off') ? 'intremap=off removed' : undefined),
    'reboot-pending': () => step('host-config'),
    'kernel-module-obsolete': () => `${host}: no vfio_virqfd, no kvm module for the wrong vendor`,
    'vfio-modules-missing': () => bound,
    'gpu-driver-not-vfio': () => bound,
    'companion-function-not-vfio': () => bound,
    'vfio-load-order': () => bound,
    'vfio-ids-wrong': () => bound,
    'group-not-viable': () => bound,
    'iommu-group-shared': () => bound,
    'host-display-lost': () => step('firmware-igpu'),
    'framebuffer-conflict': (f) => (c.kernelParams.some((p) => p.text === f.values?.param) ? `kernel parameter ${f.values?.param}` : undefined),
    'pcie-aspm-errors': () => 'kernel parameter pcie_aspm=off',
    'kvm-msr-crash': () => 'kernel parameter kvm.ignore_msrs=1',
    'libvirt-access': () => (c.user ? `${c.host.nixos ? 'vfio.nix' : 'usermod'}: ${c.user} in the ${c.host.nixos ? 'libvirtd' : 'libvirt'} group, and the reboot` : c.host.nixos ? undefined : `${step('host-config')}: libvirtd enabled, you in the libvirt group (--user NAME gives the exact command)`),
    'firmware-not-uefi': () => `${domain}: <os firmware='efi'>${c.host.nixos ? '; vfio.nix: OVMF' : ''}`,
    'tpm-missing': () => `${domain}: <tpm> TPM 2.0 emulator${c.host.nixos ? '; vfio.nix: swtpm' : ''}`,
    'nvidia-error-43': (f) => (c.hideHypervisor ? `${domain}: vendor_id and <kvm><hidden/>` : f.severity === 'warning' ? 'nothing to change for NVIDIA drivers R465 and later (the domain says why); --nvidia-legacy adds the hiding for older ones' : undefined),
    'iso-permissions': (f) => step(d.diskMoves.some((m) => m.from === f.values?.path) ? 'move-file' : 'file-access'),
    'hostdev-address-missing': () => `${domain}: the wrong <hostdev> removed, the guest's functions passed`,
    'hostdev-incomplete': () => `${domain}: every function of the group passed`,
    'cpu-topology-default': () => `${domain}: <topology> one socket`,
    'cpu-mode-not-passthrough': () => `${domain}: <cpu mode='host-passthrough'>`,
    'looking-glass-shm': () => (c.lookingGlass ? `${c.host.nixos ? 'vfio.nix' : 'looking-glass.conf'}: the tmpfiles rule; ${step('reset-shm') ?? 'the reboot'}` : undefined),
    'looking-glass-display-config': () => (d.lookingGlass ? `${domain}: video none, no tablet, SPICE for input` : undefined),
    'evdev-input-invalid': (f) => (d.evdevFixes.some((e) => e.from === f.values?.path) ? `${domain}: the event device instead` : undefined),
  }
  return findings
    .filter((f) => f.severity !== 'info')
    .map((f) => {
      const fix = answers[f.id]?.(f)
      return {finding: {id: f.id, severity: f.severity, message: f.message}, ...(fix ? {fix} : {})}
    })
}
