import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { apiClient } from '../helpers/api-client.js'
import { expectError, expectValidationError, rawRequest } from '../helpers/http-assertions.js'
import { createTestApp, type TestApp } from '../helpers/test-app.js'

let t: TestApp
let api: ReturnType<typeof apiClient>

beforeEach(async () => {
  t = await createTestApp({ random: () => 0 })
  api = apiClient(t.app)
})
afterEach(async () => {
  await t.close()
})

/** One of everything: an operator with a weight on a source, a lead and an active contact. */
async function arrange() {
  const operator = await api.createOperator({ name: 'Keeper', max_load: 5 })
  const source = await api.createSource('Origin')
  await api.setWeights(source.id, [[operator.id, 7]])
  const contact = await api.registerContact({ source_id: source.id, external_id: 'lead-x', phone: '+1' })
  return { operator, source, contact }
}
type World = Awaited<ReturnType<typeof arrange>>

/** Everything the API can show, to prove a rejected request changed nothing. */
async function snapshot(source: { id: number }) {
  const [operators, sources, contacts, leads, stats, distribution] = await Promise.all([
    api.get('/operators/'),
    api.get('/sources/'),
    api.get('/contacts/'),
    api.get('/leads/'),
    api.get('/stats/contacts'),
    api.get(`/sources/${source.id}/distribution`),
  ])
  return { operators: operators.body, sources: sources.body, contacts: contacts.body, leads: leads.body, stats: stats.body, distribution: distribution.body }
}

interface BodyRoute {
  name: string
  method: 'POST' | 'PATCH'
  url: (w: World) => string
  /** A body that the route would accept, so only the broken part is at fault. */
  valid: (w: World) => Record<string, unknown>
}

const BODY_ROUTES: BodyRoute[] = [
  { name: 'POST /operators/', method: 'POST', url: () => '/operators/', valid: () => ({ name: 'New' }) },
  { name: 'PATCH /operators/{id}', method: 'PATCH', url: (w) => `/operators/${w.operator.id}`, valid: () => ({ name: 'Renamed' }) },
  { name: 'POST /sources/', method: 'POST', url: () => '/sources/', valid: () => ({ name: 'Another' }) },
  {
    name: 'POST /sources/{id}/distribution',
    method: 'POST',
    url: (w) => `/sources/${w.source.id}/distribution`,
    valid: () => ({ operator_weights: [] }),
  },
  {
    name: 'POST /contacts/',
    method: 'POST',
    url: () => '/contacts/',
    valid: (w) => ({ external_id: 'lead-x', source_id: w.source.id, email: 'new@example.com' }),
  },
  { name: 'PATCH /contacts/{id}', method: 'PATCH', url: (w) => `/contacts/${w.contact.id}`, valid: () => ({ status: 'closed' }) },
]

