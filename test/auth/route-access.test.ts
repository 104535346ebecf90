import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createApiKey, generateApiKey, revokeApiKey } from '../../src/auth/api-keys.service.js'
import type { ApiKeyRole } from '../../src/auth/api-keys.schemas.js'
import { accessForRoute, ROUTE_ACCESS } from '../../src/auth/route-access.js'
import { createOperator } from '../../src/operators/operators.service.js'
import { idForPath, uniqueName, type RouteIds } from '../helpers/factories.js'
import { createTestApp, type TestApp } from '../helpers/test-app.js'
import { registerContact } from '../../src/contacts/contacts.service.js'
import { createWebhook, sendTest } from '../../src/webhooks/webhooks.service.js'

/** Every route the app registers, as Fastify's onRoute hook sees it (auto HEAD routes and Swagger UI's included). */
const registered = vi.hoisted(() => [] as { method: string; url: string }[])

vi.mock('fastify', async (importOriginal) => {
  const fastify = await importOriginal<typeof import('fastify')>()
  const withRouteLog = ((options?: object) => {
    const app = fastify.default(options)
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) registered.push({ method, url: route.url })
    })
    return app
  }) as unknown as typeof fastify.default
  return { ...fastify, default: withRouteLog }
})

const WEBHOOK_URL = 'http://93.184.216.34/hook'

type Caller = 'admin' | 'viewer' | 'ingest' | 'ingest for another source' | 'no key' | 'wrong key' | 'revoked key'
const CALLERS: Caller[] = ['admin', 'viewer', 'ingest', 'ingest for another source', 'no key', 'wrong key', 'revoked key']

/** The rules, written independently of route-access.ts: what each caller may do. */
function expectedOutcome(caller: Caller, method: string, { path, dashboard }: Route): 'allowed' | 401 | 403 {
  if (dashboard) return 'allowed'
  if (path === '/health' || path === '/openapi.json' || path === '/docs' || path.startsWith('/docs/')) return 'allowed'
  if (caller === 'no key' || caller === 'wrong key' || caller === 'revoked key') return 401
  if (caller === 'admin') return 'allowed'
  // Webhooks carry secrets and make the server send requests: admin keys only, reads included.
  if (caller === 'viewer') return (method === 'GET' || method === 'HEAD') && !path.startsWith('/webhooks') ? 'allowed' : 403
  if (method === 'POST' && path === '/contacts/') return caller === 'ingest' ? 'allowed' : 403
  return 403
}

/** A registered route: its path without the prefix, or, for the dashboard's page and files, outside it. */
interface Route {
  method: string
  path: string
  dashboard: boolean
}

