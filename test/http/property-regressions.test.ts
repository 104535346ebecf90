import { afterEach, describe, expect, it } from 'vitest'
import { apiClient } from '../helpers/api-client.js'
import { expectValidationError } from '../helpers/http-assertions.js'
import { createTestApp, type TestApp } from '../helpers/test-app.js'

// Bugs the property tests (test/property) found, pinned by example.
let t: TestApp | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

describe('found by the property tests', () => {
  it('a skip past 2^31 is a 422, not a 500', async () => {
    t = await createTestApp()
    const api = apiClient(t.app)
    for (const url of ['/operators/', '/sources/', '/leads/', '/contacts/']) {
      expectValidationError(await api.get(`${url}?skip=1000000000000000000000000000000`), ['query', 'skip'])
    }
    expect((await api.get('/operators/?skip=2147483647')).status).toBe(200)
  })

  it("GET /leads/{id}/contacts ignores query keys it does not document", async () => {
    t = await createTestApp()
    const api = apiClient(t.app)
    const source = await api.createSource()
    const operator = await api.createOperator()
    await api.setWeights(source.id, [[operator.id, 1]])
    const first = await api.registerContact({ source_id: source.id, external_id: 'same-lead' })
    await api.registerContact({ source_id: source.id, external_id: 'same-lead' })
    await api.patch(`/contacts/${first.id}`, { status: 'closed' })

    for (const query of [`operator_id=${operator.id + 1}`, 'status=closed', 'status=active&status=active', 'operator_id=abc']) {
      const response = await api.get(`/leads/${first.lead_id}/contacts?${query}`)
      expect(response.status, query).toBe(200)
      expect(response.body.map((c: { id: number }) => c.id), query).toHaveLength(2)
    }
  })

  it('text with control characters (NUL, which PostgreSQL cannot store) is a 422 on every database, storing nothing', async () => {
    t = await createTestApp()
    const api = apiClient(t.app)
    expectValidationError(await api.post('/sources/', { name: 'nul\u0000byte' }), ['body', 'name'])
    expectValidationError(await api.post('/operators/', { name: 'tab\there' }), ['body', 'name'])
    const source = await api.createSource()
    expectValidationError(await api.post('/contacts/', { external_id: 'a\u0000b', source_id: source.id }), ['body', 'external_id'])
    expectValidationError(await api.post('/contacts/', { external_id: 'ok', source_id: source.id, phone: '+7\u0000' }), ['body', 'phone'])
    expect((await api.get('/sources/')).body).toHaveLength(1)
    expect((await api.get('/operators/')).body).toEqual([])
    expect((await api.get('/contacts/')).body).toEqual([])
  })
})
