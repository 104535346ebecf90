import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { apiClient } from '../helpers/api-client.js'
import { expectError, expectValidationError } from '../helpers/http-assertions.js'
import { createTestApp, type TestApp } from '../helpers/test-app.js'

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/

let t: TestApp
let api: ReturnType<typeof apiClient>

beforeEach(async () => {
  // () => 0 always picks the first eligible operator (lowest id), so assignments are predictable.
  t = await createTestApp({ random: () => 0 })
  api = apiClient(t.app)
})
afterEach(async () => {
  await t.close()
})

/** A source with one operator of weight 1. */
async function sourceWithOperator(fields: { max_load?: number; name?: string } = {}) {
  const operator = await api.createOperator(fields)
  const source = await api.createSource()
  await api.setWeights(source.id, [[operator.id, 1]])
  return { operator, source }
}

const ids = (rows: any[]) => rows.map((row) => row.id)

describe('POST /contacts/', () => {
  it.each(['/contacts/', '/contacts'])('registers a contact at %s: 201 with lead, source and operator', async (path) => {
    const { operator, source } = await sourceWithOperator({ name: 'Maria' })

    const response = await api.post(path, { external_id: 'tg_100', source_id: source.id, phone: '+79001234567', email: 'a@example.com' })

    expect(response.status).toBe(201)
    expect(response.body).toEqual({
      id: expect.any(Number),
      lead_id: expect.any(Number),
      source_id: source.id,
      operator_id: operator.id,
      status: 'active',
      created_at: expect.stringMatching(ISO),
      closed_at: null,
      assigned_at: response.body.created_at,
      lead: {
        id: response.body.lead_id,
        external_id: 'tg_100',
        phone: '+79001234567',
        email: 'a@example.com',
        created_at: expect.stringMatching(ISO),
      },
      source: { id: source.id, name: source.name, created_at: expect.stringMatching(ISO), assign_waiting: true, prefer_last_operator: false },
      operator: {
        id: operator.id,
        name: 'Maria',
        is_active: true,
        max_load: 10,
        current_load: 1,
        created_at: expect.stringMatching(ISO),
      },
    })
    expect((await api.get(`/contacts/${response.body.id}`)).body).toEqual(response.body)
    expect((await api.get(`/operators/${operator.id}`)).body.current_load).toBe(1)
  })

  it('phone and email are optional and stored as null', async () => {
    const { source } = await sourceWithOperator()
    const response = await api.post('/contacts/', { external_id: 'x1', source_id: source.id })
    expect(response.status).toBe(201)
    expect(response.body.lead).toMatchObject({ external_id: 'x1', phone: null, email: null })
  })

  it('creates the contact unassigned (operator_id null, operator null) when no operator is eligible', async () => {
    const source = await api.createSource()

    const response = await api.post('/contacts/', { external_id: 'lonely', source_id: source.id })

    expect(response.status).toBe(201)
    expect(response.body).toMatchObject({ operator_id: null, operator: null, status: 'active', closed_at: null })
    expect((await api.get(`/contacts/${response.body.id}`)).body).toMatchObject({ operator_id: null, operator: null })
  })

  it('reuses the lead for a repeat external_id, from any source', async () => {
    const { source } = await sourceWithOperator()
    const other = await api.createSource()

    const first = await api.registerContact({ source_id: source.id, external_id: 'repeat' })
    const second = await api.registerContact({ source_id: other.id, external_id: 'repeat' })
    const third = await api.registerContact({ source_id: source.id, external_id: '  repeat  ' })

    expect(second.lead_id).toBe(first.lead_id)
    expect(third.lead_id).toBe(first.lead_id)
    expect(new Set([first.id, second.id, third.id]).size).toBe(3)
    expect((await api.get('/leads/')).body).toHaveLength(1)
    expect((await api.get('/leads/')).body[0].external_id).toBe('repeat')
  })

  it('a repeat contact fills in missing phone and email', async () => {
    const source = await api.createSource()
    await api.registerContact({ source_id: source.id, external_id: 'fill' })
    const withPhone = await api.post('/contacts/', { source_id: source.id, external_id: 'fill', phone: '+100' })
    expect(withPhone.body.lead).toMatchObject({ phone: '+100', email: null })

    const withEmail = await api.post('/contacts/', { source_id: source.id, external_id: 'fill', email: 'f@example.com' })

    expect(withEmail.body.lead).toMatchObject({ phone: '+100', email: 'f@example.com' })
    expect((await api.get(`/leads/${withEmail.body.lead_id}`)).body).toMatchObject({ phone: '+100', email: 'f@example.com' })
  })

  it('a repeat contact never blanks phone or email (null or absent)', async () => {
    const source = await api.createSource()
    const first = await api.registerContact({ source_id: source.id, external_id: 'keep', phone: '+200', email: 'k@example.com' })

    const withNulls = await api.post('/contacts/', { source_id: source.id, external_id: 'keep', phone: null, email: null })
    const without = await api.post('/contacts/', { source_id: source.id, external_id: 'keep' })

    expect(withNulls.status).toBe(201)
    expect(withNulls.body.lead).toMatchObject({ phone: '+200', email: 'k@example.com' })
    expect(without.body.lead).toMatchObject({ phone: '+200', email: 'k@example.com' })
    expect((await api.get(`/leads/${first.lead_id}`)).body).toMatchObject({ phone: '+200', email: 'k@example.com' })
  })

  it('answers 404 for an unknown source and creates neither lead nor contact', async () => {
    const source = await api.createSource()

    const response = await api.post('/contacts/', { external_id: 'nowhere', source_id: source.id + 1, phone: '+1' })

    expect(expectError(response, 404, 'NOT_FOUND')).toMatch(/source/i)
    expect((await api.get('/leads/')).body).toEqual([])
    expect((await api.get('/contacts/')).body).toEqual([])
    expect((await api.get('/stats/contacts')).body.total_contacts).toBe(0)
  })

  it.each([
    ['missing external_id', (source_id: number) => ({ source_id }), ['body', 'external_id']],
    ['missing source_id', () => ({ external_id: 'e' }), ['body', 'source_id']],
    ['blank external_id', (source_id: number) => ({ external_id: '   ', source_id }), ['body', 'external_id']],
    ['numeric external_id', (source_id: number) => ({ external_id: 42, source_id }), ['body', 'external_id']],
    ['source_id as a string', (source_id: number) => ({ external_id: 'e', source_id: String(source_id) }), ['body', 'source_id']],
    ['source_id 0', () => ({ external_id: 'e', source_id: 0 }), ['body', 'source_id']],
    ['negative source_id', () => ({ external_id: 'e', source_id: -1 }), ['body', 'source_id']],
    ['invalid email', (source_id: number) => ({ external_id: 'e', source_id, email: 'not-an-email' }), ['body', 'email']],
    ['numeric phone', (source_id: number) => ({ external_id: 'e', source_id, phone: 79001234567 }), ['body', 'phone']],
    ['phone too long', (source_id: number) => ({ external_id: 'e', source_id, phone: '1'.repeat(51) }), ['body', 'phone']],
  ])('rejects %s with 422 and stores nothing', async (_label, payload, loc) => {
    const { operator, source } = await sourceWithOperator()

    expectValidationError(await api.post('/contacts/', payload(source.id)), loc)
    expect((await api.get('/contacts/')).body).toEqual([])
    expect((await api.get('/leads/')).body).toEqual([])
    expect((await api.get(`/operators/${operator.id}`)).body.current_load).toBe(0)
  })
})

