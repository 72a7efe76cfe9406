/** test/schemas/sarif-schema-2.1.0.json, the official SARIF 2.1.0 schema (draft-04; test/schemas/README.md), compiled once. */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import Ajv04Module from 'ajv-draft-04'
import addFormatsModule from 'ajv-formats'
import {repoRoot} from '../helpers/paths.js'

// Both are CommonJS: the default import is module.exports, whose `default` is the class or plugin.
const Ajv04 = Ajv04Module.default
const addFormats = addFormatsModule.default
// Not strict: the official schema is draft-04 as written, with keywords strict mode would refuse.
const ajv = new Ajv04({allErrors: true, strict: false})
addFormats(ajv)
const validateSarif = ajv.compile(JSON.parse(readFileSync(join(repoRoot, 'test/schemas/sarif-schema-2.1.0.json'), 'utf8')))

/** What is wrong with a SARIF log, one line per problem; empty when it is valid. */
export function sarifSchemaErrors(doc: unknown): string[] {
  return validateSarif(doc) ? [] : (validateSarif.errors ?? []).map((e: {instancePath: string; message?: string}) => `${e.instancePath || '/'} ${e.message}`)
}
