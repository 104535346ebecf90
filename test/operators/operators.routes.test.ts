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

describe('POST /operators/', () => {
  it.each(['/operators/', '/operators'])('creates an operator at %s with 201 and the defaults', async (path) => {
    const before = Date.now()
    const response = await api.post(path, { name: 'Ivan Petrov' })

    expect(response.status).toBe(201)
    expect(response.body).toEqual({
      id: expect.any(Number),
      name: 'Ivan Petrov',
      is_active: true,
      max_load: 10,
      current_load: 0,
      created_at: expect.stringMatching(ISO),
    })
    expect(Date.parse(response.body.created_at)).toBeGreaterThanOrEqual(before - 1000)
    expect((await api.get(`/operators/${response.body.id}`)).body).toEqual(response.body)
  })

  it('stores the given is_active and max_load, including max_load 0', async () => {
    const response = await api.post('/operators/', { name: 'Off', is_active: false, max_load: 0 })

    expect(response.status).toBe(201)
    expect(response.body).toMatchObject({ name: 'Off', is_active: false, max_load: 0, current_load: 0 })
    expect((await api.get(`/operators/${response.body.id}`)).body).toMatchObject({ is_active: false, max_load: 0 })
  })

  it('stores the name trimmed', async () => {
    const response = await api.post('/operators/', { name: '  \t Anna Smirnova  ' })

    expect(response.status).toBe(201)
    expect(response.body.name).toBe('Anna Smirnova')
    expect((await api.get(`/operators/${response.body.id}`)).body.name).toBe('Anna Smirnova')
  })

  it('gives each operator its own id, even with the same name', async () => {
    const first = await api.post('/operators/', { name: 'Same' })
    const second = await api.post('/operators/', { name: 'Same' })

    expect(first.status).toBe(201)
    expect(second.status).toBe(201)
    expect(second.body.id).not.toBe(first.body.id)
    expect((await api.get('/operators/')).body.map((o: any) => o.id)).toEqual([first.body.id, second.body.id])
  })

  it.each([
    ['missing name', {}, ['body', 'name'], 'missing'],
    ['blank name', { name: '   ' }, ['body', 'name'], undefined],
    ['empty name', { name: '' }, ['body', 'name'], undefined],
    ['numeric name', { name: 123 }, ['body', 'name'], 'type'],
    ['null name', { name: null }, ['body', 'name'], 'type'],
    ['name too long', { name: 'x'.repeat(201) }, ['body', 'name'], undefined],
    ['max_load as a string', { name: 'A', max_load: '5' }, ['body', 'max_load'], 'type'],
    ['non-integer max_load', { name: 'A', max_load: 2.5 }, ['body', 'max_load'], 'type'],
    ['negative max_load', { name: 'A', max_load: -1 }, ['body', 'max_load'], 'minimum'],
    ['is_active as a string', { name: 'A', is_active: 'yes' }, ['body', 'is_active'], 'type'],
    ['is_active as a number', { name: 'A', is_active: 1 }, ['body', 'is_active'], 'type'],
  ])('rejects %s with 422 and creates nothing', async (_label, payload, loc, type) => {
    const response = await api.post('/operators/', payload)

    expectValidationError(response, loc, type)
    expect((await api.get('/operators/')).body).toEqual([])
  })
})

describe('GET /operators/', () => {
  it.each(['/operators/', '/operators'])('lists operators in id order at %s', async (path) => {
    const a = await api.createOperator({ name: 'A' })
    const b = await api.createOperator({ name: 'B', is_active: false, max_load: 3 })

    const response = await api.get(path)

    expect(response.status).toBe(200)
    expect(response.body).toEqual([
      { id: a.id, name: 'A', is_active: true, max_load: 10, current_load: 0, created_at: expect.stringMatching(ISO) },
      { id: b.id, name: 'B', is_active: false, max_load: 3, current_load: 0, created_at: expect.stringMatching(ISO) },
    ])
  })

  it('answers an empty array when there are none', async () => {
    const response = await api.get('/operators/')
    expect(response.status).toBe(200)
    expect(response.body).toEqual([])
  })

  it('pages by skip and limit', async () => {
    const ids: number[] = []
    for (let i = 0; i < 5; i++) ids.push((await api.createOperator()).id)

    expect((await api.get('/operators/?limit=2')).body.map((o: any) => o.id)).toEqual(ids.slice(0, 2))
    expect((await api.get('/operators/?skip=2&limit=2')).body.map((o: any) => o.id)).toEqual(ids.slice(2, 4))
    expect((await api.get('/operators/?skip=4')).body.map((o: any) => o.id)).toEqual(ids.slice(4))
    expect((await api.get('/operators/?skip=5')).body).toEqual([])
    expect((await api.get('/operators/?limit=1000')).body).toHaveLength(5)
  })

  it('defaults to 100 rows per page', async () => {
    for (let i = 0; i < 101; i++) await api.createOperator()
    expect((await api.get('/operators/')).body).toHaveLength(100)
    expect((await api.get('/operators/?skip=100')).body).toHaveLength(1)
  })

  it.each([
    ['limit=1001', 'limit', 'maximum'],
    ['limit=0', 'limit', 'minimum'],
    ['skip=-1', 'skip', 'minimum'],
    ['limit=abc', 'limit', 'type'],
    ['limit=2.5', 'limit', 'type'],
  ])('rejects %s with 422', async (query, field, type) => {
    await api.createOperator()
    expectValidationError(await api.get(`/operators/?${query}`), ['query', field], type)
  })
})

