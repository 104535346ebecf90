import { afterEach, describe, expect, it } from 'vitest'
import { apiClient } from '../helpers/api-client.js'
import { idForPath, type RouteIds } from '../helpers/factories.js'
import { expectError, rawRequest } from '../helpers/http-assertions.js'
import { createTestApp, type TestApp } from '../helpers/test-app.js'

let t: TestApp | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

/** Every route of SPEC.md, as OpenAPI writes it (path without prefix, lower-case method) with its success status. */
const SPEC_ROUTES = [
  ['post', '/operators/', '201'],
  ['get', '/operators/', '200'],
  ['get', '/operators/{id}', '200'],
  ['patch', '/operators/{id}', '200'],
  ['delete', '/operators/{id}', '204'],
  ['post', '/operators/{id}/requeue', '200'],
  ['post', '/sources/', '201'],
  ['get', '/sources/', '200'],
  ['get', '/sources/{id}', '200'],
  ['patch', '/sources/{id}', '200'],
  ['post', '/sources/{id}/distribution', '200'],
  ['get', '/sources/{id}/distribution', '200'],
  ['get', '/sources/{id}/distribution/preview', '200'],
  ['post', '/contacts/', '201'],
  ['get', '/contacts/', '200'],
  ['get', '/contacts/{id}', '200'],
  ['post', '/contacts/{id}/assign', '200'],
  ['patch', '/contacts/{id}', '200'],
  ['get', '/contacts/{id}/events', '200'],
  ['get', '/events', '200'],
  ['post', '/webhooks', '201'],
  ['get', '/webhooks', '200'],
  ['get', '/webhooks/{id}', '200'],
  ['patch', '/webhooks/{id}', '200'],
  ['delete', '/webhooks/{id}', '204'],
  ['post', '/webhooks/{id}/rotate-secret', '200'],
  ['post', '/webhooks/{id}/test', '202'],
  ['get', '/webhooks/{id}/deliveries', '200'],
  ['post', '/webhooks/{id}/deliveries/{delivery_id}/retry', '200'],
  ['get', '/leads/', '200'],
  ['get', '/leads/{id}', '200'],
  ['get', '/leads/{id}/contacts', '200'],
  ['get', '/stats/contacts', '200'],
  ['get', '/stats/distribution', '200'],
  ['get', '/health', '200'],
] as const