describe.each(BODY_ROUTES)('$name', (route) => {
  async function send(payload: string | Buffer | undefined, contentType: string | null = 'application/json') {
    const world = await arrange()
    const before = await snapshot(world.source)
    const response = await rawRequest(t.app, route.method, route.url(world), payload, contentType)
    return { response, before, after: async () => snapshot(world.source), world }
  }

  it('the valid body is accepted (so the rejections below are about the broken part only)', async () => {
    const world = await arrange()
    const response = await rawRequest(t.app, route.method, route.url(world), JSON.stringify(route.valid(world)))
    expect(response.status).toBeGreaterThanOrEqual(200)
    expect(response.status).toBeLessThan(300)
  })

  it.each([
    ['truncated JSON', '{"name": "x"'],
    ['a trailing comma', '{"name": "x",}'],
    ['single quotes', "{'name': 'x'}"],
    ['bare text', 'name=x'],
  ])('malformed JSON (%s): 400 INVALID_JSON, nothing changed', async (_label, payload) => {
    const { response, before, after } = await send(payload)
    expectError(response, 400, 'INVALID_JSON')
    expect(await after()).toEqual(before)
  })

  it('an empty body sent as JSON: 400 INVALID_JSON, nothing changed', async () => {
    const { response, before, after } = await send('')
    expectError(response, 400, 'INVALID_JSON')
    expect(await after()).toEqual(before)
  })

  it('no body at all: 422 on the body, nothing changed', async () => {
    const { response, before, after } = await send(undefined, null)
    expectValidationError(response, ['body'])
    expect(await after()).toEqual(before)
  })

  it.each(['[]', '"text"', 'null', '42', 'true'])('JSON that is not an object (%s): 422, nothing changed', async (payload) => {
    const { response, before, after } = await send(payload)
    expectValidationError(response, ['body'], 'type')
    expect(await after()).toEqual(before)
  })

  it.each(['text/plain', 'text/plain; charset=utf-8', 'application/x-www-form-urlencoded', 'application/xml'])(
    'a %s body: 415 UNSUPPORTED_MEDIA_TYPE, nothing changed',
    async (contentType) => {
      const world = await arrange()
      const before = await snapshot(world.source)
      const response = await rawRequest(t.app, route.method, route.url(world), JSON.stringify(route.valid(world)), contentType)
      expectError(response, 415, 'UNSUPPORTED_MEDIA_TYPE')
      expect(await snapshot(world.source)).toEqual(before)
    },
  )

  it('a body over 1 MiB: 413 PAYLOAD_TOO_LARGE, nothing changed', async () => {
    const world = await arrange()
    const before = await snapshot(world.source)
    const body = JSON.stringify({ ...route.valid(world), padding: 'x'.repeat(1024 * 1024) })
    const response = await rawRequest(t.app, route.method, route.url(world), body)
    expectError(response, 413, 'PAYLOAD_TOO_LARGE')
    expect(await snapshot(world.source)).toEqual(before)
  })

  it('a body just under 1 MiB is not rejected for its size', async () => {
    const world = await arrange()
    const valid = JSON.stringify(route.valid(world))
    const padding = 'x'.repeat(1024 * 1024 - valid.length - 20)
    const body = `${valid.slice(0, -1)}${valid.length > 2 ? ',' : ''}"padding":"${padding}"}`
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(1024 * 1024)
    const response = await rawRequest(t.app, route.method, route.url(world), body)
    expect(response.status).not.toBe(413)
  })

  it('a __proto__ key is refused: 400, nothing changed', async () => {
    const world = await arrange()
    const before = await snapshot(world.source)
    const valid = JSON.stringify(route.valid(world))
    const body = `${valid.slice(0, -1)}${valid.length > 2 ? ',' : ''}"__proto__":{"polluted":true}}`
    const response = await rawRequest(t.app, route.method, route.url(world), body)
    expectError(response, 400, 'INVALID_JSON')
    expect(await snapshot(world.source)).toEqual(before)
    expect(({} as any).polluted).toBeUndefined()
  })
})