describe('GET /contacts/{id}', () => {
  it.each(['', '/'])('answers the contact with its nested objects (suffix %j)', async (suffix) => {
    const { operator, source } = await sourceWithOperator()
    const contact = await api.registerContact({ source_id: source.id, external_id: 'get-me', email: 'g@example.com' })

    const response = await api.get(`/contacts/${contact.id}${suffix}`)

    expect(response.status).toBe(200)
    expect(response.body).toMatchObject({
      id: contact.id,
      lead_id: contact.lead_id,
      source_id: source.id,
      operator_id: operator.id,
      status: 'active',
      closed_at: null,
      lead: { id: contact.lead_id, external_id: 'get-me', email: 'g@example.com', phone: null },
      source: { id: source.id, name: source.name },
      operator: { id: operator.id, name: operator.name, current_load: 1, max_load: 10, is_active: true },
    })
  })

  it('answers 404 for an unknown id', async () => {
    const { source } = await sourceWithOperator()
    const contact = await api.registerContact({ source_id: source.id })
    expect(expectError(await api.get(`/contacts/${contact.id + 1}`), 404, 'NOT_FOUND')).toMatch(/contact/i)
  })

  it.each(['abc', '0', '1.5'])('answers 422 for id %s', async (id) => {
    const { source } = await sourceWithOperator()
    await api.registerContact({ source_id: source.id })
    expectValidationError(await api.get(`/contacts/${id}`), ['path', 'id'])
  })
})