describe.each(['', '/api/v1'])('route access with API_V1_PREFIX=%j', (prefix) => {
  let t: TestApp
  let routes: Route[]
  const keys = new Map<Caller, string | undefined>()
  let ids: RouteIds

  beforeAll(async () => {
    registered.length = 0
    // Every route is called with a wrong and a revoked key, far more failures than one address may make.
    t = await createTestApp({ env: { API_V1_PREFIX: prefix, AUTH_FAILURE_MAX: '0' }, authCacheTtlMs: 0, random: () => 0 })
    // The fixture dashboard (test-app.ts) has one asset, /assets/app.js.
    routes = registered.map(({ method, url }) => {
      const dashboard = url === '/' || url === '/assets/app.js'
      return { method, path: dashboard ? url : url.slice(prefix.length) || '/', dashboard }
    })

    const create = async (role: ApiKeyRole, sourceIds?: number[]) =>
      (await createApiKey(t.db, { name: uniqueName(role), role, source_ids: sourceIds ?? null })).key
    keys.set('admin', await create('admin'))
    const asAdmin = async (url: string, payload: object) =>
      (await t.app.inject({ method: 'POST', url: `${prefix}${url}`, payload, headers: { authorization: `Bearer ${keys.get('admin')!}` } })).json()
    const operator = await createOperator(t.db, { name: uniqueName('Operator') })
    const source = await asAdmin('/sources/', { name: uniqueName('Source') })
    const otherSource = await asAdmin('/sources/', { name: uniqueName('Source') })
    await asAdmin(`/sources/${source.id}/distribution`, { operator_weights: [{ operator_id: operator.id, weight: 1 }] })
    const contact = await asAdmin('/contacts/', { external_id: uniqueName('lead'), source_id: source.id })
    const webhook = await createWebhook(t.db, { url: WEBHOOK_URL, events: ['*'] }, { allowPrivate: false })
    const delivery = await sendTest(t.db, webhook.id)
    ids = { operator: operator.id, source: source.id, contact: contact.id, lead: contact.lead_id, webhook: webhook.id, delivery: delivery.id }

    keys.set('viewer', await create('viewer'))
    keys.set('ingest', await create('ingest'))
    keys.set('ingest for another source', await create('ingest', [otherSource.id]))
    keys.set('no key', undefined)
    keys.set('wrong key', generateApiKey())
    const revoked = await createApiKey(t.db, { name: uniqueName('revoked'), role: 'admin' })
    await revokeApiKey(t.db, revoked.apiKey.id)
    keys.set('revoked key', revoked.key)
  })
  afterAll(async () => {
    await t.close()
  })

  it('sees the routes of the contract', () => {
    const seen = routes.map((r) => `${r.method} ${r.path}`)
    expect(seen).toEqual(
      expect.arrayContaining(['POST /contacts/', 'GET /health', 'HEAD /stats/contacts', 'GET /docs', 'GET /openapi.json', 'GET /', 'GET /assets/app.js']),
    )
  })

  it('every registered route has an access decision', () => {
    const undecided = routes.filter((r) => accessForRoute(r.method, r.dashboard ? r.path : prefix + r.path, prefix) === undefined).map((r) => `${r.method} ${r.path}`)
    expect(undecided, 'add these routes to ROUTE_ACCESS in src/auth/route-access.ts').toEqual([])
  })

  it('every decision in the table is a registered route', () => {
    const seen = new Set(routes.map((r) => `${r.method} ${r.path}`))
    expect(Object.keys(ROUTE_ACCESS).filter((route) => !seen.has(route))).toEqual([])
  })

  /** A request to the route that succeeds (2xx, or a redirect of Swagger UI) for a caller allowed to make it. */
  async function requestFor({ method, path, dashboard }: Route): Promise<{ url: string; payload?: object }> {
    if (dashboard) return { url: path }
    const id = idForPath(path, ids)
    if (`${method} ${path}` === 'DELETE /webhooks/:id') {
      return { url: `${prefix}/webhooks/${(await createWebhook(t.db, { url: WEBHOOK_URL, events: ['*'] }, { allowPrivate: false })).id}` }
    }
    if (method === 'DELETE') return { url: prefix + path.replace(':id', String((await createOperator(t.db, { name: uniqueName('Doomed') })).id)) }
    if (`${method} ${path}` === 'POST /contacts/:id/assign') {
      // A contact of its own: the one in `ids` may have been closed by an earlier route of the loop.
      const fresh = await registerContact(t.db, { external_id: uniqueName('lead'), source_id: ids.source }, Math.random)
      return { url: `${prefix}/contacts/${fresh.id}/assign`, payload: { operator_id: null } }
    }
    const url = prefix + path.replace(':id', String(id)).replace(':delivery_id', String(ids.delivery)).replace('*', 'swagger-ui.css')
    const bodies: Record<string, object> = {
      'POST /operators/': { name: uniqueName('Operator') },
      'PATCH /operators/:id': { max_load: 5 },
      'POST /sources/': { name: uniqueName('Source') },
      'POST /sources/:id/distribution': { operator_weights: [{ operator_id: ids.operator, weight: 2 }] },
      'POST /contacts/': { external_id: uniqueName('lead'), source_id: ids.source },
      'PATCH /contacts/:id': { status: 'closed' },
      'PATCH /sources/:id': { prefer_last_operator: true },
      'POST /webhooks': { url: WEBHOOK_URL, events: ['*'] },
      'PATCH /webhooks/:id': { enabled: true },
    }
    const payload = bodies[`${method} ${path}`]
    return payload === undefined ? { url } : { url, payload }
  }

  it.each(CALLERS)('%s: every route answers as the roles say', async (caller) => {
    const key = keys.get(caller)
    const wrong: string[] = []
    for (const route of routes) {
      const { method, path } = route
      const { url, payload } = await requestFor(route)
      const response = await t.app.inject({
        method: method as 'GET',
        url,
        ...(payload !== undefined && { payload }),
        ...(key !== undefined && { headers: { authorization: `Bearer ${key}` } }),
      })
      const expected = expectedOutcome(caller, method, route)
      const ok = expected === 'allowed' ? response.statusCode >= 200 && response.statusCode < 400 : response.statusCode === expected
      if (!ok) wrong.push(`${method} ${path}: expected ${expected}, got ${response.statusCode} ${response.body.slice(0, 120)}`)
    }
    expect(wrong).toEqual([])
  })
})
