/**
 * The knowledge base's data files (knowledge/*.yaml). The build compiles each to JSON beside the
 * bundle, so the built tool loads no YAML parser; from source (tests) the YAML itself is read, never
 * a stale build.
 */
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {basename, join} from 'node:path'
import {isBuilt, packageRoot} from '../util/package-root.js'

/** Where the build writes a data file's JSON, relative to the package root. */
export function compiledPath(yamlFile: string): string {
  return join('dist', 'bundle', `${basename(yamlFile, '.yaml')}.json`)
}

const dataFiles = new Map<string, unknown>()

/**
 * A data file's content, read once a run (a fix cites seed documents for every finding):
 * `yamlFile` is relative to the package root ("knowledge/kernel-log.signals.yaml").
 */
export function readDataFile<T>(yamlFile: string): T {
  if (!dataFiles.has(yamlFile)) dataFiles.set(yamlFile, readBuilt(compiledPath(yamlFile), () => parseYaml<T>(yamlFile)))
  return dataFiles.get(yamlFile) as T
}

/** The build's JSON at `compiled` (relative to the package root) when this runs built, else what `fromSource` reads. */
export function readBuilt<T>(compiled: string, fromSource: () => T): T {
  if (isBuilt()) {
    try {
      return JSON.parse(readFileSync(join(packageRoot(), compiled), 'utf8')) as T
    } catch {
      // The build step that compiles it has not run yet: the source says the same.
    }
  }
  return fromSource()
}

/** A YAML file of the package, parsed. */
export function parseYaml<T>(file: string): T {
  return parseYamlText<T>(readFileSync(join(packageRoot(), file), 'utf8'))
}

/** YAML text, parsed; the parser is loaded only here. */
export function parseYamlText<T>(text: string): T {
  const {parse} = createRequire(import.meta.url)('yaml') as typeof import('yaml')
  return parse(text) as T
}
