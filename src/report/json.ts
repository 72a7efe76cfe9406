import type {HostReport} from './hosts.js'
import {SCHEMA_VERSION, type Report} from './model.js'

export function renderJson(report: Report): string {
  return JSON.stringify(report, null, 2) + '\n'
}

/** Several hosts: each host's report whole, under the name it was given (schema/report.schema.json, "hosts"). */
export function renderJsonHosts(hosts: HostReport[]): string {
  const tool = hosts[0]?.report.tool ?? {name: 'vfio-doctor', version: ''}
  return JSON.stringify({schemaVersion: SCHEMA_VERSION, tool, hosts: hosts.map((h) => ({name: h.name, report: h.report}))}, null, 2) + '\n'
}
