import {PassThrough} from 'node:stream'
import nock from 'nock'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'
import {shareFlow, type ShareRequest} from '../../src/share/index.js'
import {shareReport} from '../../src/share/upload.js'

const report = '# vfio-doctor: 1 error\n\n### ❌ VT-d is off\n'

beforeAll(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())
afterAll(() => nock.enableNetConnect())

describe('shareReport', () => {
  it('paste.rs: POSTs the raw text, the answer is the link', async () => {
    let sent: unknown
    const scope = nock('https://paste.rs')
      .post('/', (body) => ((sent = body), true))
      .matchHeader('content-type', /^text\/plain/)
      .matchHeader('user-agent', /^vfio-doctor\//)
      .reply(201, 'https://paste.rs/Zk3q\n')
    expect(await shareReport(report)).toEqual({ok: true, url: 'https://paste.rs/Zk3q', service: 'paste.rs', truncated: false})
    expect(sent).toBe(report)
    expect(scope.isDone()).toBe(true)
  })

  it('paste.rs 206: the link to what it kept, marked truncated', async () => {
    nock('https://paste.rs').post('/').reply(206, 'https://paste.rs/Trnc')
    expect(await shareReport(report)).toEqual({ok: true, url: 'https://paste.rs/Trnc', service: 'paste.rs', truncated: true})
  })

  it('paste.rs 5xx: falls back to 0x0.st, a multipart form with the field `file`', async () => {
    let form = ''
    nock('https://paste.rs').post('/').reply(503, 'Service Unavailable')
    const fallback = nock('https://0x0.st')
      .post('/', (body: string) => ((form = body), true))
      .matchHeader('content-type', /^multipart\/form-data; boundary=/)
      .reply(200, 'https://0x0.st/XyZ.md\n')
    expect(await shareReport(report)).toEqual({ok: true, url: 'https://0x0.st/XyZ.md', service: '0x0.st', truncated: false})
    expect(form).toMatch(/Content-Disposition: form-data; name="file"; filename="vfio-doctor-report.md"/)
    expect(form).toContain(report)
    expect(fallback.isDone()).toBe(true)
  })

  it('4xx from both: one line that names each service and its answer', async () => {
    nock('https://paste.rs').post('/').reply(413, 'Payload Too Large')
    nock('https://0x0.st').post('/').reply(403, 'Your host is banned.\nmore lines')
    expect(await shareReport(report)).toEqual({
      ok: false,
      message: 'could not share the report (paste.rs: HTTP 413 Payload Too Large; 0x0.st: HTTP 403 Forbidden: Your host is banned.)',
    })
  })

  it('timeouts: gives up after the timeout on each service, and says so', async () => {
    nock('https://paste.rs').post('/').delay(2000).reply(201, 'https://paste.rs/late')
    nock('https://0x0.st').post('/').delay(2000).reply(200, 'https://0x0.st/late')
    const started = Date.now()
    expect(await shareReport(report, {timeoutMs: 150})).toEqual({ok: false, message: 'could not share the report (paste.rs: no answer within 150 ms; 0x0.st: no answer within 150 ms)'})
    expect(Date.now() - started).toBeLessThan(1500)
  })

  it('network failures: one line with the cause', async () => {
    nock('https://paste.rs').post('/').replyWithError({code: 'ECONNREFUSED', message: 'connect ECONNREFUSED'})
    nock('https://0x0.st').post('/').replyWithError({code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND 0x0.st'})
    const result = await shareReport(report)
    expect(result.ok).toBe(false)
    expect(!result.ok && result.message).toMatch(/^could not share the report \(paste\.rs: .*; 0x0\.st: .*\)$/)
    expect(!result.ok && result.message).not.toContain('\n')
  })

  it('an answer that is not a link is a failure, not a URL to print', async () => {
    nock('https://paste.rs').post('/').reply(200, '<html>maintenance</html>')
    nock('https://0x0.st').post('/').reply(200, 'https://0x0.st/ok.md')
    expect(await shareReport(report)).toMatchObject({ok: true, service: '0x0.st'})
  })

  it('a hostile service: escape sequences in the link or the error never reach the terminal', async () => {
    nock('https://paste.rs').post('/').reply(200, 'https://paste.rs/x\u001b]0;owned\u0007\u001b[2J')
    nock('https://0x0.st').post('/').reply(500, '\u001b[31mred\u001b[0m alert\u0007')
    const result = await shareReport(report)
    expect(result).toEqual({ok: false, message: 'could not share the report (paste.rs: HTTP 200 without a link in the answer; 0x0.st: HTTP 500 Internal Server Error: [31mred[0m alert)'})
    expect(JSON.stringify(result)).not.toMatch(/\\u001b|\\u0007/)
  })

  it('a service that streams an endless answer (a real server): read to a small limit, then dropped', async () => {
    const {createServer} = await import('node:http')
    let sent = 0
    const server = createServer((_req, res) => {
      res.writeHead(200, {'content-type': 'text/plain'})
      const more = () => {
        while (sent < 2 * 1024 ** 3 && res.write('x'.repeat(65536))) sent += 65536
        if (!res.destroyed) res.once('drain', more)
      }
      more()
    })
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
    nock.enableNetConnect('127.0.0.1')
    try {
      const {port} = server.address() as {port: number}
      const result = await shareReport(report, {url: `http://127.0.0.1:${port}/`, timeoutMs: 5000})
      expect(result).toEqual({ok: false, message: `could not share the report (127.0.0.1:${port}: HTTP 200 without a link in the answer)`})
      // The client stopped reading: the server could not push more than its buffers hold.
      expect(sent).toBeLessThan(64 * 1024 * 1024)
    } finally {
      nock.disableNetConnect()
      server.closeAllConnections()
      server.close()
    }
  })

  it('--share-url: that service only, raw body, no fallback', async () => {
    let sent: unknown
    nock('https://paste.example.org').post('/api/new', (body) => ((sent = body), true)).reply(500, 'oops')
    expect(await shareReport(report, {url: 'https://paste.example.org/api/new'})).toEqual({ok: false, message: 'could not share the report (paste.example.org: HTTP 500 Internal Server Error: oops)'})
    expect(sent).toBe(report)
  })
})

describe('shareFlow', () => {
  function request(overrides: Partial<ShareRequest>): ShareRequest & {said: () => string} {
    const output = new PassThrough()
    let said = ''
    output.on('data', (d: Buffer) => (said += d.toString()))
    return {markdown: report, redacted: '1 user name and 1 host name', yes: false, interactive: false, input: new PassThrough(), output, said: () => said, ...overrides}
  }

  it('without a terminal and without --yes: refuses, uploads nothing, exit status 2', async () => {
    const r = request({})
    expect(await shareFlow(r)).toBe(2)
    expect(r.said()).toBe('vfio-doctor: not shared: --share needs --yes when there is no terminal to ask on\n')
    expect(nock.pendingMocks()).toEqual([])
  })

  it('--yes: uploads without asking and prints the link', async () => {
    nock('https://paste.rs').post('/').reply(201, 'https://paste.rs/abc')
    const r = request({yes: true})
    expect(await shareFlow(r)).toBeUndefined()
    expect(r.said()).toBe('Shared: https://paste.rs/abc\n')
  })

  it('206 says the paste is cut', async () => {
    nock('https://paste.rs').post('/').reply(206, 'https://paste.rs/cut')
    const r = request({yes: true})
    await shareFlow(r)
    expect(r.said()).toBe('Shared, but paste.rs kept only the start of the report (it was too large): https://paste.rs/cut\n')
  })

  it('on a terminal: shows the whole report and what was redacted, then asks; "n" uploads nothing', async () => {
    const input = new PassThrough()
    const r = request({interactive: true, input})
    const done = shareFlow(r)
    input.write('n\n')
    expect(await done).toBeUndefined()
    expect(r.said()).toContain(`this is what would be uploaded to paste.rs (${report.length} characters)`)
    expect(r.said()).toContain(report)
    expect(r.said()).toContain('Redacted: 1 user name and 1 host name. Anyone with the link can read it.')
    expect(r.said()).toMatch(/Upload it to paste\.rs\? \[y\/N\] [\s\S]*Not shared\.\n$/)
  })

  it('on a terminal: "y" uploads', async () => {
    nock('https://paste.rs').post('/').reply(201, 'https://paste.rs/yes')
    const input = new PassThrough()
    const r = request({interactive: true, input})
    const done = shareFlow(r)
    input.write('y\n')
    await done
    expect(r.said()).toMatch(/Shared: https:\/\/paste\.rs\/yes\n$/)
  })

  it('a failed upload is one line, and not an error status: the report was printed', async () => {
    nock('https://paste.rs').post('/').reply(502, 'Bad Gateway')
    nock('https://0x0.st').post('/').reply(502, 'Bad Gateway')
    const r = request({yes: true})
    expect(await shareFlow(r)).toBeUndefined()
    expect(r.said()).toBe('vfio-doctor: could not share the report (paste.rs: HTTP 502 Bad Gateway; 0x0.st: HTTP 502 Bad Gateway)\n')
  })
})
