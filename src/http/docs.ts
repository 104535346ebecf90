import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import { documentAccess, SECURITY, SECURITY_SCHEMES } from '../auth/openapi-security.js'
import type { Config } from '../config.js'

/** OpenAPI built from the route schemas: interactive at {prefix}/docs, raw at {prefix}/openapi.json. */
export async function registerDocs(app: FastifyInstance, config: Config): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: {
        title: config.appName,
        version: config.appVersion,
        description: 'Distributes incoming lead contacts among operators by per-source weights and load limits.',
      },
      servers: config.apiPrefix ? [{ url: config.apiPrefix }] : [],
      components: { securitySchemes: SECURITY_SCHEMES },
      security: SECURITY,
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    transform: ({ schema, url, route }) => {
      const path = config.apiPrefix ? url.slice(config.apiPrefix.length) || '/' : url
      return { schema: documentAccess(schema, [route.method].flat()[0] ?? 'GET', path), url: path }
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
