import type { FastifyInstance } from 'fastify'

/**
 * Bodies are JSON only. Fastify's built-in text/plain parser is removed so text bodies answer 415, and
 * a DELETE with `Content-Type: application/json` but no body (many clients send the header on every
 * request) is treated as having no body instead of answering 400.
 */
export function registerBodyParsers(app: FastifyInstance): void {
  app.removeContentTypeParser('text/plain')
  const parseJson = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '' && request.method === 'DELETE') {
      done(null, undefined)
      return
    }
    void parseJson(request, body as string, done)
  })
}
