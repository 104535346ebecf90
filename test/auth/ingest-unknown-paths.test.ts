import { afterEach, describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/auth/api-keys.service.js'
import { createSource } from '../../src/sources/sources.service.js'
import { uniqueName } from '../helpers/factories.js'
import { expectError } from '../helpers/http-assertions.js'
import { createTestApp, type TestApp } from '../helpers/test-app.js'

let t: TestApp | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'OPTIONS'

describe.each(['', '/api/v1'])('an ingest key on a path no route serves (API_V1_PREFIX=%j)', (prefix) => {
  it.each<[Method, string, number, string]>([
    ['POST', '/nowhere', 404, 'ROUTE_NOT_FOUND'],
    ['GET', '/contacts/1/nothing', 404, 'ROUTE_NOT_FOUND'],
    ['OPTIONS', '/contacts/', 405, 'METHOD_NOT_ALLOWED'],
    ['OPTIONS', '/nowhere', 404, 'ROUTE_NOT_FOUND'],
    ['POST', '//contacts/', 404, 'ROUTE_NOT_FOUND'],
    ['POST', '/contacts//', 404, 'ROUTE_NOT_FOUND'],
  ])('%s %s answers %i %s, as to every other valid key', async (method, path, status, code) => {
    t = await createTestApp({ env: { API_V1_PREFIX: prefix }, authCacheTtlMs: 0 })
    const source = await createSource(t.db, { name: uniqueName('Source') })
    const other = await createSource(t.db, { name: uniqueName('Source') })
    const limited = (await createApiKey(t.db, { name: uniqueName('ingest'), role: 'ingest', source_ids: [source.id] })).key
    const anySource = (await createApiKey(t.db, { name: uniqueName('ingest'), role: 'ingest', source_ids: null })).key
    const admin = (await createApiKey(t.db, { name: uniqueName('admin'), role: 'admin', source_ids: null })).key
    for (const key of [limited, anySource, admin]) {
      for (const payload of [undefined, { external_id: 'x', source_id: other.id }, { external_id: 'x', source_id: source.id }]) {
        const response = await t.app.inject({
          method,
          url: `${prefix}${path}`,
          headers: { authorization: `Bearer ${key}` },
          ...(payload && method !== 'GET' && { payload }),
        })
        const body = { status: response.statusCode, body: response.json() }
        expectError(body, status, code)
      }
    }
    // Without a key the answer stays 401: an unknown path reveals nothing to a caller without one.
    expect((await t.app.inject({ method, url: `${prefix}${path}` })).statusCode).toBe(401)
  })
})
