import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { createApiKey, generateApiKey, listApiKeys, revokeApiKey } from '../../src/auth/api-keys.service.js'
import type { ApiKeyRole } from '../../src/auth/api-keys.schemas.js'
import { apiClient } from '../helpers/api-client.js'
import { uniqueName } from '../helpers/factories.js'
import { expectError } from '../helpers/http-assertions.js'
import { createTestApp, type TestApp } from '../helpers/test-app.js'

let t: TestApp | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

async function createKey(role: ApiKeyRole, sourceIds: number[] | null = null): Promise<string> {
  return (await createApiKey(t!.db, { name: uniqueName(role), role, source_ids: sourceIds })).key
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE'

function call(method: Method, url: string, headers: Record<string, string> = {}, payload?: object) {
  return apiClient(t!.app).call(method, url, payload, headers)
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` })

/** An app with an admin key, a source with an operator, and the admin key to arrange more. */
async function appWithKeys(options: Parameters<typeof createTestApp>[0] = {}) {
  t = await createTestApp({ authCacheTtlMs: 0, ...options })
  const admin = await createKey('admin')
  const source = (await call('POST', '/sources/', bearer(admin), { name: uniqueName('Source') })).body
  const operator = (await call('POST', '/operators/', bearer(admin), { name: uniqueName('Operator') })).body
  await call('POST', `/sources/${source.id}/distribution`, bearer(admin), { operator_weights: [{ operator_id: operator.id, weight: 1 }] })
  return { admin, source }
}

describe('without any key', () => {
  it('the API is open on loopback (the test app listens nowhere, HOST defaults to 127.0.0.1)', async () => {
    t = await createTestApp({ authCacheTtlMs: 0 })
    expect((await call('GET', '/operators/')).status).toBe(200)
    expect((await call('POST', '/sources/', {}, { name: uniqueName('Source') })).status).toBe(201)
  })

  it('on any other HOST every route but the public ones answers 401: no key means locked, never open', async () => {
    t = await createTestApp({ env: { HOST: '0.0.0.0' }, authCacheTtlMs: 0 })
    expectError(await call('GET', '/operators/'), 401, 'UNAUTHENTICATED')
    expect((await call('GET', '/health')).status).toBe(200)
  })

  it('AUTH_DISABLED=true leaves the API open even with keys and on any HOST', async () => {
    t = await createTestApp({ env: { AUTH_DISABLED: 'true', HOST: '0.0.0.0' }, authCacheTtlMs: 0 })
    await createKey('viewer')
    expect((await call('POST', '/operators/', {}, { name: uniqueName('Operator') })).status).toBe(201)
  })
})

describe('with keys', () => {
  it('accepts a key as Authorization: Bearer (any case of the scheme) and as X-API-Key', async () => {
    const { admin } = await appWithKeys()
    expect((await call('GET', '/operators/', bearer(admin))).status).toBe(200)
    expect((await call('GET', '/operators/', { authorization: `bearer ${admin}` })).status).toBe(200)
    expect((await call('GET', '/operators/', { 'x-api-key': admin })).status).toBe(200)
  })

  it('answers 401 JSON with WWW-Authenticate: Bearer without a key, with a wrong one, or another scheme', async () => {
    await appWithKeys()
    const missing = await call('GET', '/operators/')
    expectError(missing, 401, 'UNAUTHENTICATED')
    expect(missing.headers['www-authenticate']).toBe('Bearer')
    expect(missing.headers['content-type']).toMatch(/^application\/json/)

    for (const headers of [bearer(generateApiKey()), { 'x-api-key': 'nonsense' }, { authorization: 'Bearer' }]) {
      const wrong = await call('GET', '/operators/', headers)
      expectError(wrong, 401, 'UNAUTHENTICATED')
      expect(wrong.headers['www-authenticate']).toMatch(/^Bearer\b/)
    }
    expectError(await call('GET', '/operators/', { authorization: 'Basic YWRtaW46YWRtaW4=' }), 401, 'UNAUTHENTICATED')
  })

  it('a revoked key answers 401 at once when nothing is cached', async () => {
    const { admin } = await appWithKeys()
    const viewer = await createApiKey(t!.db, { name: uniqueName('viewer'), role: 'viewer' })
    expect((await call('GET', '/operators/', bearer(viewer.key))).status).toBe(200)
    await revokeApiKey(t!.db, viewer.apiKey.id)
    expectError(await call('GET', '/operators/', bearer(viewer.key)), 401, 'UNAUTHENTICATED')
    expect((await call('GET', '/operators/', bearer(admin))).status).toBe(200)
  })

  it('a viewer reads everything and changes nothing (403 FORBIDDEN, nothing stored)', async () => {
    const { source } = await appWithKeys()
    const viewer = await createKey('viewer')
    for (const url of ['/operators/', '/sources/', `/sources/${source.id}/distribution`, '/contacts/', '/leads/', '/stats/contacts', '/stats/distribution']) {
      expect((await call('GET', url, bearer(viewer))).status, url).toBe(200)
    }
    expectError(await call('POST', '/sources/', bearer(viewer), { name: 'Not stored' }), 403, 'FORBIDDEN')
    expectError(await call('POST', '/contacts/', bearer(viewer), { external_id: 'x', source_id: source.id }), 403, 'FORBIDDEN')
    expect((await call('GET', '/sources/', bearer(viewer))).body).toHaveLength(1)
  })

  it('/health, /docs and /openapi.json stay open, under API_V1_PREFIX too', async () => {
    for (const prefix of ['', '/api/v1']) {
      t = await createTestApp({ env: { API_V1_PREFIX: prefix }, authCacheTtlMs: 0 })
      await createKey('admin')
      expectError(await call('GET', `${prefix}/operators/`), 401, 'UNAUTHENTICATED')
      expect((await call('GET', `${prefix}/health`)).status).toBe(200)
      expect((await call('GET', `${prefix}/health/`)).status).toBe(200)
      expect((await call('GET', `${prefix}/openapi.json`)).status).toBe(200)
      const docs = await t.app.inject({ method: 'GET', url: `${prefix}/docs` })
      expect(docs.statusCode).toBe(200)
      await t.close()
      t = undefined
    }
  })

  it('an unknown route answers 404 to any valid key and 401 without one', async () => {
    await appWithKeys()
    const ingest = await createKey('ingest')
    expectError(await call('GET', '/nowhere', bearer(ingest)), 404, 'ROUTE_NOT_FOUND')
    expectError(await call('GET', '/nowhere'), 401, 'UNAUTHENTICATED')
  })
})

describe('ingest keys', () => {
  it('post contacts and nothing else', async () => {
    const { source } = await appWithKeys()
    const ingest = await createKey('ingest')
    expect((await call('POST', '/contacts/', bearer(ingest), { external_id: uniqueName('lead'), source_id: source.id })).status).toBe(201)
    expect((await call('POST', '/contacts', { 'x-api-key': ingest }, { external_id: uniqueName('lead'), source_id: source.id })).status).toBe(201)
    expectError(await call('GET', '/contacts/', bearer(ingest)), 403, 'FORBIDDEN')
    expectError(await call('POST', '/sources/', bearer(ingest), { name: uniqueName('Source') }), 403, 'FORBIDDEN')
  })

  it('limited to sources: 201 for its source; 403 for another, with nothing stored; 422 for a bad body', async () => {
    const { admin, source } = await appWithKeys()
    const other = (await call('POST', '/sources/', bearer(admin), { name: uniqueName('Source') })).body
    const ingest = await createKey('ingest', [source.id])

    expect((await call('POST', '/contacts/', bearer(ingest), { external_id: uniqueName('lead'), source_id: source.id })).status).toBe(201)

    const externalId = uniqueName('lead')
    const forbidden = await call('POST', '/contacts/', bearer(ingest), { external_id: externalId, source_id: other.id })
    expectError(forbidden, 403, 'FORBIDDEN')
    expect(forbidden.body.detail).toContain(String(other.id))
    expect((await call('GET', `/contacts/?source_id=${other.id}`, bearer(admin))).body).toEqual([])
    const leads = (await call('GET', '/leads/', bearer(admin))).body
    expect(leads.map((lead: { external_id: string }) => lead.external_id)).not.toContain(externalId)

    const invalid = await call('POST', '/contacts/', bearer(ingest), { source_id: other.id })
    expectError(invalid, 422, 'VALIDATION_ERROR')
  })
})

describe('cache delays', () => {
  const TTL_MS = 300

  /** Polls until the request answers the status; answers how long it took. */
  async function within(limitMs: number, request: () => Promise<{ status: number }>, status: number): Promise<number> {
    const started = Date.now()
    for (;;) {
      const response = await request()
      if (response.status === status) return Date.now() - started
      if (Date.now() - started > limitMs) throw new Error(`still ${response.status} after ${limitMs} ms, expected ${status}`)
      await sleep(20)
    }
  }

  it('the first key, created while the app runs, is required within the cache TTL', async () => {
    t = await createTestApp({ authCacheTtlMs: TTL_MS })
    expect((await call('GET', '/operators/')).status).toBe(200)
    const key = await createKey('viewer')
    // Generous margin: the machine is shared and slow at times.
    await within(TTL_MS + 2_000, () => call('GET', '/operators/'), 401)
    expect((await call('GET', '/operators/', bearer(key))).status).toBe(200)
  })

  it('a revoked key is refused within the cache TTL, and a new key works at once', async () => {
    t = await createTestApp({ authCacheTtlMs: TTL_MS })
    await createKey('admin')
    const viewer = await createApiKey(t.db, { name: uniqueName('viewer'), role: 'viewer' })
    expect((await call('GET', '/operators/', bearer(viewer.key))).status).toBe(200)
    await revokeApiKey(t.db, viewer.apiKey.id)
    await within(TTL_MS + 2_000, () => call('GET', '/operators/', bearer(viewer.key)), 401)

    const fresh = await createKey('viewer')
    expect((await call('GET', '/operators/', bearer(fresh))).status).toBe(200)
  })

  it('revoking the last key reopens a loopback API once the TTL has passed', async () => {
    t = await createTestApp({ authCacheTtlMs: 0 })
    const only = await createApiKey(t.db, { name: uniqueName('admin'), role: 'admin' })
    expectError(await call('GET', '/operators/'), 401, 'UNAUTHENTICATED')
    await revokeApiKey(t.db, only.apiKey.id)
    expect((await call('GET', '/operators/')).status).toBe(200)
  })
})

describe('last_used_at', () => {
  it('is recorded after a request, without delaying it, and not rewritten on every request', async () => {
    await appWithKeys()
    const viewer = await createApiKey(t!.db, { name: uniqueName('viewer'), role: 'viewer' })
    expect(viewer.apiKey.last_used_at).toBeNull()
    expect((await call('GET', '/operators/', bearer(viewer.key))).status).toBe(200)

    const lastUsed = async () => (await listApiKeys(t!.db)).find((k) => k.id === viewer.apiKey.id)?.last_used_at
    const deadline = Date.now() + 5_000
    while ((await lastUsed()) === null && Date.now() < deadline) await sleep(20)
    const first = await lastUsed()
    expect(first).toEqual(expect.any(String))

    await sleep(10)
    for (let i = 0; i < 3; i++) expect((await call('GET', '/operators/', bearer(viewer.key))).status).toBe(200)
    await sleep(100)
    expect(await lastUsed()).toBe(first)
  })
})

describe('OpenAPI', () => {
  it('documents both ways to send a key, which routes need none, and 401/403 with the roles elsewhere', async () => {
    t = await createTestApp()
    const doc = (await call('GET', '/openapi.json')).body
    expect(doc.components.securitySchemes).toEqual({
      bearerAuth: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      apiKeyHeader: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }),
    })
    // On loopback the API is open until a key exists, so no key ({}) is documented as well (openapi-contract.test.ts).
    expect(doc.security).toEqual([{ bearerAuth: [] }, { apiKeyHeader: [] }, {}])
    expect(doc.paths['/health'].get.security).toEqual([])
    const post = doc.paths['/contacts/'].post
    expect(post.security).toBeUndefined()
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['201', '401', '403', '422']))
    expect(post.description).toContain('API key roles: admin, ingest.')
    expect(doc.paths['/operators/'].get.description).toContain('API key roles: admin, viewer.')
  })
})