describe('GET /operators/{id}', () => {
  it.each(['', '/'])('answers the operator (suffix %j)', async (suffix) => {
    const operator = await api.createOperator({ name: 'Olga', max_load: 7 })

    const response = await api.get(`/operators/${operator.id}${suffix}`)

    expect(response.status).toBe(200)
    expect(response.body).toMatchObject({ id: operator.id, name: 'Olga', is_active: true, max_load: 7, current_load: 0 })
  })

  it('carries current_load: the number of its active contacts', async () => {
    const operator = await api.createOperator()
    const source = await api.createSource()
    await api.setWeights(source.id, [[operator.id, 1]])
    const first = await api.registerContact({ source_id: source.id })
    await api.registerContact({ source_id: source.id })
    await api.registerContact({ source_id: source.id })

    expect((await api.get(`/operators/${operator.id}`)).body.current_load).toBe(3)
    await api.patch(`/contacts/${first.id}`, { status: 'closed' })
    expect((await api.get(`/operators/${operator.id}`)).body.current_load).toBe(2)
    expect((await api.get('/operators/')).body[0].current_load).toBe(2)
  })

  it('answers 404 for an unknown id', async () => {
    const operator = await api.createOperator()
    expect(expectError(await api.get(`/operators/${operator.id + 1}`), 404, 'NOT_FOUND')).toContain(String(operator.id + 1))
  })

  it.each(['abc', '0', '-1', '1.5', '2147483648'])('answers 422 for id %s', async (id) => {
    await api.createOperator()
    expectValidationError(await api.get(`/operators/${id}`), ['path', 'id'])
  })
})