describe('wrong field values are rejected with 422 and change nothing', () => {
  interface Case {
    label: string
    method: 'POST' | 'PATCH'
    url: (w: World) => string
    /** Raw JSON text, so values like 1e400 reach the server as written. */
    body: (w: World) => string
    loc: (string | number)[]
  }
  const json = (value: unknown) => () => JSON.stringify(value)
  const CASES: Case[] = [
    { label: 'operator name: 123', method: 'POST', url: () => '/operators/', body: json({ name: 123 }), loc: ['body', 'name'] },
    { label: 'operator name: blank', method: 'POST', url: () => '/operators/', body: json({ name: '   ' }), loc: ['body', 'name'] },
    { label: 'operator name: missing', method: 'POST', url: () => '/operators/', body: json({ max_load: 3 }), loc: ['body', 'name'] },
    { label: 'operator max_load: "5"', method: 'POST', url: () => '/operators/', body: json({ name: 'A', max_load: '5' }), loc: ['body', 'max_load'] },
    { label: 'operator max_load: -1', method: 'POST', url: () => '/operators/', body: json({ name: 'A', max_load: -1 }), loc: ['body', 'max_load'] },
    { label: 'operator max_load: 1.5', method: 'POST', url: () => '/operators/', body: json({ name: 'A', max_load: 1.5 }), loc: ['body', 'max_load'] },
    { label: 'operator max_load: 1e400', method: 'POST', url: () => '/operators/', body: () => '{"name":"A","max_load":1e400}', loc: ['body', 'max_load'] },
    { label: 'operator max_load: too large', method: 'POST', url: () => '/operators/', body: json({ name: 'A', max_load: 1e9 }), loc: ['body', 'max_load'] },
    { label: 'operator is_active: "yes"', method: 'POST', url: () => '/operators/', body: json({ name: 'A', is_active: 'yes' }), loc: ['body', 'is_active'] },
    {
      label: 'operator patch max_load: "5"',
      method: 'PATCH',
      url: (w) => `/operators/${w.operator.id}`,
      body: json({ max_load: '5' }),
      loc: ['body', 'max_load'],
    },
    {
      label: 'operator patch name: blank',
      method: 'PATCH',
      url: (w) => `/operators/${w.operator.id}`,
      body: json({ name: ' \t ', max_load: 9 }),
      loc: ['body', 'name'],
    },
    {
      label: 'operator patch is_active: "yes"',
      method: 'PATCH',
      url: (w) => `/operators/${w.operator.id}`,
      body: json({ is_active: 'yes' }),
      loc: ['body', 'is_active'],
    },
    { label: 'source name: blank', method: 'POST', url: () => '/sources/', body: json({ name: '   ' }), loc: ['body', 'name'] },
    { label: 'source name: 123', method: 'POST', url: () => '/sources/', body: json({ name: 123 }), loc: ['body', 'name'] },
    { label: 'source name: missing', method: 'POST', url: () => '/sources/', body: json({}), loc: ['body', 'name'] },
    {
      label: 'weight: 1e400 (Infinity)',
      method: 'POST',
      url: (w) => `/sources/${w.source.id}/distribution`,
      body: (w) => `{"operator_weights":[{"operator_id":${w.operator.id},"weight":1e400}]}`,
      loc: ['body', 'operator_weights', 0, 'weight'],
    },
    {
      label: 'weight: -1e400 (-Infinity)',
      method: 'POST',
      url: (w) => `/sources/${w.source.id}/distribution`,
      body: (w) => `{"operator_weights":[{"operator_id":${w.operator.id},"weight":-1e400}]}`,
      loc: ['body', 'operator_weights', 0, 'weight'],
    },
    {
      label: 'weight: negative',
      method: 'POST',
      url: (w) => `/sources/${w.source.id}/distribution`,
      body: (w) => JSON.stringify({ operator_weights: [{ operator_id: w.operator.id, weight: -0.5 }] }),
      loc: ['body', 'operator_weights', 0, 'weight'],
    },
    {
      label: 'weight: "10"',
      method: 'POST',
      url: (w) => `/sources/${w.source.id}/distribution`,
      body: (w) => JSON.stringify({ operator_weights: [{ operator_id: w.operator.id, weight: '10' }] }),
      loc: ['body', 'operator_weights', 0, 'weight'],
    },
    {
      label: 'operator_weights: missing',
      method: 'POST',
      url: (w) => `/sources/${w.source.id}/distribution`,
      body: json({ weights: [] }),
      loc: ['body', 'operator_weights'],
    },
    {
      label: 'contact email: invalid',
      method: 'POST',
      url: () => '/contacts/',
      body: (w) => JSON.stringify({ external_id: 'lead-x', source_id: w.source.id, email: 'no-at-sign' }),
      loc: ['body', 'email'],
    },
    {
      label: 'contact email: number',
      method: 'POST',
      url: () => '/contacts/',
      body: (w) => JSON.stringify({ external_id: 'lead-x', source_id: w.source.id, email: 5 }),
      loc: ['body', 'email'],
    },
    {
      label: 'contact external_id: blank',
      method: 'POST',
      url: () => '/contacts/',
      body: (w) => JSON.stringify({ external_id: '  ', source_id: w.source.id }),
      loc: ['body', 'external_id'],
    },
    {
      label: 'contact external_id: missing',
      method: 'POST',
      url: () => '/contacts/',
      body: (w) => JSON.stringify({ source_id: w.source.id }),
      loc: ['body', 'external_id'],
    },
    {
      label: 'contact source_id: "1"',
      method: 'POST',
      url: () => '/contacts/',
      body: (w) => JSON.stringify({ external_id: 'lead-x', source_id: String(w.source.id) }),
      loc: ['body', 'source_id'],
    },
    {
      label: 'contact source_id: -1',
      method: 'POST',
      url: () => '/contacts/',
      body: json({ external_id: 'lead-x', source_id: -1 }),
      loc: ['body', 'source_id'],
    },
    {
      label: 'contact status: "active"',
      method: 'PATCH',
      url: (w) => `/contacts/${w.contact.id}`,
      body: json({ status: 'active' }),
      loc: ['body', 'status'],
    },
    {
      label: 'contact status: unknown',
      method: 'PATCH',
      url: (w) => `/contacts/${w.contact.id}`,
      body: json({ status: 'archived' }),
      loc: ['body', 'status'],
    },
  ]

  it.each(CASES)('$label', async ({ method, url, body, loc }) => {
    const world = await arrange()
    const before = await snapshot(world.source)

    const response = await rawRequest(t.app, method, url(world), body(world))

    expectValidationError(response, loc)
    expect(await snapshot(world.source)).toEqual(before)
  })
})

