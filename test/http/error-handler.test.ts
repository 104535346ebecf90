import { afterEach, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { createDb } from '../../src/db/database.js'
import { apiClient } from '../helpers/api-client.js'
import { createTestApp, type TestApp } from '../helpers/test-app.js'

let t: TestApp | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

describe('error handler', () => {
  it('answers a fault with a generic 500 that carries no internals', async () => {
    t = await createTestApp()
    await t.db.destroy() // every query now throws from inside the database driver
    const response = await t.app.inject({ method: 'GET', url: '/operators/' })
    expect(response.statusCode).toBe(500)
    expect(response.json()).toEqual({ detail: 'Internal server error', code: 'INTERNAL_ERROR' })
    expect(response.body).not.toMatch(/sqlite|database|stack|at /i)
  })

  it('answers 503 DATABASE_UNAVAILABLE, quickly, when the database cannot be reached', async () => {
    const config = loadConfig({ DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/nowhere', DATABASE_CONNECT_TIMEOUT_MS: '2000' })
    const db = createDb(config.database)
    const app = await buildApp({ config, db, logger: false })
    try {
      const list = await app.inject({ method: 'GET', url: '/operators/' })
      expect(list.statusCode).toBe(503)
      expect(list.json()).toEqual({ detail: 'The database is unavailable; retry later', code: 'DATABASE_UNAVAILABLE' })
      const health = await app.inject({ method: 'GET', url: '/health' })
      expect(health.statusCode).toBe(503)
      expect(health.json()).toMatchObject({ status: 'unavailable', database: 'unreachable' })
    } finally {
      await app.close()
      await db.destroy()
    }
  })
})

describe('DELETE with a JSON content type and no body', () => {
  it('is served as a DELETE without a body', async () => {
    t = await createTestApp()
    const api = apiClient(t.app)
    const operator = await api.createOperator()
    const response = await t.app.inject({
      method: 'DELETE',
      url: `/operators/${operator.id}`,
      headers: { 'content-type': 'application/json' },
    })
    expect(response.statusCode).toBe(204)
    expect((await api.get(`/operators/${operator.id}`)).status).toBe(404)
  })

  it('still rejects an empty JSON body where a body is required', async () => {
    t = await createTestApp()
    const response = await t.app.inject({
      method: 'POST',
      url: '/operators/',
      headers: { 'content-type': 'application/json' },
      payload: '',
    })
    expect(response.statusCode).toBe(400)
    expect(response.json()).toMatchObject({ code: 'INVALID_JSON' })
  })
})

describe('a malformed URL', () => {
  it('answers 400 BAD_URL in the error shape, not the framework’s own body', async () => {
    t = await createTestApp()
    const response = await t.app.inject({ method: 'GET', url: '/operators/%' })
    expect(response.statusCode).toBe(400)
    expect(response.json()).toEqual({ detail: 'The request URL is malformed', code: 'BAD_URL' })
  })
})
