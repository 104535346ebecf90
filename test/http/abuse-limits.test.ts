import { afterEach, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/test-app.js'

let t: TestApp | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

const get = (url: string, remoteAddress = '203.0.113.7', headers: Record<string, string> = {}) =>
  t!.app.inject({ method: 'GET', url, remoteAddress, headers })

describe('rate limiting', () => {
  it('answers 429 RATE_LIMITED with Retry-After once a client spends its allowance, counting clients apart', async () => {
    t = await createTestApp({ env: { RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '60000' } })
    const statuses = []
    for (let i = 0; i < 3; i++) statuses.push((await get('/operators/')).statusCode)
    expect(statuses).toEqual([200, 200, 200])

    const limited = await get('/operators/')
    expect(limited.statusCode).toBe(429)
    expect(limited.json()).toMatchObject({ code: 'RATE_LIMITED' })
    expect(Object.keys(limited.json()).sort()).toEqual(['code', 'detail'])
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)

    expect((await get('/operators/', '198.51.100.20')).statusCode).toBe(200)
  })

  it('limits writes before anything is stored', async () => {
    t = await createTestApp({ env: { RATE_LIMIT_MAX: '1' } })
    const post = () => t!.app.inject({ method: 'POST', url: '/sources/', payload: { name: `S ${Math.random()}` } })
    expect((await post()).statusCode).toBe(201)
    expect((await post()).statusCode).toBe(429)
    const sources = await t.db.selectFrom('sources').select('id').execute()
    expect(sources).toHaveLength(1)
  })

  it('never limits /health, so load balancers keep probing', async () => {
    t = await createTestApp({ env: { RATE_LIMIT_MAX: '1' } })
    const statuses = []
    for (let i = 0; i < 5; i++) statuses.push((await get('/health')).statusCode)
    expect(statuses).toEqual([200, 200, 200, 200, 200])
  })

  it('is off with RATE_LIMIT_MAX=0', async () => {
    t = await createTestApp({ env: { RATE_LIMIT_MAX: '0' } })
    const statuses = new Set<number>()
    for (let i = 0; i < 20; i++) statuses.add((await get('/operators/')).statusCode)
    expect([...statuses]).toEqual([200])
  })
})

describe('security headers and CORS', () => {
  it('sends security headers on API answers and errors', async () => {
    t = await createTestApp()
    for (const response of [await get('/operators/'), await get('/operators/999')]) {
      expect(response.headers['x-content-type-options']).toBe('nosniff')
      expect(response.headers['x-frame-options']).toBe('SAMEORIGIN')
      expect(response.headers['content-security-policy']).toContain("default-src 'self'")
    }
  })

  it('serves /docs with a policy that lets its own page run', async () => {
    t = await createTestApp()
    const docs = await get('/docs/')
    expect(docs.statusCode).toBe(200)
    expect(docs.headers['content-security-policy']).toContain('script-src')
  })

  it('sends no CORS headers unless origins are configured', async () => {
    t = await createTestApp()
    const response = await get('/operators/', undefined, { origin: 'https://evil.example' })
    expect(response.headers['access-control-allow-origin']).toBeUndefined()
  })

  it('allows exactly the configured origins', async () => {
    t = await createTestApp({ env: { CORS_ORIGINS: 'https://crm.example.com' } })
    const preflight = (origin: string) =>
      t!.app.inject({
        method: 'OPTIONS',
        url: '/operators/',
        headers: { origin, 'access-control-request-method': 'POST' },
      })
    expect((await preflight('https://crm.example.com')).headers['access-control-allow-origin']).toBe('https://crm.example.com')
    expect((await preflight('https://evil.example')).headers['access-control-allow-origin']).toBeUndefined()
    const simple = await get('/operators/', undefined, { origin: 'https://crm.example.com' })
    expect(simple.headers['access-control-expose-headers']).toBe('Retry-After, Idempotent-Replayed')
  })
})

describe('timeouts', () => {
  it('passes the configured request and keep-alive timeouts to the server', async () => {
    t = await createTestApp({ env: { REQUEST_TIMEOUT_MS: '4000', KEEP_ALIVE_TIMEOUT_MS: '65000' } })
    expect(t.app.server.requestTimeout).toBe(4000)
    expect(t.app.server.headersTimeout).toBe(4000)
    expect(t.app.server.keepAliveTimeout).toBe(65000)
  })

  it('keeps a limit on the headers with REQUEST_TIMEOUT_MS=0 (no limit on the whole request)', async () => {
    t = await createTestApp({ env: { REQUEST_TIMEOUT_MS: '0' } })
    expect(t.app.server.requestTimeout).toBe(0)
    expect(t.app.server.headersTimeout).toBe(60_000)
  })
})
