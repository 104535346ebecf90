import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/auth/api-keys.service.js'
import { uniqueName } from '../helpers/factories.js'
import { openRawSocket, parseAnswer } from '../helpers/raw-socket.js'
import { listenTestApp, type TestApp } from '../helpers/test-app.js'

/** What every answer must carry (helmet's defaults), written here independently of the implementation. */
const EXPECTED: Record<string, string | RegExp> = {
  'content-security-policy': /default-src 'self'.*frame-ancestors 'self'/,
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': /^max-age=\d+/,
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
}

function expectSecurityHeaders(where: string, headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(EXPECTED)) {
    expect(headers[name], `${where}: no ${name} header`).toBeTypeOf('string')
    expect(headers[name], `${where}: ${name}`).toMatch(typeof value === 'string' ? new RegExp(`^${value.replace(/[?]/g, '\\?')}$`) : value)
  }
}

let t: TestApp & { url: string }
let admin: string
let ingest: string
let spender: string
beforeAll(async () => {
  t = await listenTestApp({ env: { REQUEST_TIMEOUT_MS: '1000', RATE_LIMIT_MAX: '5' }, authCacheTtlMs: 0 })
  admin = (await createApiKey(t.db, { name: uniqueName('admin'), role: 'admin' })).key
  ingest = (await createApiKey(t.db, { name: uniqueName('ingest'), role: 'ingest' })).key
  spender = (await createApiKey(t.db, { name: uniqueName('viewer'), role: 'viewer' })).key
})
afterAll(async () => {
  await t.close()
})

/** A raw request on its own connection; answers what the server wrote before closing or answering. */
async function raw(text: string): Promise<ReturnType<typeof parseAnswer>> {
  const socket = await openRawSocket(t.url)
  socket.write(text)
  const answered = await Promise.race([
    socket.closed.then(({ text: received }) => received),
    new Promise<string>((resolve) => {
      const poll = setInterval(() => {
        const received = socket.received()
        const answer = parseAnswer(received)
        if (answer.headers['content-length'] !== undefined && Buffer.byteLength(answer.body) >= Number(answer.headers['content-length'])) {
          clearInterval(poll)
          resolve(received)
        }
      }, 20)
    }),
  ])
  socket.socket.destroy()
  return parseAnswer(answered)
}

const get = (path: string, key = admin) => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\n\r\n`
const post = (path: string, body: string, type = 'application/json', key = admin) =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`

describe('security headers on every answer of a listening server', () => {
  it.each<[string, () => string, number, string?]>([
    ['GET /health', () => 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 200],
    ['GET /operators/', () => get('/operators/'), 200],
    ['201 on creation', () => post('/sources/', JSON.stringify({ name: uniqueName('Source') })), 201],
    ['400 BAD_URL (a stray %)', () => get('/operators/%'), 400, 'BAD_URL'],
    ['400 BAD_URL without a key', () => 'GET /operators/%zz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 400, 'BAD_URL'],
    ['400 INVALID_JSON', () => post('/operators/', '{'), 400, 'INVALID_JSON'],
    ['401 UNAUTHENTICATED', () => 'GET /operators/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 401, 'UNAUTHENTICATED'],
    ['403 FORBIDDEN', () => get('/operators/', ingest), 403, 'FORBIDDEN'],
    ['404 ROUTE_NOT_FOUND', () => get('/nowhere'), 404, 'ROUTE_NOT_FOUND'],
    ['404 NOT_FOUND', () => get('/operators/999999'), 404, 'NOT_FOUND'],
    ['413 PAYLOAD_TOO_LARGE', () => post('/operators/', `"${'x'.repeat(1024 * 1024 + 10)}"`), 413, 'PAYLOAD_TOO_LARGE'],
    ['415 UNSUPPORTED_MEDIA_TYPE', () => post('/operators/', 'name=x', 'text/plain'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['422 VALIDATION_ERROR', () => post('/operators/', '{}'), 422, 'VALIDATION_ERROR'],
    ['400 from the HTTP parser (not HTTP at all)', () => 'HELLO THERE\r\n\r\n', 400, 'BAD_REQUEST'],
    ['431 from the HTTP parser (headers too large)', () => `GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'HEADERS_TOO_LARGE'],
    ['408 when the request does not arrive in time', () => 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n', 408, 'REQUEST_TIMEOUT'],
  ])('%s', async (name, request, status, code) => {
    const answer = await raw(request())
    expect(answer.status, answer.body).toBe(status)
    if (code) expect(JSON.parse(answer.body)).toMatchObject({ code })
    expectSecurityHeaders(name, answer.headers)
  })

  it('429 RATE_LIMITED', async () => {
    let answer = await raw(get('/operators/', spender))
    for (let i = 0; i < 10 && answer.status !== 429; i++) answer = await raw(get('/operators/', spender))
    expect(answer.status).toBe(429)
    expectSecurityHeaders('429', answer.headers)
  })

  it('/docs, with its own policy', async () => {
    const answer = await raw('GET /docs/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
    expect(answer.status).toBe(200)
    expectSecurityHeaders('/docs/', answer.headers)
  })
})
