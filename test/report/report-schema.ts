/** schema/report.schema.json (JSON Schema 2020-12), compiled once by ajv in strict mode. */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {Ajv2020, type ErrorObject} from 'ajv/dist/2020.js'
import {repoRoot} from '../helpers/paths.js'

const ajv = new Ajv2020({strict: true, allErrors: true})
const schema = (name: string) => JSON.parse(readFileSync(join(repoRoot, 'schema', name), 'utf8'))
const validateReport = ajv.compile(schema('report.schema.json'))
const validateHosts = ajv.compile(schema('hosts.schema.json'))

/** What is wrong with a JSON report, one line per problem, each naming the path and what was expected; empty when it is valid. */
export function reportSchemaErrors(report: unknown): string[] {
  return validateReport(report) ? [] : (validateReport.errors ?? []).map(describe)
}

/** The same for the JSON report of several hosts (schema/hosts.schema.json, each host's report by report.schema.json). */
export function hostsSchemaErrors(report: unknown): string[] {
  return validateHosts(report) ? [] : (validateHosts.errors ?? []).map(describe)
}

/** ajv's message, with what it leaves in params: the allowed values, the property that is not allowed. */
function describe(error: ErrorObject): string {
  const where = error.instancePath || '/'
  if (error.keyword === 'enum') return `${where} ${error.message}: ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`
  if (error.keyword === 'additionalProperties') return `${where} ${error.message}: ${error.params.additionalProperty}`
  return `${where} ${error.message}`
}
