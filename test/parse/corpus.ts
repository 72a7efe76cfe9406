/** Reading the shared corpus in place, and the plain counts the parsers are checked against. */
import {readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {corpusDir, hasShared} from '../helpers/paths.js'

export interface CorpusFile {
  name: string
  text: string
}

/** Every file of a corpus folder, read once at collection time so test names can carry counts (none without ../shared). */
export function corpusFiles(folder: string): CorpusFile[] {
  if (!hasShared) return []
  const dir = join(corpusDir, folder)
  return readdirSync(dir)
    .sort()
    .map((name) => ({name, text: readFileSync(join(dir, name), 'utf8')}))
}

/** 3412 -> "3,412" */
export function count(n: number): string {
  return n.toLocaleString('en-US')
}

/**
 * What lspci output says, counted with the simplest regexes and no knowledge of the parser: device
 * header lines, and the "Kernel driver in use:" and "[vendor:device]" of each.
 */
export function plainLspciCount(text: string): Array<{address: string; driver?: string; ids?: string}> {
  const devices: Array<{address: string; driver?: string; ids?: string}> = []
  for (const line of text.split(/\r?\n/)) {
    const header = /^((?:[0-9a-f]{4}:)?[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]) /.exec(line)
    if (header) {
      const address = header[1]!.length === 7 ? `0000:${header[1]}` : header[1]!
      const ids = /\[([0-9a-f]{4}:[0-9a-f]{4})\](?: \(rev [0-9a-f]{2}\))?(?: \(prog-if .*)?$/.exec(line)?.[1]
      devices.push(ids ? {address, ids} : {address})
    }
    const driver = /^\s+Kernel driver in use: (\S+)/.exec(line)
    if (driver && devices.length) devices.at(-1)!.driver = driver[1]!
  }
  return devices
}

/** IOMMU listings counted plainly: distinct "group N" numbers and distinct PCI addresses. */
export function plainIommuCount(text: string): {groups: number; devices: number} {
  const groups = new Set([...text.matchAll(/group\s+(\d+)/gi)].map((m) => Number(m[1])))
  const addresses = new Set(
    [...text.matchAll(/\b(?:[0-9a-f]{4}:)?([0-9a-f]{2}:[0-9a-f]{2}\.[0-7])\b/g)].map((m) => m[1]),
  )
  return {groups: groups.size, devices: addresses.size}
}