describe('ids in the path', () => {
  interface IdRoute {
    name: string
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE'
    path: (id: string) => string
    existing: (w: World) => number
    body?: (w: World) => unknown
  }
  const ID_ROUTES: IdRoute[] = [
    { name: 'GET /operators/{id}', method: 'GET', path: (id) => `/operators/${id}`, existing: (w) => w.operator.id },
    {
      name: 'PATCH /operators/{id}',
      method: 'PATCH',
      path: (id) => `/operators/${id}`,
      existing: (w) => w.operator.id,
      body: () => ({ name: 'Changed', is_active: false }),
    },
    { name: 'DELETE /operators/{id}', method: 'DELETE', path: (id) => `/operators/${id}`, existing: (w) => w.operator.id },
    { name: 'GET /sources/{id}', method: 'GET', path: (id) => `/sources/${id}`, existing: (w) => w.source.id },
    {
      name: 'GET /sources/{id}/distribution',
      method: 'GET',
      path: (id) => `/sources/${id}/distribution`,
      existing: (w) => w.source.id,
    },
    {
      name: 'POST /sources/{id}/distribution',
      method: 'POST',
      path: (id) => `/sources/${id}/distribution`,
      existing: (w) => w.source.id,
      body: () => ({ operator_weights: [] }),
    },
    { name: 'GET /contacts/{id}', method: 'GET', path: (id) => `/contacts/${id}`, existing: (w) => w.contact.id },
    {
      name: 'PATCH /contacts/{id}',
      method: 'PATCH',
      path: (id) => `/contacts/${id}`,
      existing: (w) => w.contact.id,
      body: () => ({ status: 'closed' }),
    },
    { name: 'GET /leads/{id}', method: 'GET', path: (id) => `/leads/${id}`, existing: (w) => w.contact.lead_id },
    { name: 'GET /leads/{id}/contacts', method: 'GET', path: (id) => `/leads/${id}/contacts`, existing: (w) => w.contact.lead_id },
  ]

  async function call(app: FastifyInstance, route: IdRoute, world: World, id: string) {
    const body = route.body?.(world)
    return rawRequest(app, route.method, route.path(id), body === undefined ? undefined : JSON.stringify(body), body === undefined ? null : 'application/json')
  }

  describe.each(ID_ROUTES)('$name', (route) => {
    it('an unknown id: 404 NOT_FOUND, nothing changed', async () => {
      const world = await arrange()
      const before = await snapshot(world.source)
      const unknown = String(route.existing(world) + 1000)

      const response = await call(t.app, route, world, unknown)

      expect(expectError(response, 404, 'NOT_FOUND')).toContain(unknown)
      expect(await snapshot(world.source)).toEqual(before)
    })

    it.each([
      ['non-numeric', () => 'abc'],
      ['zero', () => '0'],
      ['negative', () => '-1'],
      ['a fraction of an existing id', (n: number) => `${n}.9`],
      ['an exponent', (n: number) => `${n}e0`],
      ['hexadecimal', (n: number) => `0x${n.toString(16)}`],
      ['beyond 32 bits', () => '2147483648'],
    ])('%s: 422 on params.id, nothing changed', async (_label, makeId) => {
      const world = await arrange()
      const before = await snapshot(world.source)

      const response = await call(t.app, route, world, makeId(route.existing(world)))

      expectValidationError(response, ['path', 'id'])
      expect(await snapshot(world.source)).toEqual(before)
    })
  })
})

