import type { FastifySchema } from 'fastify'
import { errorResponses } from '../http/schemas.js'
import { accessFor } from './route-access.js'

/** The two ways to send a key, for the document and the Authorize button of /docs. */
export const SECURITY_SCHEMES = {
  bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer <key>`' },
  apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'The same API key, in the X-API-Key header' },
} as const

/** Any one of the schemes will do. */
export const SECURITY: Record<string, string[]>[] = [{ bearerAuth: [] }, { apiKeyHeader: [] }]

/** A route's entry in the document, from the same table the server enforces: who may call it, 401, 403 and 429 (too many requests or refused keys). */
export function documentAccess(schema: FastifySchema, method: string, path: string): FastifySchema {
  // Spread first: a route registered without a schema arrives here as undefined despite the type.
  const base: FastifySchema = { ...schema }
  const access = accessFor(method, path)
  if (access === 'public') return { ...base, security: [] }
  const roles = `API key roles: ${(access ?? ['admin']).join(', ')}.`
  return {
    ...base,
    description: base.description === undefined ? roles : `${base.description}\n\n${roles}`,
    response: { ...errorResponses(401, 403, 429), ...(base.response as object | undefined) },
  }
}
