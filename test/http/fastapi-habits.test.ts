import { afterEach, describe, expect, it } from 'vitest'
import { apiClient } from '../helpers/api-client.js'
import { expectError, rawRequest } from '../helpers/http-assertions.js'
import { createTestApp, type TestApp } from '../helpers/test-app.js'

/** What the seed's FastAPI clients expect of errors: FastAPI's locations, 405 for a wrong method, readable messages. */

let t: TestApp | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

const detailOf = (response: { status: number; body: any }) => expectError(response, 422, 'VALIDATION_ERROR') as { loc: unknown[]; msg: string; type: string }[]

describe('validation errors, located as FastAPI locates them', () => {
  it.each([
    ['a path parameter', 'GET', '/operators/abc', undefined, ['path', 'id']],
    ['a query parameter', 'GET', '/operators/?limit=0', undefined, ['query', 'limit']],
    ['a body field', 'POST', '/operators/', { name: 'Иван Иванов', max_load: -1 }, ['body', 'max_load']],
  ] as const)('%s: %s %s', async (_what, method, url, payload, loc) => {
    t = await createTestApp()
    const response = await apiClient(t.app).call(method, url, payload)
    expect(detailOf(response).map((p) => p.loc)).toEqual([loc])
  })

  it('a header', async () => {
    t = await createTestApp()
    const source = await apiClient(t.app).createSource()
    const response = await t.app.inject({
      method: 'POST',
      url: '/contacts/',
      headers: { 'idempotency-key': 'has spaces' },
      payload: { external_id: 'user_12345', source_id: source.id },
    })
    expect(detailOf({ status: response.statusCode, body: response.json() })).toEqual([
      { loc: ['header', 'idempotency-key'], msg: 'must be visible ASCII characters, without spaces', type: 'pattern' },
    ])
  })
})

describe('one entry per field problem, in plain words naming what is allowed', () => {
  it('a blank name', async () => {
    t = await createTestApp()
    const response = await apiClient(t.app).post('/operators/', { name: '   ' })
    expect(detailOf(response)).toEqual([{ loc: ['body', 'name'], msg: 'must not be blank', type: 'format' }])
  })

  it('control characters inside a name', async () => {
    t = await createTestApp()
    const response = await apiClient(t.app).post('/sources/', { name: 'Telegram\u0000Bot' })
    expect(detailOf(response)).toEqual([{ loc: ['body', 'name'], msg: expect.stringMatching(/^must not contain control characters/), type: 'format' }])
  })

  it('a status other than closed', async () => {
    t = await createTestApp()
    const response = await apiClient(t.app).patch('/contacts/1', { status: 'open' })
    expect(detailOf(response)).toEqual([{ loc: ['body', 'status'], msg: "must be 'closed'", type: 'const' }])
  })

  it('a status filter other than active or closed', async () => {
    t = await createTestApp()
    const response = await apiClient(t.app).get('/contacts/?status=open')
    expect(detailOf(response)).toEqual([{ loc: ['query', 'status'], msg: "must be 'active' or 'closed'", type: 'enum' }])
  })

  it('a bad e-mail, and a phone that is not text', async () => {
    t = await createTestApp()
    const source = await apiClient(t.app).createSource()
    const response = await apiClient(t.app).post('/contacts/', { external_id: 'user_12345', source_id: source.id, email: 'user at example', phone: 79001234567 })
    expect(detailOf(response)).toEqual([
      { loc: ['body', 'phone'], msg: 'must be text or null', type: 'type' },
      { loc: ['body', 'email'], msg: 'must be an e-mail address (name@example.com) or null', type: 'format' },
    ])
  })

  it('every missing field and every bad query parameter, each in its own entry', async () => {
    t = await createTestApp()
    const api = apiClient(t.app)
    expect(detailOf(await api.post('/contacts/', {}))).toEqual([
      { loc: ['body', 'external_id'], msg: 'field required', type: 'missing' },
      { loc: ['body', 'source_id'], msg: 'field required', type: 'missing' },
    ])
    expect(detailOf(await api.get('/contacts/?operator_id=1.5&limit=0&assigned=maybe'))).toEqual([
      { loc: ['query', 'operator_id'], msg: 'must be an integer', type: 'type' },
      { loc: ['query', 'limit'], msg: 'must be 1 or more', type: 'minimum' },
      { loc: ['query', 'assigned'], msg: 'must be true or false', type: 'type' },
    ])
  })

  it('numbers out of range and text too long say the limit', async () => {
    t = await createTestApp()
    const response = await apiClient(t.app).post('/operators/', { name: 'x'.repeat(201), max_load: 1.5, is_active: 'yes' })
    expect(detailOf(response)).toEqual([
      { loc: ['body', 'name'], msg: 'must be at most 200 characters long', type: 'maxLength' },
      { loc: ['body', 'is_active'], msg: 'must be true or false', type: 'type' },
      { loc: ['body', 'max_load'], msg: 'must be an integer', type: 'type' },
    ])
  })
})

describe('a wrong method on a path that exists', () => {
  it.each([
    ['PUT', '/operators/1', 'DELETE, GET, HEAD, PATCH'],
    ['DELETE', '/operators/', 'GET, HEAD, POST'],
    ['DELETE', '/operators', 'GET, HEAD, POST'],
    ['POST', '/stats/contacts', 'GET, HEAD'],
    ['PATCH', '/sources/1/distribution/', 'GET, HEAD, POST'],
  ] as const)('%s %s answers 405 with Allow: %s', async (method, url, allow) => {
    t = await createTestApp()
    const response = await rawRequest(t.app, method, url, undefined, null)
    expect(expectError(response, 405, 'METHOD_NOT_ALLOWED')).toContain(allow)
    expect(response.headers.allow).toBe(allow)
  })

  it('under API_V1_PREFIX too, while a path that does not exist stays 404', async () => {
    t = await createTestApp({ env: { API_V1_PREFIX: '/api/v1' } })
    const wrong = await rawRequest(t.app, 'PUT', '/api/v1/contacts/7', undefined, null)
    expectError(wrong, 405, 'METHOD_NOT_ALLOWED')
    expect(wrong.headers.allow).toBe('GET, HEAD, PATCH')
    expectError(await rawRequest(t.app, 'PUT', '/contacts/7', undefined, null), 404, 'ROUTE_NOT_FOUND')
    expectError(await rawRequest(t.app, 'GET', '/api/v1/operators/1/contacts', undefined, null), 404, 'ROUTE_NOT_FOUND')
  })
})