describe('PATCH /operators/{id}', () => {
  it.each(['', '/'])('changes only the given fields (suffix %j)', async (suffix) => {
    const operator = await api.createOperator({ name: 'Before', max_load: 4 })

    const response = await api.patch(`/operators/${operator.id}${suffix}`, { is_active: false })

    expect(response.status).toBe(200)
    expect(response.body).toMatchObject({ id: operator.id, name: 'Before', is_active: false, max_load: 4 })
    expect((await api.get(`/operators/${operator.id}`)).body).toMatchObject({ name: 'Before', is_active: false, max_load: 4 })
  })

  it('updates name (trimmed), max_load and is_active together', async () => {
    const operator = await api.createOperator({ name: 'Old', is_active: false })

    const response = await api.patch(`/operators/${operator.id}`, { name: '  New  ', max_load: 25, is_active: true })

    expect(response.status).toBe(200)
    expect(response.body).toMatchObject({ name: 'New', max_load: 25, is_active: true })
    expect((await api.get(`/operators/${operator.id}`)).body).toMatchObject({ name: 'New', max_load: 25, is_active: true })
  })

  it('with an empty body answers the operator unchanged', async () => {
    const operator = await api.createOperator({ name: 'Same', max_load: 2 })
    const response = await api.patch(`/operators/${operator.id}`, {})
    expect(response.status).toBe(200)
    expect(response.body).toEqual(operator)
  })

  it('lowering max_load below current_load keeps the contacts but assigns nothing new', async () => {
    const operator = await api.createOperator({ max_load: 5 })
    const source = await api.createSource()
    await api.setWeights(source.id, [[operator.id, 1]])
    await api.registerContact({ source_id: source.id })
    await api.registerContact({ source_id: source.id })

    const response = await api.patch(`/operators/${operator.id}`, { max_load: 1 })
    expect(response.body).toMatchObject({ max_load: 1, current_load: 2 })

    const contact = await api.registerContact({ source_id: source.id })
    expect(contact.operator_id).toBeNull()
    expect((await api.get(`/operators/${operator.id}`)).body.current_load).toBe(2)
  })

  it('deactivating stops assignment; reactivating resumes it', async () => {
    const operator = await api.createOperator()
    const source = await api.createSource()
    await api.setWeights(source.id, [[operator.id, 1]])

    await api.patch(`/operators/${operator.id}`, { is_active: false })
    expect((await api.registerContact({ source_id: source.id })).operator_id).toBeNull()
    await api.patch(`/operators/${operator.id}`, { is_active: true })
    expect((await api.registerContact({ source_id: source.id })).operator_id).toBe(operator.id)
  })

  it.each([
    ['blank name', { name: '  ' }, ['body', 'name']],
    ['numeric name', { name: 5 }, ['body', 'name']],
    ['max_load as a string', { max_load: '5' }, ['body', 'max_load']],
    ['negative max_load', { max_load: -3 }, ['body', 'max_load']],
    ['non-integer max_load', { max_load: 1.25 }, ['body', 'max_load']],
    ['is_active as a string', { is_active: 'no' }, ['body', 'is_active']],
    ['is_active null', { is_active: null }, ['body', 'is_active']],
  ])('rejects %s with 422 and changes nothing', async (_label, payload, loc) => {
    const operator = await api.createOperator({ name: 'Kept', max_load: 6 })

    expectValidationError(await api.patch(`/operators/${operator.id}`, { name: 'Changed', ...payload }), loc)
    expect((await api.get(`/operators/${operator.id}`)).body).toEqual(operator)
  })

  it('answers 404 for an unknown id', async () => {
    const operator = await api.createOperator()
    expectError(await api.patch(`/operators/${operator.id + 100}`, { name: 'X' }), 404, 'NOT_FOUND')
    expectError(await api.patch(`/operators/${operator.id + 100}`, {}), 404, 'NOT_FOUND')
    expect((await api.get('/operators/')).body).toEqual([operator])
  })

  it.each(['abc', '0'])('answers 422 for id %s', async (id) => {
    expectValidationError(await api.patch(`/operators/${id}`, { name: 'X' }), ['path', 'id'])
  })
})