describe('GET /contacts/', () => {
  async function arrange() {
    const a = await api.createOperator({ max_load: 2 })
    const b = await api.createOperator()
    // s1 leaves its waiting contacts to supervisors, so c3 still waits after c2 closes.
    const s1 = await api.createSource(undefined, { assign_waiting: false })
    const s2 = await api.createSource()
    await api.setWeights(s1.id, [[a.id, 1]])
    await api.setWeights(s2.id, [[b.id, 1]])
    const c1 = await api.registerContact({ source_id: s1.id, external_id: 'lead-1' }) // a
    const c2 = await api.registerContact({ source_id: s1.id, external_id: 'lead-2' }) // a
    const c3 = await api.registerContact({ source_id: s1.id, external_id: 'lead-1' }) // a full -> null
    const c4 = await api.registerContact({ source_id: s2.id, external_id: 'lead-2' }) // b
    const c5 = await api.registerContact({ source_id: s2.id, external_id: 'lead-3' }) // b
    await api.patch(`/contacts/${c2.id}`, { status: 'closed' })
    await api.patch(`/contacts/${c5.id}`, { status: 'closed' })
    expect([c1.operator_id, c2.operator_id, c3.operator_id, c4.operator_id, c5.operator_id]).toEqual([a.id, a.id, null, b.id, b.id])
    return { a, b, s1, s2, c1, c2, c3, c4, c5 }
  }

  it.each(['/contacts/', '/contacts'])('lists every contact in id order at %s', async (path) => {
    const { c1, c2, c3, c4, c5 } = await arrange()
    const response = await api.get(path)
    expect(response.status).toBe(200)
    expect(ids(response.body)).toEqual([c1.id, c2.id, c3.id, c4.id, c5.id])
    expect(response.body[2]).toMatchObject({ operator_id: null, operator: null })
    expect(response.body[1]).toMatchObject({ status: 'closed', closed_at: expect.stringMatching(ISO) })
  })

  it('filters by lead_id', async () => {
    const { c1, c3 } = await arrange()
    expect(ids((await api.get(`/contacts/?lead_id=${c1.lead_id}`)).body)).toEqual([c1.id, c3.id])
  })

  it('filters by source_id', async () => {
    const { s2, c4, c5 } = await arrange()
    expect(ids((await api.get(`/contacts/?source_id=${s2.id}`)).body)).toEqual([c4.id, c5.id])
  })

  it('filters by operator_id', async () => {
    const { a, c1, c2 } = await arrange()
    expect(ids((await api.get(`/contacts/?operator_id=${a.id}`)).body)).toEqual([c1.id, c2.id])
  })

  it('filters by status', async () => {
    const { c1, c2, c3, c4, c5 } = await arrange()
    expect(ids((await api.get('/contacts/?status=active')).body)).toEqual([c1.id, c3.id, c4.id])
    expect(ids((await api.get('/contacts/?status=closed')).body)).toEqual([c2.id, c5.id])
  })

  it('filters by assigned', async () => {
    const { c1, c2, c3, c4, c5 } = await arrange()
    expect(ids((await api.get('/contacts/?assigned=false')).body)).toEqual([c3.id])
    expect(ids((await api.get('/contacts/?assigned=true')).body)).toEqual([c1.id, c2.id, c4.id, c5.id])
  })

  it('combines filters', async () => {
    const { b, s1, s2, c1, c4 } = await arrange()
    expect(ids((await api.get(`/contacts/?source_id=${s1.id}&status=active&assigned=true`)).body)).toEqual([c1.id])
    expect(ids((await api.get(`/contacts/?operator_id=${b.id}&status=active&source_id=${s2.id}`)).body)).toEqual([c4.id])
    expect((await api.get(`/contacts/?operator_id=${b.id}&source_id=${s1.id}`)).body).toEqual([])
  })

  it('answers an empty array for filters that match nothing', async () => {
    const { b } = await arrange()
    expect((await api.get(`/contacts/?lead_id=9999`)).body).toEqual([])
    expect((await api.get(`/contacts/?operator_id=${b.id + 100}`)).body).toEqual([])
  })

  it('pages by skip and limit', async () => {
    const { c2, c3, c4, c5 } = await arrange()
    expect(ids((await api.get('/contacts/?skip=1&limit=2')).body)).toEqual([c2.id, c3.id])
    expect(ids((await api.get('/contacts/?skip=3')).body)).toEqual([c4.id, c5.id])
    expect(ids((await api.get('/contacts/?status=closed&limit=1')).body)).toEqual([c2.id])
    expect((await api.get('/contacts/?limit=1000')).body).toHaveLength(5)
  })

  it.each([
    ['limit=1001', 'limit'],
    ['limit=0', 'limit'],
    ['skip=-1', 'skip'],
    ['lead_id=abc', 'lead_id'],
    ['source_id=0', 'source_id'],
    ['operator_id=1.5', 'operator_id'],
    ['status=open', 'status'],
    ['assigned=maybe', 'assigned'],
  ])('rejects %s with 422', async (query, field) => {
    await arrange()
    expectValidationError(await api.get(`/contacts/?${query}`), ['query', field])
  })
})