describe('query strings', () => {
  it.each([
    ['/operators/', 'limit=1001', 'limit'],
    ['/sources/', 'limit=1001', 'limit'],
    ['/contacts/', 'limit=1001', 'limit'],
    ['/leads/', 'limit=1001', 'limit'],
    ['/operators/', 'limit=0', 'limit'],
    ['/operators/', 'skip=-1', 'skip'],
    ['/operators/', 'limit=ten', 'limit'],
    ['/operators/', 'limit=2.5', 'limit'],
    ['/contacts/', 'skip=1.5', 'skip'],
    ['/contacts/', 'lead_id=x', 'lead_id'],
    ['/contacts/', 'source_id=-2', 'source_id'],
    ['/contacts/', 'operator_id=0', 'operator_id'],
    ['/contacts/', 'status=pending', 'status'],
    ['/contacts/', 'assigned=nope', 'assigned'],
  ])('GET %s?%s: 422 on querystring', async (path, query, field) => {
    await arrange()
    expectValidationError(await api.get(`${path}?${query}`), ['query', field])
  })

  it('limit=1000 is allowed everywhere', async () => {
    await arrange()
    for (const path of ['/operators/', '/sources/', '/contacts/', '/leads/']) {
      const response = await api.get(`${path}?limit=1000`)
      expect(response.status).toBe(200)
      expect(response.body).toHaveLength(1)
    }
  })
})

describe('unknown routes answer 404 JSON, a wrong method on a known path 405', () => {
  it.each([
    ['GET', '/nope', 404, 'ROUTE_NOT_FOUND'],
    ['GET', '/operators/1/extra', 404, 'ROUTE_NOT_FOUND'],
    ['PUT', '/operators/1', 405, 'METHOD_NOT_ALLOWED'],
    ['DELETE', '/sources/1', 405, 'METHOD_NOT_ALLOWED'],
    ['DELETE', '/contacts/1', 405, 'METHOD_NOT_ALLOWED'],
    ['POST', '/leads/', 405, 'METHOD_NOT_ALLOWED'],
    ['GET', '/api/v1/operators/', 404, 'ROUTE_NOT_FOUND'],
  ] as const)('%s %s', async (method, url, status, code) => {
    const world = await arrange()
    const before = await snapshot(world.source)

    const response = await rawRequest(t.app, method, url, method === 'GET' || method === 'DELETE' ? undefined : '{}', method === 'GET' || method === 'DELETE' ? null : 'application/json')

    expect(response.headers['content-type']).toMatch(/^application\/json/)
    expect(expectError(response, status, code)).toContain(url)
    expect(await snapshot(world.source)).toEqual(before)
  })
})
