import type { FastifyInstance, FastifyReply } from 'fastify'

/**
 * The API answers JSON; this strict policy guards the dashboard (Swagger UI at /docs sends its own, see docs.ts).
 * No `upgrade-insecure-requests`: teams serve the service over plain HTTP on their LAN too, where upgrading the
 * page's requests to HTTPS would break it.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "base-uri 'self'",
  "font-src 'self' https: data:",
  "form-action 'self'",
  "frame-ancestors 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "script-src 'self'",
  "script-src-attr 'none'",
  "style-src 'self' https: 'unsafe-inline'",
].join(';')

/** Helmet's defaults, written out once: the same on every answer, errors, 404s and the server's own 400/408 included. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
})

/** The headers as lines of a raw HTTP answer, for answers written to the socket before Fastify has a reply. */
export const SECURITY_HEADER_LINES = Object.entries(SECURITY_HEADERS)
  .map(([name, value]) => `${name}: ${value}\r\n`)
  .join('')

/**
 * Sets the headers on every reply, first thing, so answers from any later hook (401, 403, 429) carry them; a
 * route may still send its own policy (Swagger UI). Errors the router raises before any hook (a malformed URL)
 * set them with `withSecurityHeaders`.
 */
export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onRequest', (_request, reply, done) => {
    void reply.headers(SECURITY_HEADERS)
    done()
  })
}

export function withSecurityHeaders(reply: FastifyReply): FastifyReply {
  return reply.headers(SECURITY_HEADERS)
}
