/**
 * Every fixture host's picture (`groups --format svg`) and HTML report (`check --format html`):
 * well-formed for xmllint, a node per PCI function and a box per IOMMU group, the guest GPU marked.
 */
import {spawnSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {diagnose} from '../../src/engine/pipeline.js'
import type {Facts} from '../../src/facts/types.js'
import {renderReport} from '../../src/report/render.js'
import {COLLAPSE_ABOVE} from '../../src/report/topology/model.js'
import {topologyPicture} from '../../src/report/topology/picture.js'
import {readEvidenceFolder} from '../../src/sources/evidence.js'
import {cli} from '../helpers/cli.js'
import {fixtureGpu, fixtureHosts} from '../helpers/fixture-hosts.js'
import {fixturesDir} from '../helpers/paths.js'
import {hasXmllint} from '../helpers/tools.js'

const hosts = fixtureHosts
const work = mkdtempSync(join(tmpdir(), 'vfio-doctor-topology-fixtures-'))

function xmllint(text: string, file: string): {status: number | null; stderr: string} {
  writeFileSync(join(work, file), text)
  return spawnSync('xmllint', ['--noout', join(work, file)], {encoding: 'utf8'})
}

/** Every device the evidence names, and every group. */
function expected(facts: Facts): {functions: Set<string>; groups: Set<string>} {
  const functions = new Set([...(facts.pciDevices ?? []).map((d) => d.address), ...(facts.iommuGroups ?? []).flatMap((g) => g.devices)])
  const groups = new Set([...(facts.iommuGroups ?? []).map((g) => String(g.id)), ...(facts.pciDevices ?? []).flatMap((d) => (d.iommuGroup === undefined ? [] : [String(d.iommuGroup)]))])
  return {functions, groups}
}

function drawn(markup: string): {functions: string[]; groups: Set<string>; guests: string[]} {
  return {
    functions: [...markup.matchAll(/<g class="fn" data-address="([^"]+)"/g)].map((m) => m[1]!),
    groups: new Set([...markup.matchAll(/<rect class="group-box" data-group="(\d+)"/g)].map((m) => m[1]!)),
    guests: [...markup.matchAll(/<g class="fn" data-address="([^"]+)"[^>]*data-roles="[^"]*\bguest-gpu\b/g)].map((m) => m[1]!),
  }
}

describe(`the picture and the HTML report of ${hosts.length} fixture hosts`, () => {
  it.each(hosts)('%s', async (host) => {
    const gpu = fixtureGpu(host)
    const set = await readEvidenceFolder(join(fixturesDir, host))
    const {facts, report} = diagnose(set, gpu ? {gpu} : {})
    const {svg} = await topologyPicture(set, gpu ? {gpu} : {})
    const html = await renderReport(report, {format: 'html', set, facts, failOn: 'error'})
    const want = expected(facts)
    expect(want.groups.size, 'fixtures are small: nothing is folded').toBeLessThanOrEqual(COLLAPSE_ABOVE)
    for (const [what, markup] of [['svg', svg], ['html', html]] as const) {
      if (hasXmllint) expect(xmllint(markup, `${host}.${what}`), what).toMatchObject({status: 0, stderr: ''})
      const got = drawn(markup)
      expect(got.functions.sort(), `${what}: a node per function`).toEqual([...want.functions].sort())
      expect(got.groups, `${what}: a box per group`).toEqual(want.groups)
      const guests = (facts.guestGpus ?? []).filter((a) => want.functions.has(a))
      expect(got.guests.sort(), `${what}: the guest GPU marked`).toEqual(guests.sort())
    }
    if (want.functions.size === 0) expect(svg).toContain('No PCI topology to draw')
    expect(html.startsWith('<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml" lang="en">')).toBe(true)
    // Self-contained: nothing to fetch, nothing to run.
    expect(html).not.toMatch(/<script|<link|<img|\bsrc=|url\(|@import/i)
  })

  it('guest GPUs are marked on most hosts with devices (the test is not vacuous)', async () => {
    let marked = 0
    for (const host of hosts) {
      const gpu = fixtureGpu(host)
      const {svg} = await topologyPicture(await readEvidenceFolder(join(fixturesDir, host)), gpu ? {gpu} : {})
      if (drawn(svg).guests.length > 0) marked++
    }
    expect(marked).toBeGreaterThanOrEqual(15)
  })
})

describe('through the built CLI', () => {
  const host = join(fixturesDir, 'seed-004-igpu-bound')

  it('groups --format svg writes the picture alone', async () => {
    const r = await cli(['groups', '--input', host, '--format', 'svg'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true)
    expect(r.stdout.trimEnd().endsWith('</svg>')).toBe(true)
    expect(drawn(r.stdout).guests).toEqual(['0000:01:00.0'])
  })

  it('groups --format svg --gpu marks the GPU named; a GPU not in the evidence is one line, exit 2', async () => {
    expect(drawn((await cli(['groups', '--input', host, '--format', 'svg', '--gpu', '00:02.0'])).stdout).guests).toEqual(['0000:00:02.0'])
    const bad = await cli(['groups', '--input', host, '--format', 'svg', '--gpu', '09:00.0'])
    expect(bad.code).toBe(2)
    expect(bad.stdout).toBe('')
    expect(bad.stderr.trim().split('\n')).toHaveLength(1)
  })

  it('check --format html writes one HTML file with the picture in it', async () => {
    const r = await cli(['check', '--input', host, '--format', 'html'])
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/^<!DOCTYPE html>\n/)
    expect(r.stdout).toContain('<figure class="topology">\n<svg xmlns="http://www.w3.org/2000/svg"')
    expect(r.stdout.trimEnd().endsWith('</html>')).toBe(true)
  })
})
