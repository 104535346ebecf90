import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { apiClient } from '../helpers/api-client.js'
import { expectError, expectValidationError } from '../helpers/http-assertions.js'
import { createTestApp, type TestApp } from '../helpers/test-app.js'

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/

let t: TestApp
let api: ReturnType<typeof apiClient>

beforeEach(async () => {
  t = await createTestApp()
  api = apiClient(t.app)
})
afterEach(async () => {
  await t.close()
})

describe('POST /sources/', () => {
  it.each(['/sources/', '/sources'])('creates a source at %s with 201', async (path) => {
    const response = await api.post(path, { name: 'Telegram Bot 1' })

    expect(response.status).toBe(201)
    expect(response.body).toEqual({
      id: expect.any(Number),
      name: 'Telegram Bot 1',
      created_at: expect.stringMatching(ISO),
      assign_waiting: true,
      prefer_last_operator: false,
    })
    expect((await api.get(`/sources/${response.body.id}`)).body).toEqual(response.body)
  })

  it('stores the name trimmed', async () => {
    const response = await api.post('/sources/', { name: '   WhatsApp  ' })
    expect(response.status).toBe(201)
    expect(response.body.name).toBe('WhatsApp')
    expect((await api.get('/sources/')).body.map((s: any) => s.name)).toEqual(['WhatsApp'])
  })

  it('answers 409 SOURCE_NAME_TAKEN for a duplicate name and keeps the first', async () => {
    const first = await api.createSource('Site form')

    const response = await api.post('/sources/', { name: 'Site form' })

    expect(expectError(response, 409, 'SOURCE_NAME_TAKEN')).toContain('Site form')
    expect((await api.get('/sources/')).body).toEqual([first])
  })

  it('treats names equal after trimming as duplicates', async () => {
    const first = await api.createSource('Bot')
    expectError(await api.post('/sources/', { name: '  Bot ' }), 409, 'SOURCE_NAME_TAKEN')
    expect((await api.get('/sources/')).body).toEqual([first])
  })

  it('a rejected duplicate does not block other names', async () => {
    await api.createSource('A')
    expectError(await api.post('/sources/', { name: 'A' }), 409, 'SOURCE_NAME_TAKEN')
    const b = await api.post('/sources/', { name: 'B' })
    expect(b.status).toBe(201)
    expect((await api.get('/sources/')).body.map((s: any) => s.name)).toEqual(['A', 'B'])
  })

  it.each([
    ['missing name', {}, ['body', 'name']],
    ['blank name', { name: '   ' }, ['body', 'name']],
    ['empty name', { name: '' }, ['body', 'name']],
    ['numeric name', { name: 123 }, ['body', 'name']],
    ['null name', { name: null }, ['body', 'name']],
    ['name too long', { name: 'n'.repeat(201) }, ['body', 'name']],
  ])('rejects %s with 422 and creates nothing', async (_label, payload, loc) => {
    expectValidationError(await api.post('/sources/', payload), loc)
    expect((await api.get('/sources/')).body).toEqual([])
  })
})

describe('GET /sources/', () => {
  it.each(['/sources/', '/sources'])('lists sources in id order at %s', async (path) => {
    const a = await api.createSource('First')
    const b = await api.createSource('Second')

    const response = await api.get(path)

    expect(response.status).toBe(200)
    expect(response.body).toEqual([a, b])
  })

  it('answers an empty array when there are none', async () => {
    expect((await api.get('/sources/')).body).toEqual([])
  })

  it('pages by skip and limit', async () => {
    const ids: number[] = []
    for (let i = 0; i < 4; i++) ids.push((await api.createSource()).id)

    expect((await api.get('/sources/?limit=3')).body.map((s: any) => s.id)).toEqual(ids.slice(0, 3))
    expect((await api.get('/sources/?skip=1&limit=2')).body.map((s: any) => s.id)).toEqual(ids.slice(1, 3))
    expect((await api.get('/sources/?skip=10')).body).toEqual([])
  })

  it.each(['limit=1001', 'limit=0', 'skip=-1', 'limit=x'])('rejects %s with 422', async (query) => {
    await api.createSource()
    const field = query.split('=')[0]!
    expectValidationError(await api.get(`/sources/?${query}`), ['query', field])
  })
})

describe('GET /sources/{id}', () => {
  it.each(['', '/'])('answers the source (suffix %j)', async (suffix) => {
    await api.createSource()
    const source = await api.createSource('Wanted')
    const response = await api.get(`/sources/${source.id}${suffix}`)
    expect(response.status).toBe(200)
    expect(response.body).toEqual({
      id: source.id,
      name: 'Wanted',
      created_at: expect.stringMatching(ISO),
      assign_waiting: true,
      prefer_last_operator: false,
    })
  })

  it('answers 404 for an unknown id', async () => {
    const source = await api.createSource()
    expect(expectError(await api.get(`/sources/${source.id + 1}`), 404, 'NOT_FOUND')).toMatch(/source/i)
  })

  it.each(['abc', '0', '-5', '1.5'])('answers 422 for id %s', async (id) => {
    await api.createSource()
    expectValidationError(await api.get(`/sources/${id}`), ['path', 'id'])
  })
})
