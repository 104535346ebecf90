import { isDashboardRoute } from '../dashboard/dashboard.plugin.js'
import type { ApiKeyRole } from './api-keys.schemas.js'

/** Who may call a route: anyone, even with no key ('public'), or a key of one of these roles. */
export type Access = 'public' | readonly ApiKeyRole[]

const ADMIN = ['admin'] as const
/** Every read; the statistics included. */
const READ = ['admin', 'viewer'] as const
const INGEST = ['admin', 'ingest'] as const

/**
 * Every route of the API, as registered (method and path without API_V1_PREFIX), and who may call it.
 * A route missing here is open to admin keys only; test/auth/route-access.test.ts fails until it is added.
 */
export const ROUTE_ACCESS: Readonly<Record<string, Access>> = {
  'GET /health': 'public',
  'GET /openapi.json': 'public',

  'POST /operators/': ADMIN,
  'GET /operators/': READ,
  'GET /operators/:id': READ,
  'PATCH /operators/:id': ADMIN,
  'DELETE /operators/:id': ADMIN,
  'POST /operators/:id/requeue': ADMIN,

  'POST /sources/': ADMIN,
  'GET /sources/': READ,
  'GET /sources/:id': READ,
  'PATCH /sources/:id': ADMIN,
  'POST /sources/:id/distribution': ADMIN,
  'GET /sources/:id/distribution': READ,
  'GET /sources/:id/distribution/preview': READ,

  // Ingest keys limited to some sources are checked against the body's source_id once it is validated.
  'POST /contacts/': INGEST,
  'GET /contacts/': READ,
  'GET /contacts/:id': READ,
  'PATCH /contacts/:id': ADMIN,
  'POST /contacts/:id/assign': ADMIN,
  'GET /contacts/:id/events': READ,

  'GET /events': READ,

  // Webhooks carry secrets and make this server send requests: admin keys only.
  'POST /webhooks': ADMIN,
  'GET /webhooks': ADMIN,
  'GET /webhooks/:id': ADMIN,
  'PATCH /webhooks/:id': ADMIN,
  'DELETE /webhooks/:id': ADMIN,
  'POST /webhooks/:id/rotate-secret': ADMIN,
  'POST /webhooks/:id/test': ADMIN,
  'GET /webhooks/:id/deliveries': ADMIN,
  'POST /webhooks/:id/deliveries/:delivery_id/retry': ADMIN,

  'GET /leads/': READ,
  'GET /leads/:id': READ,
  'GET /leads/:id/contacts': READ,

  'GET /stats/contacts': READ,
  'GET /stats/distribution': READ,
}

/**
 * The decision for a request to a route (path without the prefix); undefined when the table has none.
 *
 * - The interactive docs (`/docs` and the Swagger UI files under it) and `/openapi.json` are public: a browser
 *   cannot send a key when it opens a page, the document describes the contract the README already publishes,
 *   and every call made from the page still needs a key (its Authorize button).
 * - OPTIONS is public: CORS preflights never carry credentials; the request that follows does.
 */
export function accessFor(method: string, path: string): Access | undefined {
  if (method === 'OPTIONS') return 'public'
  if (path === '/docs' || path.startsWith('/docs/')) return 'public'
  return ROUTE_ACCESS[`${method === 'HEAD' ? 'GET' : method} ${path}`]
}

/**
 * The decision for a registered route, by its URL as registered (API_V1_PREFIX included). The dashboard's page
 * and files live outside the prefix and are public: a browser opening a page sends no key, and every API call
 * the page then makes needs one.
 */
export function accessForRoute(method: string, url: string, prefix: string): Access | undefined {
  if (isDashboardRoute(url)) return 'public'
  if (!url.startsWith(prefix)) return undefined
  return accessFor(method, url.slice(prefix.length) || '/')
}

/** Whether a key of this role may call a route with this decision (no decision: admin only). */
export function roleMayCall(role: ApiKeyRole, access: Access | undefined): boolean {
  if (access === 'public') return true
  return (access ?? ADMIN).includes(role)
}
