import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { createApiKey, generateApiKey } from '../../src/auth/api-keys.service.js'
import { uniqueName } from '../helpers/factories.js'
import { listenTestApp, type TestApp } from '../helpers/test-app.js'

let t: (TestApp & { url: string }) | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

/** A server with an admin key, behind a trusted proxy on loopback so each test can speak for several addresses. */
async function serverWithKey(env: Record<string, string>) {
  t = await listenTestApp({ env: { TRUST_PROXY: '127.0.0.1', ...env }, authCacheTtlMs: 0 })
  const admin = (await createApiKey(t.db, { name: uniqueName('admin'), role: 'admin' })).key
  return { admin, url: t.url }
}

async function call(url: string, path: string, from: string, key?: string) {
  const response = await fetch(`${url}${path}`, {
    headers: { 'x-forwarded-for': from, ...(key !== undefined && { authorization: `Bearer ${key}` }) },
  })
  return { status: response.status, body: (await response.json()) as { code: string; detail: string }, retryAfter: response.headers.get('retry-after') }
}

describe('failed authentication is counted per client address', () => {
  it('answers 429 RATE_LIMITED with Retry-After once an address spent AUTH_FAILURE_MAX failures, whatever key it sends then', async () => {
    const { admin, url } = await serverWithKey({ AUTH_FAILURE_MAX: '5', AUTH_FAILURE_WINDOW_MS: '60000' })
    const guesses = []
    for (let i = 0; i < 5; i++) guesses.push((await call(url, '/operators/', '203.0.113.9', generateApiKey())).status)
    expect(guesses).toEqual([401, 401, 401, 401, 401])

    const limited = await call(url, '/operators/', '203.0.113.9', generateApiKey())
    expect(limited.status).toBe(429)
    expect(limited.body.code).toBe('RATE_LIMITED')
    expect(Number(limited.retryAfter)).toBeGreaterThan(0)
    expect(Number(limited.retryAfter)).toBeLessThanOrEqual(60)
    // A right guess now would tell the guesser it is right: the address is refused whatever it sends.
    expect((await call(url, '/operators/', '203.0.113.9', admin)).status).toBe(429)
    // Public routes stay open to it; other addresses are not affected.
    expect((await call(url, '/health', '203.0.113.9')).status).toBe(200)
    expect((await call(url, '/operators/', '198.51.100.4', admin)).status).toBe(200)
    expect((await call(url, '/operators/', '198.51.100.4', generateApiKey())).status).toBe(401)
  })

  it('counts an IPv6 client by its /64, so rotating addresses inside it gains nothing', async () => {
    const { url } = await serverWithKey({ AUTH_FAILURE_MAX: '3' })
    for (const suffix of ['1', '2', '3']) expect((await call(url, '/operators/', `2001:db8:1:2::${suffix}`, generateApiKey())).status).toBe(401)
    expect((await call(url, '/operators/', '2001:db8:1:2:ffff::9', generateApiKey())).status).toBe(429)
    expect((await call(url, '/operators/', '2001:db8:1:3::1', generateApiKey())).status).toBe(401)
  })

  it('lets the address try again once the window has passed', async () => {
    const { admin, url } = await serverWithKey({ AUTH_FAILURE_MAX: '2', AUTH_FAILURE_WINDOW_MS: '1000' })
    await call(url, '/operators/', '203.0.113.10', generateApiKey())
    await call(url, '/operators/', '203.0.113.10', generateApiKey())
    expect((await call(url, '/operators/', '203.0.113.10', admin)).status).toBe(429)
    await sleep(1100)
    expect((await call(url, '/operators/', '203.0.113.10', admin)).status).toBe(200)
  })

  it('does not count requests without a key, nor valid keys', async () => {
    const { admin, url } = await serverWithKey({ AUTH_FAILURE_MAX: '2' })
    const statuses = []
    for (let i = 0; i < 5; i++) statuses.push((await call(url, '/operators/', '203.0.113.11')).status)
    for (let i = 0; i < 5; i++) statuses.push((await call(url, '/operators/', '203.0.113.11', admin)).status)
    expect(statuses).toEqual([401, 401, 401, 401, 401, 200, 200, 200, 200, 200])
  })

  it('is off with AUTH_FAILURE_MAX=0', async () => {
    const { url } = await serverWithKey({ AUTH_FAILURE_MAX: '0' })
    const statuses = new Set<number>()
    for (let i = 0; i < 40; i++) statuses.add((await call(url, '/operators/', '203.0.113.12', generateApiKey())).status)
    expect([...statuses]).toEqual([401])
  })
})
