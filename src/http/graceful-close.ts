import type { FastifyInstance } from 'fastify'

/**
 * Requests in flight when the server starts closing answer with Connection: close, so their keep-alive
 * connections end with the response instead of keeping close() (and the process) waiting on the client.
 */
export function closeConnectionsWhenClosing(app: FastifyInstance): void {
  let closing = false
  app.addHook('preClose', (done) => {
    closing = true
    done()
  })
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) void reply.header('connection', 'close')
    done(null, payload)
  })
}
