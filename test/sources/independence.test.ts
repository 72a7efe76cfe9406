/**
 * Evidence is recognised by what it holds, not by what it is called or how it was pasted: every
 * fixture host gives the same findings with its files renamed to meaningless names, and with all
 * of them pasted into one file between `$ command` lines.
 */
import {mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {diagnose} from '../../src/engine/pipeline.js'
import {readEvidenceFolder} from '../../src/sources/evidence.js'
import {fixturesDir} from '../helpers/paths.js'

const hosts = readdirSync(fixturesDir).filter((n) => statSync(join(fixturesDir, n)).isDirectory()).sort()
const work = mkdtempSync(join(tmpdir(), 'vfio-doctor-independence-'))
afterAll(() => rmSync(work, {recursive: true, force: true}))

/**
 * Files whose name is the only thing that says what they are: two NixOS generation links hold the
 * same kind of store path, and only the name says which is booted. They keep their names.
 */
const NAME_ONLY = /^(?:current|booted)-system-/

async function findingsOf(dir: string, gpu?: string): Promise<string[]> {
  const set = await readEvidenceFolder(dir)
  const {report} = diagnose(set, gpu ? {gpu} : {})
  return report.findings.map((f) => `${f.severity} ${f.id} ${f.subject ?? ''}`).sort()
}

function expectedGpu(host: string): string | undefined {
  return (JSON.parse(readFileSync(join(fixturesDir, `${host}.expected.json`), 'utf8')) as {gpu?: string}).gpu
}

describe('name independence: files renamed to meaningless names', () => {
  for (const host of hosts) {
    it(host, async () => {
      const dir = mkdtempSync(join(work, `${host}-renamed-`))
      readdirSync(join(fixturesDir, host)).forEach((name, i) => {
        writeFileSync(join(dir, NAME_ONLY.test(name) ? name : `paste-${i}.txt`), readFileSync(join(fixturesDir, host, name)))
      })
      const gpu = expectedGpu(host)
      expect(await findingsOf(dir, gpu)).toEqual(await findingsOf(join(fixturesDir, host), gpu))
    })
  }
})

describe('paste independence: every file in one paste.txt, between `$ cat` lines', () => {
  for (const host of hosts) {
    it(host, async () => {
      const dir = mkdtempSync(join(work, `${host}-pasted-`))
      const names = readdirSync(join(fixturesDir, host)).filter((n) => !NAME_ONLY.test(n))
      const paste = names.map((name, i) => `$ cat output-${i}\n${readFileSync(join(fixturesDir, host, name), 'utf8').trimEnd()}\n`).join('\n')
      writeFileSync(join(dir, 'paste.txt'), paste)
      for (const name of readdirSync(join(fixturesDir, host)).filter((n) => NAME_ONLY.test(n))) writeFileSync(join(dir, name), readFileSync(join(fixturesDir, host, name)))
      const gpu = expectedGpu(host)
      expect(await findingsOf(dir, gpu)).toEqual(await findingsOf(join(fixturesDir, host), gpu))
    })
  }
})