/** Follows a local $ref of the document. */
function resolve(doc: any, schema: any): any {
  if (schema?.$ref === undefined) return schema
  const path = String(schema.$ref).replace(/^#\//, '').split('/')
  return path.reduce((node: any, key) => node?.[key], doc)
}

function jsonSchemaOf(doc: any, holder: any): any {
  return resolve(doc, holder?.content?.['application/json']?.schema)
}

async function getOpenApi(prefix = '') {
  const response = await rawRequest(t!.app, 'GET', `${prefix}/openapi.json`, undefined, null)
  expect(response.status).toBe(200)
  expect(response.headers['content-type']).toMatch(/^application\/json/)
  return response.body
}

describe('/docs', () => {
  it.each(['/docs', '/docs/'])('%s answers the interactive HTML page', async (url) => {
    t = await createTestApp()
    const response = await rawRequest(t.app, 'GET', url, undefined, null)
    expect(response.status).toBe(200)
    expect(response.headers['content-type']).toMatch(/^text\/html/)
    expect(response.text).toMatch(/<html/i)
    expect(response.text).toMatch(/swagger/i)
  })
})

describe('/openapi.json', () => {
  it('is an OpenAPI 3 document named after the configuration', async () => {
    t = await createTestApp({ env: { APP_NAME: 'Lead Router', APP_VERSION: '2.3.4' } })
    const doc = await getOpenApi()
    expect(doc.openapi).toMatch(/^3\./)
    expect(doc.info).toMatchObject({ title: 'Lead Router', version: '2.3.4' })
  })

  it('lists every route of the contract and nothing undocumented besides', async () => {
    t = await createTestApp()
    const doc = await getOpenApi()
    const listed = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method} ${path}`),
    )
    expect(listed.sort()).toEqual(SPEC_ROUTES.map(([method, path]) => `${method} ${path}`).sort())
  })

  it.each(SPEC_ROUTES)('%s %s documents its success response with a schema', async (method, path, status) => {
    t = await createTestApp()
    const doc = await getOpenApi()
    const operation = doc.paths[path][method]
    expect(operation.summary).toEqual(expect.any(String))
    expect(operation.responses[status]).toBeDefined()
    if (status !== '204') {
      const schema = jsonSchemaOf(doc, operation.responses[status])
      expect(schema).toBeDefined()
      expect(['object', 'array']).toContain(schema.type)
    }
  })

  it.each(SPEC_ROUTES.filter(([, path]) => path.includes('{id}')))(
    '%s %s documents the integer id path parameter and 404, 422 errors',
    async (method, path) => {
      t = await createTestApp()
      const doc = await getOpenApi()
      const operation = doc.paths[path][method]
      const param = operation.parameters.find((p: any) => p.in === 'path' && p.name === 'id')
      expect(param).toMatchObject({ required: true, schema: { type: 'integer', minimum: 1 } })
      for (const status of ['404', '422']) {
        const schema = jsonSchemaOf(doc, resolve(doc, operation.responses[status]))
        expect(schema?.properties).toHaveProperty('detail')
        expect(schema?.properties).toHaveProperty('code')
      }
    },
  )

  it.each([
    ['post', '/operators/', ['name'], ['name', 'is_active', 'max_load']],
    ['patch', '/operators/{id}', [], ['name', 'is_active', 'max_load']],
    ['post', '/sources/', ['name'], ['name', 'assign_waiting', 'prefer_last_operator']],
    ['patch', '/sources/{id}', [], ['name', 'assign_waiting', 'prefer_last_operator']],
    ['post', '/contacts/{id}/assign', ['operator_id'], ['operator_id', 'force']],
    ['post', '/sources/{id}/distribution', ['operator_weights'], ['operator_weights']],
    ['post', '/contacts/', ['external_id', 'source_id'], ['external_id', 'source_id', 'phone', 'email']],
    ['patch', '/contacts/{id}', ['status'], ['status']],
  ])('%s %s documents its JSON body', async (method, path, required, properties) => {
    t = await createTestApp()
    const doc = await getOpenApi()
    const body = jsonSchemaOf(doc, doc.paths[path][method].requestBody)
    expect(body.type).toBe('object')
    expect(Object.keys(body.properties).sort()).toEqual([...properties].sort())
    expect([...(body.required ?? [])].sort()).toEqual([...required].sort())
  })

  it('documents the details that matter to clients', async () => {
    t = await createTestApp()
    const doc = await getOpenApi()
    const operatorCreate = jsonSchemaOf(doc, doc.paths['/operators/'].post.requestBody)
    expect(operatorCreate.properties.max_load).toMatchObject({ type: 'integer', minimum: 0, default: 10 })
    expect(operatorCreate.properties.is_active).toMatchObject({ type: 'boolean', default: true })
    const operator = jsonSchemaOf(doc, doc.paths['/operators/{id}'].get.responses['200'])
    expect(Object.keys(operator.properties)).toEqual(expect.arrayContaining(['id', 'name', 'is_active', 'max_load', 'current_load', 'created_at']))
    const weight = jsonSchemaOf(doc, doc.paths['/sources/{id}/distribution'].post.requestBody).properties.operator_weights.items
    expect(weight.properties.weight).toMatchObject({ type: 'number', minimum: 0 })
    const contact = jsonSchemaOf(doc, doc.paths['/contacts/{id}'].get.responses['200'])
    expect(Object.keys(contact.properties)).toEqual(expect.arrayContaining(['lead', 'source', 'operator', 'operator_id', 'status', 'closed_at']))
    const contactQuery = doc.paths['/contacts/'].get.parameters
      .filter((p: any) => p.in === 'query')
      .map((p: any) => p.name)
    expect(contactQuery.sort()).toEqual(['assigned', 'lead_id', 'limit', 'operator_id', 'skip', 'source_id', 'status'])
    const limit = doc.paths['/operators/'].get.parameters.find((p: any) => p.name === 'limit')
    expect(limit.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 1000, default: 100 })
    for (const path of ['/operators/', '/sources/', '/leads/', '/leads/{id}/contacts']) {
      const names = doc.paths[path].get.parameters.filter((p: any) => p.in === 'query').map((p: any) => p.name)
      expect(names.sort()).toEqual(['limit', 'skip'])
    }
    const stats = jsonSchemaOf(doc, doc.paths['/stats/contacts'].get.responses['200'])
    expect(Object.keys(stats.properties)).toEqual(expect.arrayContaining(['by_source', 'by_operator', 'waiting_contacts']))
  })

  it('every $ref in the document resolves', async () => {
    t = await createTestApp()
    const doc = await getOpenApi()
    const refs: string[] = []
    const walk = (node: unknown) => {
      if (Array.isArray(node)) node.forEach(walk)
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === '$ref' && typeof value === 'string') refs.push(value)
          else walk(value)
        }
      }
    }
    walk(doc)
    expect(refs.length).toBeGreaterThan(0)
    for (const ref of refs) expect(resolve(doc, { $ref: ref }), ref).toBeDefined()
  })
})

describe('/health', () => {
  it.each(['/health', '/health/'])('%s answers ok with the database reachable', async (url) => {
    t = await createTestApp({ env: { APP_VERSION: '9.8.7' } })
    const response = await apiClient(t.app).get(url)
    expect(response.status).toBe(200)
    expect(response.body).toEqual({ status: 'ok', database: 'ok', version: '9.8.7' })
  })

  it('answers 503 unavailable when the database is gone', async () => {
    t = await createTestApp()
    await t.db.destroy()
    const response = await apiClient(t.app).get('/health')
    expect(response.status).toBe(503)
    expect(response.body).toMatchObject({ status: 'unavailable', database: 'unreachable' })
    await t.app.close()
    t = undefined
  })
})

describe('with API_V1_PREFIX=/api/v1', () => {
  const PREFIX = '/api/v1'

  /** A request for each route of the contract, with ids that exist (arranged by the test). */
  function concreteRoutes(ids: RouteIds) {
    return SPEC_ROUTES.map(([method, path, status]) => {
      const url = path.replace('{id}', String(idForPath(path, ids))).replace('{delivery_id}', String(ids.delivery))
      return [method.toUpperCase() as 'GET' | 'POST' | 'PATCH' | 'DELETE', url, Number(status)] as const
    })
  }

  it('serves /health, /docs and /openapi.json under the prefix, and 404 JSON at the bare paths', async () => {
    t = await createTestApp({ env: { API_V1_PREFIX: PREFIX } })

    expect((await apiClient(t.app, PREFIX).get('/health')).body).toMatchObject({ status: 'ok' })
    const docs = await rawRequest(t.app, 'GET', `${PREFIX}/docs`, undefined, null)
    expect(docs.status).toBe(200)
    expect(docs.headers['content-type']).toMatch(/^text\/html/)
    const doc = await getOpenApi(PREFIX)
    expect(doc.servers).toEqual([{ url: PREFIX, description: expect.any(String) }])

    for (const url of ['/health', '/docs', '/openapi.json']) {
      const bare = await rawRequest(t.app, 'GET', url, undefined, null)
      expectError(bare, 404, 'ROUTE_NOT_FOUND')
    }
  })

  it('the document lists every route of the contract relative to the server url', async () => {
    t = await createTestApp({ env: { API_V1_PREFIX: PREFIX } })
    const doc = await getOpenApi(PREFIX)
    const listed = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method} ${path}`),
    )
    expect(listed.sort()).toEqual(SPEC_ROUTES.map(([method, path]) => `${method} ${path}`).sort())
  })

  it('every route of the contract works under the prefix, with and without trailing slash', async () => {
    t = await createTestApp({ env: { API_V1_PREFIX: PREFIX }, random: () => 0 })
    const api = apiClient(t.app, PREFIX)
    const operator = await api.createOperator({ name: 'Prefixed' })
    const source = await api.createSource()
    await api.setWeights(source.id, [[operator.id, 1]])
    const contact = await api.registerContact({ source_id: source.id, external_id: 'p1' })
    expect(contact.operator_id).toBe(operator.id)
    const webhook = await api.expectStatus(201, 'POST', '/webhooks', { url: 'http://93.184.216.34/hook', events: ['*'] })
    const delivery = await api.expectStatus(202, 'POST', `/webhooks/${webhook.id}/test`, undefined)
    const ids = { operator: operator.id, source: source.id, contact: contact.id, lead: contact.lead_id, webhook: webhook.id, delivery: delivery.id }

    const bodies: Record<string, unknown> = {
      [`POST /operators/`]: { name: 'Second' },
      [`PATCH /operators/${operator.id}`]: { max_load: 4 },
      [`POST /sources/`]: { name: 'Other source' },
      [`POST /sources/${source.id}/distribution`]: { operator_weights: [{ operator_id: operator.id, weight: 2 }] },
      [`POST /contacts/`]: { external_id: 'p2', source_id: source.id },
      [`POST /contacts/${contact.id}/assign`]: { operator_id: null },
      [`PATCH /contacts/${contact.id}`]: { status: 'closed' },
      [`PATCH /sources/${source.id}`]: { prefer_last_operator: true },
      [`POST /webhooks`]: { url: 'http://93.184.216.34/other', events: ['contact.closed'] },
      [`PATCH /webhooks/${webhook.id}`]: { enabled: true },
    }
    // DELETE last, so the other routes still find the operator.
    const routes = concreteRoutes(ids).sort(([a], [b]) => Number(a === 'DELETE') - Number(b === 'DELETE'))
    for (const [method, url, status] of routes) {
      for (const variant of [url, url.endsWith('/') ? url.slice(0, -1) : `${url}/`]) {
        const body = bodies[`${method} ${url}`]
        const payload = body === undefined ? undefined : JSON.stringify(method === 'POST' && 'name' in (body as object) ? { name: `${(body as { name: string }).name} ${variant}` } : body)
        const prefixed = await rawRequest(t.app, method, `${PREFIX}${variant}`, payload, payload === undefined ? null : 'application/json')
        const expected = method === 'DELETE' && variant !== url ? [404] : [status]
        expect(expected, `${method} ${PREFIX}${variant}: ${prefixed.status} ${prefixed.text}`).toContain(prefixed.status)

        const bare = await rawRequest(t.app, method, variant, payload, payload === undefined ? null : 'application/json')
        expectError(bare, 404, 'ROUTE_NOT_FOUND')
      }
    }
    // The bare requests created nothing: only the prefixed ones did.
    const operators = (await api.get('/operators/')).body
    expect(operators.map((o: any) => o.name)).toEqual(['Second /operators/', 'Second /operators'])
    expect((await api.get('/sources/')).body).toHaveLength(3)
  })
})