describe('DELETE /operators/{id}', () => {
  it.each(['', '/'])('answers 204 with no body; the operator is gone (suffix %j)', async (suffix) => {
    const kept = await api.createOperator()
    const operator = await api.createOperator()

    const response = await t.app.inject({ method: 'DELETE', url: `/operators/${operator.id}${suffix}` })

    expect(response.statusCode).toBe(204)
    expect(response.body).toBe('')
    expectError(await api.get(`/operators/${operator.id}`), 404, 'NOT_FOUND')
    expect((await api.get('/operators/')).body.map((o: any) => o.id)).toEqual([kept.id])
  })

  it('a second delete, a patch or a weight for the deleted operator answers 404', async () => {
    const operator = await api.createOperator()
    const source = await api.createSource()
    await api.delete(`/operators/${operator.id}`)

    expectError(await api.delete(`/operators/${operator.id}`), 404, 'NOT_FOUND')
    expectError(await api.patch(`/operators/${operator.id}`, { is_active: true }), 404, 'NOT_FOUND')
    expectError(
      await api.post(`/sources/${source.id}/distribution`, { operator_weights: [{ operator_id: operator.id, weight: 1 }] }),
      404,
      'NOT_FOUND',
    )
    expect((await api.get(`/sources/${source.id}/distribution`)).body).toEqual([])
  })

  it('removes its weights from every source distribution', async () => {
    const gone = await api.createOperator()
    const stays = await api.createOperator()
    const s1 = await api.createSource()
    const s2 = await api.createSource()
    await api.setWeights(s1.id, [[gone.id, 10], [stays.id, 30]])
    await api.setWeights(s2.id, [[gone.id, 5]])

    expect((await api.delete(`/operators/${gone.id}`)).status).toBe(204)

    const d1 = (await api.get(`/sources/${s1.id}/distribution`)).body
    expect(d1).toHaveLength(1)
    expect(d1[0]).toMatchObject({ operator_id: stays.id, weight: 30, share: 1 })
    expect((await api.get(`/sources/${s2.id}/distribution`)).body).toEqual([])
  })

  it('returns its active contacts to the unassigned pool; closed contacts keep it', async () => {
    const operator = await api.createOperator()
    const source = await api.createSource()
    await api.setWeights(source.id, [[operator.id, 1]])
    const closed = await api.registerContact({ source_id: source.id })
    const active1 = await api.registerContact({ source_id: source.id })
    const active2 = await api.registerContact({ source_id: source.id })
    await api.patch(`/contacts/${closed.id}`, { status: 'closed' })

    expect((await api.delete(`/operators/${operator.id}`)).status).toBe(204)

    for (const contact of [active1, active2]) {
      const body = (await api.get(`/contacts/${contact.id}`)).body
      expect(body).toMatchObject({ operator_id: null, operator: null, status: 'active', closed_at: null })
    }
    const closedNow = (await api.get(`/contacts/${closed.id}`)).body
    expect(closedNow).toMatchObject({ operator_id: operator.id, status: 'closed' })
    expect(closedNow.operator).toMatchObject({ id: operator.id, name: operator.name })

    expect((await api.get('/contacts/?assigned=false')).body.map((c: any) => c.id)).toEqual([active1.id, active2.id])
    expect((await api.get(`/contacts/?operator_id=${operator.id}`)).body.map((c: any) => c.id)).toEqual([closed.id])
  })

  it('new contacts go to the remaining operators only', async () => {
    const gone = await api.createOperator()
    const stays = await api.createOperator()
    const source = await api.createSource()
    // random () => 0 always picks the first eligible operator: the one that is deleted.
    await api.setWeights(source.id, [[gone.id, 100], [stays.id, 1]])
    expect((await api.registerContact({ source_id: source.id })).operator_id).toBe(gone.id)

    await api.delete(`/operators/${gone.id}`)

    expect((await api.registerContact({ source_id: source.id })).operator_id).toBe(stays.id)
  })

  it('keeps the statistics consistent, handing its active contacts at once to an operator who may take them', async () => {
    const gone = await api.createOperator()
    const stays = await api.createOperator()
    const source = await api.createSource()
    await api.setWeights(source.id, [[gone.id, 1]])
    const closed = await api.registerContact({ source_id: source.id })
    const held = [await api.registerContact({ source_id: source.id }), await api.registerContact({ source_id: source.id })]
    await api.patch(`/contacts/${closed.id}`, { status: 'closed' })
    await api.setWeights(source.id, [[gone.id, 1], [stays.id, 1]])
    await api.patch(`/operators/${gone.id}`, { is_active: false })
    await api.registerContact({ source_id: source.id }) // goes to `stays`

    await api.delete(`/operators/${gone.id}`)

    for (const contact of held) expect((await api.get(`/contacts/${contact.id}`)).body.operator_id).toBe(stays.id)
    const stats = (await api.get('/stats/contacts')).body
    expect(stats).toMatchObject({
      total_contacts: 4,
      active_contacts: 3,
      closed_contacts: 1,
      unassigned_contacts: 0,
      waiting_contacts: 0,
    })
    const live = (await api.get<{ current_load: number }[]>('/operators/')).body
    expect(live.reduce((sum, o) => sum + o.current_load, 0)).toBe(3)

    const goneRow = stats.by_operator.find((o: any) => o.operator_id === gone.id)
    expect(goneRow).toMatchObject({ deleted: true, total: 1, active: 0 })
    expect(stats.by_operator.find((o: any) => o.operator_id === stays.id)).toMatchObject({ deleted: false, total: 3, active: 3 })
    expect(stats.by_source).toEqual([
      {
        source_id: source.id,
        source_name: source.name,
        total: 4,
        active: 3,
        unassigned: 0,
        waiting: 0,
        oldest_waiting_at: null,
        assigned_from_queue: 2,
        average_wait_seconds: expect.any(Number),
      },
    ])
  })

  it('leaves its active contacts waiting when nobody else may take them', async () => {
    const gone = await api.createOperator()
    const source = await api.createSource()
    await api.setWeights(source.id, [[gone.id, 1]])
    const contact = await api.registerContact({ source_id: source.id })

    await api.delete(`/operators/${gone.id}`)

    expect((await api.get(`/contacts/${contact.id}`)).body).toMatchObject({ operator_id: null, assigned_at: null, status: 'active' })
    expect((await api.get('/stats/contacts')).body).toMatchObject({ active_contacts: 1, waiting_contacts: 1, unassigned_contacts: 1 })
  })

  it('answers 404 for an unknown id and deletes nothing', async () => {
    const operator = await api.createOperator()
    expectError(await api.delete(`/operators/${operator.id + 1}`), 404, 'NOT_FOUND')
    expect((await api.get('/operators/')).body).toEqual([operator])
  })

  it.each(['abc', '0'])('answers 422 for id %s', async (id) => {
    const operator = await api.createOperator()
    expectValidationError(await api.delete(`/operators/${id}`), ['path', 'id'])
    expect((await api.get('/operators/')).body).toEqual([operator])
  })
})
