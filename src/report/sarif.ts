import {knowledgeIds, loadPage} from '../knowledge/page.js'
import type {Severity} from '../engine/types.js'
import type {HostReport} from './hosts.js'
import {fingerprint} from './identity.js'
import {fileLocations, logicalLocation, type FileLocation} from './locations.js'
import {configurationOnlyNote, type ReportFinding} from './model.js'

/** The schema the output follows (test/schemas/sarif-schema-2.1.0.json is its copy). */
const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json'
const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {error: 'error', warning: 'warning', info: 'note'}

/**
 * SARIF 2.1.0, as GitHub code scanning and other SARIF viewers read it: one run per host (its own
 * automationDetails id, so the runs of one upload stay apart), one rule per knowledge page, one
 * result per finding with a physical location for each evidence line that names a file (and its
 * line when it names one) and the subject (PCI device, domain) as a logical location.
 */
export function renderSarif(hosts: HostReport[]): string {
  const rules = knowledgeIds().map(rule)
  const index = new Map(rules.map((r, i) => [r.id, i]))
  const runs = hosts.map((host) => ({
    tool: {driver: {name: 'vfio-doctor', version: host.report.tool.version, rules}},
    automationDetails: {id: `vfio-doctor/${host.name}/`},
    ...invocations(host),
    results: [...host.report.findings.map((f) => result(f, host, index)), ...(host.report.baseline?.gone ?? []).map((f) => ({...result(f, host, index), baselineState: 'absent'}))],
    properties: {host: host.name},
  }))
  return JSON.stringify({$schema: SARIF_SCHEMA, version: '2.1.0', runs}, null, 2) + '\n'
}

/** A run of configuration alone says so, as a notification of the run (no false all-clear in a viewer either). */
function invocations(host: HostReport) {
  const note = configurationOnlyNote(host.report)
  return note ? {invocations: [{executionSuccessful: true, toolExecutionNotifications: [{level: 'note', message: {text: note}}]}]} : {}
}

function rule(id: string) {
  const page = loadPage(id)
  const title = page?.title ?? id
  const cause = page ? firstParagraph(page.body) : ''
  return {
    id,
    name: id,
    shortDescription: {text: title},
    fullDescription: {text: cause || title},
    help: {text: `vfio-doctor explain ${id}`, markdown: `Run \`vfio-doctor explain ${id}\`: the cause, the fix on NixOS and on other distributions, and how to verify it.`},
    ...(page ? {defaultConfiguration: {level: LEVEL[page.severity]}} : {}),
  }
}

/** The page's first paragraph (the cause in plain words), on one line. */
function firstParagraph(body: string): string {
  const lines = body.trim().split('\n')
  const end = lines.findIndex((l) => l.trim() === '')
  return (end < 0 ? lines : lines.slice(0, end)).map((l) => l.trim()).join(' ')
}

function result(f: ReportFinding, host: HostReport, index: Map<string, number>) {
  const files = fileLocations(f, host)
  const logical = logicalLocation(f, host)
  const logicalLocations = logical ? [{name: logical.name, kind: logical.kind === 'value' ? 'value' : 'object', fullyQualifiedName: `${logical.kind}:${logical.name}`}] : undefined
  const locations = files.length ? files.map((file) => ({physicalLocation: physical(file), ...(logicalLocations ? {logicalLocations} : {})})) : logicalLocations ? [{logicalLocations}] : []
  return {
    ruleId: f.id,
    ...(index.has(f.id) ? {ruleIndex: index.get(f.id)} : {}),
    level: LEVEL[f.severity],
    message: {text: f.message},
    locations,
    partialFingerprints: {'vfioDoctorFinding/v1': fingerprint(f, host.name)},
    ...(f.change ? {baselineState: f.change} : {}),
    properties: {title: f.title, check: f.check, evidence: f.evidence},
  }
}

function physical(file: FileLocation) {
  return {artifactLocation: {uri: uriOf(file.path)}, ...(file.line ? {region: {startLine: file.line}} : {})}
}

/** A relative path stays relative (GitHub resolves it against the repository); an absolute one is a file: URI. */
function uriOf(path: string): string {
  const encoded = path.split('/').map(encodeURIComponent).join('/')
  return path.startsWith('/') ? `file://${encoded}` : encoded
}
