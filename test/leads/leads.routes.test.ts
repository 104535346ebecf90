import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { apiClient } from '../helpers/api-client.js'
import { expectError, expectValidationError } from '../helpers/http-assertions.js'
import { createTestApp, type TestApp } from '../helpers/test-app.js'

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/

let t: TestApp
let api: ReturnType<typeof apiClient>

beforeEach(async () => {
  t = await createTestApp({ random: () => 0 })
  api = apiClient(t.app)
})
afterEach(async () => {
  await t.close()
})

const ids = (rows: any[]) => rows.map((row) => row.id)

describe('GET /leads/', () => {
  it.each(['/leads/', '/leads'])('lists the leads made by contacts, in id order, at %s', async (path) => {
    const source = await api.createSource()
    const first = await api.registerContact({ source_id: source.id, external_id: 'u1', phone: '+1' })
    const second = await api.registerContact({ source_id: source.id, external_id: 'u2', email: 'u2@example.com' })
    await api.registerContact({ source_id: source.id, external_id: 'u1' })

    const response = await api.get(path)

    expect(response.status).toBe(200)
    expect(response.body).toEqual([
      { id: first.lead_id, external_id: 'u1', phone: '+1', email: null, created_at: expect.stringMatching(ISO) },
      { id: second.lead_id, external_id: 'u2', phone: null, email: 'u2@example.com', created_at: expect.stringMatching(ISO) },
    ])
  })

  it('answers an empty array when there are none', async () => {
    const response = await api.get('/leads/')
    expect(response.status).toBe(200)
    expect(response.body).toEqual([])
  })

  it('pages by skip and limit', async () => {
    const source = await api.createSource()
    const leadIds: number[] = []
    for (let i = 0; i < 4; i++) leadIds.push((await api.registerContact({ source_id: source.id })).lead_id)

    expect(ids((await api.get('/leads/?limit=2')).body)).toEqual(leadIds.slice(0, 2))
    expect(ids((await api.get('/leads/?skip=2&limit=1')).body)).toEqual(leadIds.slice(2, 3))
    expect((await api.get('/leads/?skip=4')).body).toEqual([])
  })

  it.each(['limit=1001', 'limit=0', 'skip=-1', 'skip=a'])('rejects %s with 422', async (query) => {
    expectValidationError(await api.get(`/leads/?${query}`), ['query', query.split('=')[0]!])
  })
})

describe('GET /leads/{id}', () => {
  it.each(['', '/'])('answers the lead (suffix %j)', async (suffix) => {
    const source = await api.createSource()
    const contact = await api.registerContact({ source_id: source.id, external_id: 'who', phone: '+7', email: 'w@example.com' })

    const response = await api.get(`/leads/${contact.lead_id}${suffix}`)

    expect(response.status).toBe(200)
    expect(response.body).toEqual({
      id: contact.lead_id,
      external_id: 'who',
      phone: '+7',
      email: 'w@example.com',
      created_at: expect.stringMatching(ISO),
    })
  })

  it('answers 404 for an unknown id', async () => {
    const source = await api.createSource()
    const contact = await api.registerContact({ source_id: source.id })
    expect(expectError(await api.get(`/leads/${contact.lead_id + 1}`), 404, 'NOT_FOUND')).toMatch(/lead/i)
  })

  it.each(['abc', '0', '1.5', '99999999999'])('answers 422 for id %s', async (id) => {
    expectValidationError(await api.get(`/leads/${id}`), ['path', 'id'])
  })
})

describe('GET /leads/{id}/contacts', () => {
  it.each(['', '/'])('lists the contacts of the lead from every source, with nested objects (suffix %j)', async (suffix) => {
    const operator = await api.createOperator()
    const s1 = await api.createSource()
    const s2 = await api.createSource()
    await api.setWeights(s1.id, [[operator.id, 1]])
    const c1 = await api.registerContact({ source_id: s1.id, external_id: 'mine' })
    await api.registerContact({ source_id: s1.id, external_id: 'someone else' })
    const c2 = await api.registerContact({ source_id: s2.id, external_id: 'mine' })

    const response = await api.get(`/leads/${c1.lead_id}/contacts${suffix}`)

    expect(response.status).toBe(200)
    expect(ids(response.body)).toEqual([c1.id, c2.id])
    expect(response.body[0]).toMatchObject({
      lead_id: c1.lead_id,
      source_id: s1.id,
      operator_id: operator.id,
      lead: { id: c1.lead_id, external_id: 'mine' },
      source: { id: s1.id, name: s1.name },
      operator: { id: operator.id, name: operator.name },
    })
    expect(response.body[1]).toMatchObject({ source_id: s2.id, operator_id: null, operator: null })
  })

  it('lists closed contacts too', async () => {
    const source = await api.createSource()
    const c1 = await api.registerContact({ source_id: source.id, external_id: 'closer' })
    await api.patch(`/contacts/${c1.id}`, { status: 'closed' })
    const c2 = await api.registerContact({ source_id: source.id, external_id: 'closer' })

    const body = (await api.get(`/leads/${c1.lead_id}/contacts`)).body
    expect(body.map((c: any) => [c.id, c.status])).toEqual([
      [c1.id, 'closed'],
      [c2.id, 'active'],
    ])
  })

  it('pages by skip and limit', async () => {
    const source = await api.createSource()
    const contactIds: number[] = []
    for (let i = 0; i < 3; i++) contactIds.push((await api.registerContact({ source_id: source.id, external_id: 'pager' })).id)
    const leadId = (await api.get(`/contacts/${contactIds[0]}`)).body.lead_id

    expect(ids((await api.get(`/leads/${leadId}/contacts?skip=1&limit=1`)).body)).toEqual([contactIds[1]])
    expect(ids((await api.get(`/leads/${leadId}/contacts?skip=2`)).body)).toEqual([contactIds[2]])
    expectValidationError(await api.get(`/leads/${leadId}/contacts?limit=1001`), ['query', 'limit'])
  })

  it('answers 404 for an unknown lead', async () => {
    const source = await api.createSource()
    const contact = await api.registerContact({ source_id: source.id })
    expect(expectError(await api.get(`/leads/${contact.lead_id + 1}/contacts`), 404, 'NOT_FOUND')).toMatch(/lead/i)
  })

  it.each(['abc', '0'])('answers 422 for id %s', async (id) => {
    expectValidationError(await api.get(`/leads/${id}/contacts`), ['path', 'id'])
  })
})
