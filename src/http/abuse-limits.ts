import cors from '@fastify/cors'
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Config } from '../config.js'
import { AppError } from '../errors.js'

export class RateLimitedError extends AppError {
  constructor(retryAfter: string) {
    super(429, 'RATE_LIMITED', `Too many requests; retry in ${retryAfter}`)
  }
}

/** The client a request counts against: its API key when it has one, else its address. */
function clientOf(request: FastifyRequest): string {
  const principal = (request as { principal?: { keyId: number } | null }).principal
  return principal ? `key:${principal.keyId}` : `ip:${request.ip}`
}

/** CORS only for configured origins, and per-client rate limiting with 429 + Retry-After (security headers: security-headers.ts). */
export async function registerAbuseLimits(app: FastifyInstance, config: Config): Promise<void> {
  const { limits } = config
  if (limits.corsOrigins.length > 0) {
    await app.register(cors, { origin: [...limits.corsOrigins], exposedHeaders: ['Retry-After', 'Idempotent-Replayed'] })
  }
  if (limits.rateLimitMax > 0) {
    const healthUrl = `${config.apiPrefix}/health`
    await app.register(rateLimit, {
      max: limits.rateLimitMax,
      timeWindow: limits.rateLimitWindowMs,
      // After authentication (onRequest) so a key is counted as itself, before any body is validated or used.
      hook: 'preValidation',
      keyGenerator: clientOf,
      allowList: (request) => request.routeOptions.url === healthUrl,
      errorResponseBuilder: (_request, context) => new RateLimitedError(context.after),
    })
  }
}