describe('PATCH /contacts/{id}', () => {
  it.each(['', '/'])('{"status":"closed"} closes the contact and sets closed_at (suffix %j)', async (suffix) => {
    const { operator, source } = await sourceWithOperator()
    const contact = await api.registerContact({ source_id: source.id })
    const before = Date.now()

    const response = await api.patch(`/contacts/${contact.id}${suffix}`, { status: 'closed' })

    expect(response.status).toBe(200)
    expect(response.body).toMatchObject({
      id: contact.id,
      status: 'closed',
      closed_at: expect.stringMatching(ISO),
      operator_id: operator.id,
      operator: { id: operator.id, current_load: 0 },
    })
    expect(Date.parse(response.body.closed_at)).toBeGreaterThanOrEqual(before - 1000)
    expect((await api.get(`/contacts/${contact.id}`)).body).toEqual(response.body)
  })

  it('frees the operator slot: current_load drops and the operator can be assigned again', async () => {
    const { operator, source } = await sourceWithOperator({ max_load: 1 })
    const first = await api.registerContact({ source_id: source.id })
    expect(first.operator_id).toBe(operator.id)
    expect((await api.get(`/operators/${operator.id}`)).body.current_load).toBe(1)

    await api.patch(`/contacts/${first.id}`, { status: 'closed' })

    expect((await api.get(`/operators/${operator.id}`)).body.current_load).toBe(0)
    const next = await api.registerContact({ source_id: source.id })
    expect(next.operator_id).toBe(operator.id)
    expect((await api.get(`/operators/${operator.id}`)).body.current_load).toBe(1)
  })

  it('the freed slot goes at once to the contact that waited for it', async () => {
    const { operator, source } = await sourceWithOperator({ max_load: 1 })
    const first = await api.registerContact({ source_id: source.id })
    const waiting = await api.registerContact({ source_id: source.id })
    expect(waiting.operator_id).toBeNull()

    await api.patch(`/contacts/${first.id}`, { status: 'closed' })

    const given = (await api.get(`/contacts/${waiting.id}`)).body
    expect(given).toMatchObject({ operator_id: operator.id, status: 'active', assigned_at: expect.stringMatching(ISO) })
    expect((await api.get(`/operators/${operator.id}`)).body.current_load).toBe(1)
  })

  it('closing twice changes nothing: same closed_at, no double decrement', async () => {
    const { operator, source } = await sourceWithOperator()
    const contact = await api.registerContact({ source_id: source.id })
    await api.registerContact({ source_id: source.id })
    const closed = await api.patch(`/contacts/${contact.id}`, { status: 'closed' })
    expect((await api.get(`/operators/${operator.id}`)).body.current_load).toBe(1)
    const statsBefore = (await api.get('/stats/contacts')).body

    const again = await api.patch(`/contacts/${contact.id}`, { status: 'closed' })

    expect(again.status).toBe(200)
    expect(again.body.closed_at).toBe(closed.body.closed_at)
    expect(again.body.status).toBe('closed')
    expect((await api.get(`/operators/${operator.id}`)).body.current_load).toBe(1)
    expect((await api.get('/stats/contacts')).body).toEqual(statsBefore)
    expect(statsBefore).toMatchObject({ active_contacts: 1, closed_contacts: 1 })
  })

  it('closes an unassigned contact', async () => {
    const source = await api.createSource()
    const contact = await api.registerContact({ source_id: source.id })

    const response = await api.patch(`/contacts/${contact.id}`, { status: 'closed' })

    expect(response.body).toMatchObject({ status: 'closed', operator_id: null, operator: null })
    expect((await api.get('/stats/contacts')).body).toMatchObject({ waiting_contacts: 0, unassigned_contacts: 1, closed_contacts: 1 })
  })

  it.each([
    ['status active', { status: 'active' }],
    ['unknown status', { status: 'done' }],
    ['status in upper case', { status: 'CLOSED' }],
    ['empty body', {}],
    ['status null', { status: null }],
    ['status as a number', { status: 1 }],
  ])('rejects %s with 422 and changes nothing', async (_label, payload) => {
    const { operator, source } = await sourceWithOperator()
    const contact = await api.registerContact({ source_id: source.id })
    const before = (await api.get(`/contacts/${contact.id}`)).body

    expectValidationError(await api.patch(`/contacts/${contact.id}`, payload), ['body', 'status'])
    expect((await api.get(`/contacts/${contact.id}`)).body).toEqual(before)
    expect(before).toMatchObject({ status: 'active', closed_at: null })
    expect((await api.get(`/operators/${operator.id}`)).body.current_load).toBe(1)
  })

  it('{"status":"active"} does not reopen a closed contact', async () => {
    const { operator, source } = await sourceWithOperator()
    const contact = await api.registerContact({ source_id: source.id })
    const closed = (await api.patch(`/contacts/${contact.id}`, { status: 'closed' })).body

    expectValidationError(await api.patch(`/contacts/${contact.id}`, { status: 'active' }), ['body', 'status'])
    expect((await api.get(`/contacts/${contact.id}`)).body).toEqual(closed)
    expect((await api.get(`/operators/${operator.id}`)).body.current_load).toBe(0)
  })

  it('answers 404 for an unknown id', async () => {
    const { source } = await sourceWithOperator()
    const contact = await api.registerContact({ source_id: source.id })
    expectError(await api.patch(`/contacts/${contact.id + 1}`, { status: 'closed' }), 404, 'NOT_FOUND')
    expect((await api.get(`/contacts/${contact.id}`)).body.status).toBe('active')
  })

  it.each(['abc', '0', '{id}.9'])('answers 422 for id %s and closes nothing', async (id) => {
    const { source } = await sourceWithOperator()
    const contact = await api.registerContact({ source_id: source.id })
    const path = `/contacts/${id.replace('{id}', String(contact.id))}`
    expectValidationError(await api.patch(path, { status: 'closed' }), ['path', 'id'])
    expect((await api.get(`/contacts/${contact.id}`)).body.status).toBe('active')
  })
})
