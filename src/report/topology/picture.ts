import {diagnose} from '../../engine/pipeline.js'
import {printableText} from '../printable.js'
import type {Facts} from '../../facts/types.js'
import type {SourceSet} from '../../sources/types.js'
import {buildTopology, mapTopologyText, type TopologyOptions} from './model.js'
import {renderTopologySvg} from './svg.js'

export interface PictureOptions extends TopologyOptions {
  /** The guest GPU's address when the person names it (--gpu). */
  gpu?: string
  /** Default true: a picture is made to be attached, so its names are redacted like Markdown. */
  redact?: boolean
}

/** `groups --format svg`: the checks run too, so each device a finding names carries its id. */
export async function topologyPicture(set: SourceSet, options: PictureOptions = {}): Promise<{svg: string; facts: Facts}> {
  const {facts, report} = diagnose(set, options.gpu ? {gpu: options.gpu} : {})
  const topology = mapTopologyText(buildTopology(facts, report.findings, options.collapse ? {collapse: options.collapse} : {}), printableText)
  if (options.redact === false) return {svg: renderTopologySvg(topology), facts}
  const {redactorFor} = await import('../../redact/index.js')
  const redactor = redactorFor(set)
  return {svg: renderTopologySvg(mapTopologyText(topology, (text) => redactor.redact(text))), facts}
}
