/**
 * Done means: for every seed fixture host, the plan fixes every error `check` reports. The plan is
 * applied to a copy of the evidence the way the rebuild and reboot would (test/helpers/apply-plan.ts),
 * firmware steps with what the fixture's fixed variant shows after them (the seed document's own
 * lines), and `check` then reports no errors. Its Nix parses, its XML validates against libvirt's
 * schema and its diff applies with patch.
 */
import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {diagnose} from '../../src/engine/pipeline.js'
import {buildPlan} from '../../src/plan/build.js'
import {decideDomain} from '../../src/plan/domain-changes.js'
import {rewriteDomain} from '../../src/plan/domain-rewrite.js'
import type {PlanOptions} from '../../src/plan/types.js'
import {readEvidenceFolder} from '../../src/sources/evidence.js'
import {applyPlan, type FirmwareResult} from '../helpers/apply-plan.js'
import {fixturesDir} from '../helpers/paths.js'
import {expectNixParses, expectPatchApplies, expectValidDomain} from '../helpers/tools.js'

/** Files of a fixture, optionally without the lines `drop` matches. */
function fixtureFiles(fixture: string, names: string[], drop?: RegExp): Record<string, string> {
  const read = (name: string) => readFileSync(join(fixturesDir, fixture, name), 'utf8')
  return Object.fromEntries(names.map((name) => [name, drop ? read(name).split('\n').filter((l) => !drop.test(l)).join('\n') : read(name)]))
}

/**
 * Seed 000 once VT-d is on ("After doing so, the output of each command looked better!"): its second
 * kernel log block and its whole group listing, as seed-000-boot-freeze holds them.
 */
const seed000VtdOn: FirmwareResult = {steps: ['firmware-iommu'], files: fixtureFiles('seed-000-boot-freeze', ['iommu-groups.txt', 'dmesg.txt'])}

/**
 * Then the firmware set to use both the iGPU and the dGPU: the HD 630 at 00:02.0 and boot VGA, as the
 * fixed variant seed-000-working shows it (its vfio lines are the configuration's doing, not the firmware's).
 */
const seed000IgpuOn: FirmwareResult = {steps: ['firmware-igpu'], files: fixtureFiles('seed-000-working', ['iommu-groups.txt', 'dmesg.txt'], /vfio/i)}

/** A Windows guest as virt-manager's defaults make it, before any passthrough change. */
const NEW_GUEST = `<domain type='kvm'>
  <name>new</name>
  <memory unit='KiB'>8388608</memory>
  <vcpu placement='static'>1</vcpu>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
  </os>
  <features>
    <acpi/>
    <apic/>
  </features>
  <clock offset='localtime'/>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <input type='tablet' bus='usb'/>
    <graphics type='spice' autoport='yes'/>
    <video>
      <model type='qxl'/>
    </video>
  </devices>
</domain>
`

interface Round {
  options?: PlanOptions
  firmware?: FirmwareResult
}

/** Fixtures whose plan asks for firmware changes, with what the firmware shows after them; a round per plan run. */
const ROUNDS: Record<string, Round[]> = {
  // The first plan has no device part (no groups yet) and says to run it again once the groups are listed.
  'seed-000-vtd-off': [{firmware: seed000VtdOn}, {firmware: seed000IgpuOn}],
  'seed-000-boot-freeze': [{firmware: seed000IgpuOn}],
}

const hosts = readdirSync(fixturesDir).filter((n) => n.startsWith('seed-') && statSync(join(fixturesDir, n)).isDirectory()).sort()

/** Options from the fixture: --vm for its one domain, --gpu as its expected file gives it. */
async function defaultOptions(dir: string): Promise<PlanOptions> {
  const set = await readEvidenceFolder(dir)
  const {facts} = diagnose(set)
  const names = (facts.domains ?? []).map((d) => d.name).filter(Boolean)
  const expectedFile = `${dir}.expected.json`
  const gpu = existsSync(expectedFile) ? (JSON.parse(readFileSync(expectedFile, 'utf8')) as {gpu?: string}).gpu : undefined
  return {...(names.length === 1 ? {vm: names[0]!} : {}), ...(gpu ? {gpu} : {})}
}

async function errorsIn(dir: string, gpu?: string): Promise<string[]> {
  const {report} = diagnose(await readEvidenceFolder(dir), gpu ? {gpu} : {})
  expect(report.checks.filter((c) => c.status === 'crashed')).toEqual([])
  return report.findings.filter((f) => f.severity === 'error').map((f) => `${f.id}: ${f.message}`)
}

describe.each(hosts)('plan for %s', (host) => {
  it('leaves check with no errors once applied, with Nix that parses, XML that validates and a diff that patch applies', async () => {
    let dir = join(fixturesDir, host)
    const rounds = ROUNDS[host] ?? [{}]
    for (const [i, round] of rounds.entries()) {
      const options = {...(await defaultOptions(dir)), ...round.options}
      const plan = buildPlan(await readEvidenceFolder(dir), options)
      const before = plan.findings.filter((f) => f.severity === 'error').map((f) => f.id)
      // The plan says what answers each error, and the check afterwards agrees.
      expect(plan.coverage.filter((c) => c.finding.severity === 'error' && !c.fix).map((c) => c.finding.id)).toEqual([])
      dir = applyPlan(dir, plan, round.firmware)
      expect(await errorsIn(dir, options.gpu), `${host} round ${i + 1}: errors before: ${before.join(', ') || 'none'}`).toEqual([])
      const label = `${host}-${i + 1}`
      expectNixParses(plan.nixosModule, label)
      if (plan.domain) {
        expectValidDomain(plan.domain.rewritten, label)
        expectPatchApplies(plan.domain.original, plan.domain.diff, plan.domain.rewritten, label)
      }
      // The fragments, put into a new guest the way virt-manager makes one, validate too.
      expectValidDomain(rewriteDomain(NEW_GUEST, decideDomain(plan.choices, plan.facts, plan.findings)), `${label}-fragments`)
    }
  })
})

describe.each(hosts)('plan for %s with every option', (host) => {
  it('still gives Nix that parses and XML that validates and patches', async () => {
    const dir = join(fixturesDir, host)
    const options: PlanOptions = {...(await defaultOptions(dir)), lookingGlass: {width: 3840, height: 2160}, nvidiaLegacy: true, user: 'tester'}
    const plan = buildPlan(await readEvidenceFolder(dir), options)
    expect(plan.choices.lookingGlass?.sizeMiB).toBe(128)
    expectNixParses(plan.nixosModule, `${host}-all`)
    expectValidDomain(rewriteDomain(NEW_GUEST, decideDomain(plan.choices, plan.facts, plan.findings)), `${host}-all-fragments`)
    if (plan.domain) {
      expectValidDomain(plan.domain.rewritten, `${host}-all`)
      expectPatchApplies(plan.domain.original, plan.domain.diff, plan.domain.rewritten, `${host}-all`)
    }
  })
})
