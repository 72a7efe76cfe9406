// Types for fuzz-evidence.mjs, so the TypeScript tests can import it.
import type {Arbitrary} from 'fast-check'
import type {Report} from '../src/report/model.js'
import type {Source, SourceKind, SourceSet} from '../src/sources/types.js'

export interface CorpusText {
  name: string
  text: string
}
export interface Corpus {
  texts: Record<string, CorpusText[]>
  hosts: Array<{name: string; files: CorpusText[]}>
}

export interface FuzzFile {
  name: string
  from: string
  mutations: string[]
  text: string
}

export interface FuzzCase {
  files: FuzzFile[]
  unreadable: Source[]
  mode: 'input' | 'live'
  gpu: string | null
}

export interface FuzzPipeline {
  kindOfFileName(name: string): SourceKind
  labelFor(kind: SourceKind, name: string): string | undefined
  diagnose(set: SourceSet, options?: {gpu?: string}): {facts: unknown; report: Report}
  renderReport?: (report: Report, options: never) => Promise<string>
  formats?: readonly string[]
}

export function loadCorpus(corpusDir: string, fixturesDir?: string): Corpus
export function mutate(text: string, mutation: {kind: string}): string
export function evidenceCase(corpus: Corpus): Arbitrary<FuzzCase>
export function sourceSetOf(c: FuzzCase, pipeline: Pick<FuzzPipeline, 'kindOfFileName' | 'labelFor'>): SourceSet
export function notJsonSafe(value: unknown, path?: string): string | undefined
export function runCase(c: FuzzCase, pipeline: FuzzPipeline, formatIndex?: number): Promise<Report>
export function describeCase(c: FuzzCase): {files: string[]; unreadable: string[]; mode: string; gpu: string | null}

export interface MetamorphicCase {
  host: number
  changes: Array<{kind: 'unrelated-log-lines' | 'reorder' | 'crlf' | 'rename'; [k: string]: unknown}>
}
export interface DecisiveLine {
  host: string
  remove: Array<{file: string; line: RegExp}>
  finding: string
}
export type FixtureHost = {name: string; files: CorpusText[]}
export function loadFixtureHosts(fixturesDir: string): FixtureHost[]
export function metamorphicCase(hosts: FixtureHost[]): Arbitrary<MetamorphicCase>
export function sameKindNames(name: string, pipeline: Pick<FuzzPipeline, 'kindOfFileName' | 'labelFor'>): string[]
export function changedFiles(files: CorpusText[], changes: MetamorphicCase['changes'], pipeline: Pick<FuzzPipeline, 'kindOfFileName' | 'labelFor'>): CorpusText[]
export function findingsOf(report: Report): string[]
export function runMetamorphicCase(c: MetamorphicCase, hosts: FixtureHost[], pipeline: FuzzPipeline): void
export const DECISIVE_LINES: DecisiveLine[]
export function withoutDecisiveLines(d: DecisiveLine, hosts: FixtureHost[], pipeline: FuzzPipeline): {before: string[]; after: string[]}
