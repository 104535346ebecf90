import type { FastifySchema } from 'fastify'
import type { Config } from '../config.js'
import { errorResponses } from '../http/schemas.js'
import { accessFor } from './route-access.js'
import { isLoopbackHost } from './startup-policy.js'

/** The two ways to send a key, for the document and the Authorize button of /docs. */
export const SECURITY_SCHEMES = {
  bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer <key>`' },
  apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'The same API key, in the X-API-Key header' },
} as const

/** How this process asks for keys; the document is built per process, so it can say so honestly. */
export type KeyPolicy = 'required' | 'open-until-a-key-exists' | 'disabled'

export function keyPolicyOf(config: Config): KeyPolicy {
  if (config.authDisabled) return 'disabled'
  return isLoopbackHost(config.host) ? 'open-until-a-key-exists' : 'required'
}

/**
 * The document's security requirement: any one of the schemes; while the API may be open (loopback and no key
 * yet), also none (`{}`), so a validating proxy lets through the keyless calls the server accepts.
 */
export function securityOf(policy: KeyPolicy): Record<string, string[]>[] {
  if (policy === 'disabled') return []
  const keyed: Record<string, string[]>[] = [{ bearerAuth: [] }, { apiKeyHeader: [] }]
  return policy === 'required' ? keyed : [...keyed, {}]
}

/** What the document's description says about keys. */
export function describeKeyPolicy(policy: KeyPolicy): string {
  const header = 'Send an API key as `Authorization: Bearer <key>` or `X-API-Key: <key>`.'
  if (policy === 'disabled') return 'This server asks for no API key (AUTH_DISABLED=true).'
  if (policy === 'required') return `${header} Every route but /health needs one.`
  return (
    `${header} This server listens on a loopback address: until the first key is created it is open to this ` +
    'machine without one (hence the empty security requirement), and from then on every route but /health needs one.'
  )
}

/**
 * A route's entry in the document, from the same table the server enforces: who may call it, 401, 403, and 429
 * when the address's refused keys are counted (AUTH_FAILURE_MAX > 0).
 */
export function documentAccess(schema: FastifySchema, method: string, path: string, policy: KeyPolicy, refusedKeysLimited: boolean): FastifySchema {
  // Spread first: a route registered without a schema arrives here as undefined despite the type.
  const base: FastifySchema = { ...schema }
  const access = accessFor(method, path)
  if (access === 'public') return { ...base, security: [] }
  if (policy === 'disabled') return base
  const roles = `API key roles: ${(access ?? ['admin']).join(', ')}.`
  return {
    ...base,
    description: base.description === undefined ? roles : `${base.description}\n\n${roles}`,
    response: { ...errorResponses(401, 403, ...(refusedKeysLimited ? [429 as const] : [])), ...(base.response as object | undefined) },
  }
}
