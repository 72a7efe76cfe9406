import type {Severity} from '../engine/types.js'
import type {HostReport} from './hosts.js'
import {ciPath, fileLocations} from './locations.js'
import {fingerprint} from './identity.js'

const SEVERITY: Record<Severity, 'critical' | 'major' | 'info'> = {error: 'critical', warning: 'major', info: 'info'}

/**
 * GitLab's code quality report (a subset of Code Climate's format): one issue per finding, at the
 * first file line its evidence names; a finding no file line shows is put on the host's evidence
 * folder, line 1 (GitLab needs a path). GitLab compares the report with the target branch's itself.
 */
export function renderCodequality(hosts: HostReport[]): string {
  const seen = new Map<string, number>()
  const issues = hosts.flatMap((host) =>
    host.report.findings.map((f) => {
      const where = fileLocations(f, host)[0]
      const base = fingerprint(f, host.name)
      // Two findings with the same identity on one host (rare) still need two fingerprints.
      const n = seen.get(base) ?? 0
      seen.set(base, n + 1)
      return {
        description: `${hosts.length > 1 ? `${host.name}: ` : ''}${f.message}`,
        check_name: f.id,
        fingerprint: n === 0 ? base : `${base}-${n}`,
        severity: SEVERITY[f.severity],
        location: {path: where?.path ?? ciPath(host, '.'), lines: {begin: where?.line ?? 1}},
      }
    }),
  )
  return JSON.stringify(issues, null, 2) + '\n'
}
