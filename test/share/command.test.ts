/** `check --share` end to end, in this process (so nock sees the upload): the report is printed whatever happens. */
import {join} from 'node:path'
import nock from 'nock'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'
import Check from '../../src/commands/check.js'
import {repoRoot} from '../helpers/paths.js'
import {runCommand} from '../report/run-command.js'

const seeded = join(repoRoot, 'test/redact/seeded-host')

const run = (args: string[], env: Record<string, string> = {}) => runCommand(Check, args, env)

beforeAll(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())
afterAll(() => nock.enableNetConnect())

describe('check --share', () => {
  it('without a terminal and without --yes: prints the report, uploads nothing, exit 2', async () => {
    const r = await run(['--input', seeded, '--format', 'json', '--share'])
    expect(JSON.parse(r.stdout).schemaVersion).toBe(1)
    expect(r.stderr).toBe('vfio-doctor: not shared: --share needs --yes when there is no terminal to ask on\n')
    expect(r.code).toBe(2)
  })

  it('--yes uploads the redacted Markdown report, whatever --format and --no-redact say, and prints the link', async () => {
    let uploaded = ''
    nock('https://paste.rs').post('/', (body: string) => ((uploaded = body), true)).reply(201, 'https://paste.rs/q1')
    const r = await run(['--input', seeded, '--share', '--yes', '--no-redact', '--fail-on', 'never'])
    expect(r.stdout).toContain('vfio-doctor') // the terminal report
    expect(r.stderr).toBe('Shared: https://paste.rs/q1\n')
    expect(r.code).toBe(0)
    expect(uploaded).toMatch(/^# vfio-doctor: /)
    expect(uploaded).toContain('redacted: 1 user name')
    expect(uploaded).not.toContain('alice')
  })

  it('VFIO_DOCTOR_SHARE_URL picks the service', async () => {
    nock('https://paste.example.org').post('/').reply(200, 'https://paste.example.org/r/7')
    const r = await run(['--input', seeded, '--share', '--yes', '--quiet'], {VFIO_DOCTOR_SHARE_URL: 'https://paste.example.org/'})
    expect(r.stderr).toBe('Shared: https://paste.example.org/r/7\n')
  })

  it('a network failure is one line; the report is still printed and the exit status is the report\'s', async () => {
    nock('https://paste.rs').post('/').replyWithError({code: 'ECONNRESET', message: 'socket hang up'})
    nock('https://0x0.st').post('/').replyWithError({code: 'ECONNRESET', message: 'socket hang up'})
    const r = await run(['--input', seeded, '--format', 'markdown', '--share', '--yes', '--fail-on', 'never'])
    expect(r.stdout).toMatch(/^# vfio-doctor: /)
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1)
    expect(r.stderr).toMatch(/^vfio-doctor: could not share the report \(paste\.rs: .*; 0x0\.st: .*\)\n$/)
    expect(r.code).toBe(0)
  })
})
