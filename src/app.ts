import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify'
import { registerAuth } from './auth/auth.plugin.js'
import type { Config } from './config.js'
import { contactRoutes } from './contacts/contacts.routes.js'
import { registerDashboard } from './dashboard/dashboard.plugin.js'
import type { Db } from './db/database.js'
import { distributionRoutes } from './distribution/distribution.routes.js'
import { eventRoutes } from './events/events.routes.js'
import type { RandomSource } from './distribution/pick-operator.js'
import { healthRoutes } from './health/health.routes.js'
import { registerJobs } from './jobs.js'
import { registerAbuseLimits } from './http/abuse-limits.js'
import { registerBodyParsers } from './http/body-parsers.js'
import { registerDocs } from './http/docs.js'
import { registerErrorHandler } from './http/error-handler.js'
import { registerNamedSchemas } from './http/named-schemas.js'
import { closeConnectionsWhenClosing } from './http/graceful-close.js'
import { requestTimeoutOptions } from './http/request-timeouts.js'
import { registerSecurityHeaders, withSecurityHeaders } from './http/security-headers.js'
import { validatorCompiler } from './http/validator.js'
import { leadRoutes } from './leads/leads.routes.js'
import { operatorRoutes } from './operators/operators.routes.js'
import { sourceRoutes } from './sources/sources.routes.js'
import { statsRoutes } from './stats/stats.routes.js'
import { webhookRoutes } from './webhooks/webhooks.routes.js'

export const BODY_LIMIT_BYTES = 1024 * 1024

export interface AppOptions {
  config: Config
  db: Db
  /** Defaults to Math.random; tests pass a seeded one. */
  random?: RandomSource
  /** Defaults to pino at info (debug with DEBUG=true); tests pass false. */
  logger?: FastifyServerOptions['logger']
  /** How long API key checks are cached (default 5 s); tests pass a short one. */
  authCacheTtlMs?: number
  /** The built dashboard served at `/`; defaults to dist/ui. */
  dashboardDir?: string
  /** The webhook retry schedule; defaults to Standard Webhooks' (webhooks/dispatcher.ts); tests shorten it. */
  webhookRetryDelaysMs?: readonly number[]
}

/** Builds the whole application without listening; the caller owns the database and closes it. */
export async function buildApp({ config, db, random = Math.random, logger, authCacheTtlMs, dashboardDir, webhookRetryDelaysMs }: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: logger ?? { level: config.debug ? 'debug' : 'info' },
    routerOptions: { ignoreTrailingSlash: true },
    bodyLimit: BODY_LIMIT_BYTES,
    ...requestTimeoutOptions(config.limits.requestTimeoutMs),
    keepAliveTimeout: config.limits.keepAliveTimeoutMs,
    trustProxy: config.limits.trustProxy,
    // A request that reaches a keep-alive connection while the server closes is served (with
    // Connection: close, see closeConnectionsWhenClosing) rather than refused with Fastify's own 503 body.
    return503OnClosing: false,
    // Errors the router raises before any route runs (a malformed URL such as /operators/%) get our shape too.
    frameworkErrors: (_error, _request, reply) => {
      void withSecurityHeaders(reply as FastifyReply).status(400).send({ detail: 'The request URL is malformed', code: 'BAD_URL' })
    },
  }).withTypeProvider<TypeBoxTypeProvider>()
  registerSecurityHeaders(app)
  closeConnectionsWhenClosing(app)
  app.setValidatorCompiler(validatorCompiler)
  registerBodyParsers(app)
  registerNamedSchemas(app)
  registerErrorHandler(app)
  await registerAbuseLimits(app, config)
  registerAuth(app, { config, db, cacheTtlMs: authCacheTtlMs })
  await registerDocs(app, config)
  await registerDashboard(app, { dir: dashboardDir, apiPrefix: config.apiPrefix, appName: config.appName })
  const { keyCleanup } = registerJobs(app, { config, db, random, webhookRetryDelaysMs })

  await app.register(
    async (api) => {
      await api.register(healthRoutes, { db, version: config.appVersion })
      await api.register(operatorRoutes, { db, random })
      await api.register(sourceRoutes, { db, random })
      await api.register(distributionRoutes, { db, random })
      await api.register(contactRoutes, {
        db,
        random,
        idempotencyKeyTtlHours: config.idempotencyKeyTtlHours,
        idempotencyKeysPerClient: config.idempotencyKeysPerClient,
        keyCleanup,
      })
      await api.register(leadRoutes, { db })
      await api.register(eventRoutes, { db })
      await api.register(webhookRoutes, { db, allowPrivate: config.webhookAllowPrivateNetworks })
      await api.register(statsRoutes, { db })
    },
    { prefix: config.apiPrefix },
  )
  return app
}
