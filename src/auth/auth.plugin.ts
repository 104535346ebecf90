import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Config } from '../config.js'
import type { Db } from '../db/database.js'
import { ForbiddenError, UnauthenticatedError } from '../errors.js'
import type { Principal } from './api-keys.schemas.js'
import { Authenticator, DEFAULT_AUTH_CACHE_TTL_MS } from './authenticator.js'
import { AuthFailuresLimitedError, FailedAuthLimit } from './failed-auth-limit.js'
import { accessForRoute, roleMayCall } from './route-access.js'
import { isLoopbackHost } from './startup-policy.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller's API key; null while the API is open (no key yet on loopback, or AUTH_DISABLED). */
    principal: Principal | null
  }
}

export interface AuthOptions {
  config: Config
  db: Db
  /** How long key checks are cached (default 5 s): tests pass a short one. */
  cacheTtlMs?: number
}

/**
 * API keys on every route but the public ones (route-access.ts). Checked on request, before the body is read,
 * so an unauthenticated request costs no parsing; an ingest key's sources are checked once the body is valid.
 */
export function registerAuth(app: FastifyInstance, { config, db, cacheTtlMs = DEFAULT_AUTH_CACHE_TTL_MS }: AuthOptions): void {
  app.decorateRequest('principal', null)
  if (config.authDisabled) return

  // Without any key the API is open, but only where no other machine can reach it (see startup-policy.ts);
  // elsewhere revoking the last key locks the API rather than opening it.
  const openWithoutKeys = isLoopbackHost(config.host)
  const authenticator = new Authenticator({ db, log: app.log, cacheTtlMs })
  app.addHook('onClose', () => authenticator.close())
  const { authFailureMax, authFailureWindowMs } = config.limits
  const failures = authFailureMax > 0 ? new FailedAuthLimit({ max: authFailureMax, windowMs: authFailureWindowMs }) : undefined

  app.addHook('onRequest', async (request) => {
    const url = request.is404 ? undefined : request.routeOptions.url
    const access = url === undefined ? undefined : accessForRoute(request.method, url, config.apiPrefix)
    if (access === 'public') return
    if (openWithoutKeys && !(await authenticator.keysExist())) return

    const retryAfter = failures?.retryAfterSeconds(request.ip) ?? 0
    if (retryAfter > 0) throw new AuthFailuresLimitedError(retryAfter)
    const key = presentedKey(request)
    const principal = key ? await authenticator.authenticate(key) : null
    if (!principal) {
      if (key !== undefined) failures?.recordFailure(request.ip)
      throw new UnauthenticatedError(key !== undefined)
    }
    request.principal = principal
    // An unknown route answers 404 to any valid key.
    if (url !== undefined && !roleMayCall(principal.role, access)) {
      throw new ForbiddenError(`An API key with role ${principal.role} may not call ${request.method} ${url}`)
    }
  })

  app.addHook('preHandler', async (request) => {
    const sourceIds = request.principal?.sourceIds
    // A path no route serves answers 404 to every valid key, an ingest key's included (OPTIONS, double slashes).
    if (!sourceIds || request.is404) return
    const sourceId = (request.body as { source_id?: unknown } | undefined)?.source_id
    if (typeof sourceId !== 'number' || !sourceIds.includes(sourceId)) {
      throw new ForbiddenError(`This API key may not post for source ${String(sourceId)}`)
    }
  })
}

/** The API key a request came with, recorded as the actor of the changes it causes; null while the API is open. */
export function actorOf(request: FastifyRequest): number | null {
  return request.principal?.keyId ?? null
}

/** `Authorization: Bearer <key>`, else `X-API-Key: <key>`; undefined when neither is sent. */
function presentedKey(request: FastifyRequest): string | undefined {
  const bearer = /^Bearer\s+(\S*)\s*$/i.exec(request.headers.authorization ?? '')
  if (bearer) return bearer[1]
  const header = request.headers['x-api-key']
  return (Array.isArray(header) ? header[0] : header)?.trim()
}
