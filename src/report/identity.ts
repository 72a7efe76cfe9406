import {createHash} from 'node:crypto'
import type {ReportFinding} from './model.js'

/**
 * What makes a finding the same finding in another run: its knowledge id, its subject and its
 * evidence, not its wording (a message may be reworded between versions) nor where in a file a
 * line moved to (an edit above it shifts every line number), nor the order of the evidence.
 */
export function findingIdentity(finding: Pick<ReportFinding, 'id' | 'subject' | 'evidence'>): string {
  const evidence = finding.evidence.map((e) => e.replace(/ line \d+/g, ' line')).sort()
  return JSON.stringify([finding.id, finding.subject ?? '', evidence])
}

/** A short stable fingerprint of a finding on a host, for CI tools that track results across runs. */
export function fingerprint(finding: Pick<ReportFinding, 'id' | 'subject' | 'evidence'>, host = ''): string {
  return createHash('sha256').update(`${host}\n${findingIdentity(finding)}`).digest('hex')
}
