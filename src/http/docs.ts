import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance, FastifySchema } from 'fastify'
import { describeKeyPolicy, documentAccess, keyPolicyOf, SECURITY_SCHEMES, securityOf } from '../auth/openapi-security.js'
import type { Config } from '../config.js'
import { errorResponses } from './schemas.js'

/** OpenAPI built from the route schemas: interactive at {prefix}/docs, raw at {prefix}/openapi.json. */
export async function registerDocs(app: FastifyInstance, config: Config): Promise<void> {
  const keyPolicy = keyPolicyOf(config)
  await app.register(swagger, {
    openapi: {
      info: { title: config.appName, version: config.appVersion, description: describeApi(config) },
      servers: [{ url: config.apiPrefix || '/', description: 'This server (API_V1_PREFIX, if set, included)' }],
      components: { securitySchemes: SECURITY_SCHEMES },
      security: securityOf(keyPolicy),
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    transform: ({ schema, url, route }) => {
      const path = config.apiPrefix ? url.slice(config.apiPrefix.length) || '/' : url
      const method = [route.method].flat()[0] ?? 'GET'
      return { schema: documentRoute(documentAccess(schema, method, path, keyPolicy, config.limits.authFailureMax > 0), path, config), url: path }
    },
  })
  await app.register(swaggerUi, {
    routePrefix: `${config.apiPrefix}/docs`,
    staticCSP: true,
    // Its policy would upgrade the page's own files to https, leaving /docs blank over plain HTTP on a LAN.
    transformStaticCSP: (policy) => policy.replace(/\s*upgrade-insecure-requests;?/, ''),
  })
  app.get(`${config.apiPrefix}/openapi.json`, { schema: { hide: true } }, () => app.swagger())
}

function describeApi(config: Config): string {
  return [
    'Distributes incoming lead contacts among operators by per-source weights and load limits.',
    'Every path answers with and without its trailing slash: `POST /operators/` and `POST /operators` are the same ' +
      "operation. The document lists the seed's form.",
    describeKeyPolicy(keyPolicyOf(config)),
    'Errors answer `{"detail", "code"}` (ErrorBody): `detail` a message, or for bad input (422) a list of ' +
      '`{"loc", "msg", "type"}` as FastAPI answers; `code` one of the documented codes.',
  ].join('\n\n')
}

type ResponseMap = Record<string, unknown>

/**
 * What a route answers besides its own outcomes, added here so no route can forget it: 400, 413 and 415 wherever
 * a body is read, 429 wherever the rate limit applies (on this server). A body or response that is a named schema
 * (NAMED_SCHEMAS) is documented as a `$ref` to it.
 */
function documentRoute(schema: FastifySchema, path: string, config: Config): FastifySchema {
  const response: ResponseMap = { ...(schema.response as ResponseMap | undefined) }
  const limits: (400 | 413 | 415 | 429)[] = []
  if (schema.body !== undefined) limits.push(400, 413, 415)
  if (config.limits.rateLimitMax > 0 && path !== '/health' && schema.security?.length !== 0) limits.push(429)
  const responses = Object.entries({ ...errorResponses(...limits), ...response }).map(([status, s]) => [status, byReference(s)])
  return {
    ...schema,
    ...(schema.body !== undefined && { body: byReference(schema.body) }),
    response: Object.fromEntries(responses.sort(([a], [b]) => Number(a) - Number(b))),
  }
}

/** A named schema, also as the items of a list, as a reference to its component; anything else as it is. */
function byReference(schema: unknown): unknown {
  const { $id, type, items } = (schema ?? {}) as { $id?: unknown; type?: unknown; items?: unknown }
  if (typeof $id === 'string') return { $ref: $id }
  if (type === 'array') return { ...(schema as object), items: byReference(items) }
  return schema
}
