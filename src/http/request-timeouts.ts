import type { FastifyInstance } from 'fastify'
import type { Socket } from 'node:net'
import { SECURITY_HEADER_LINES } from './security-headers.js'

/** Node's own default: with REQUEST_TIMEOUT_MS=0 the headers must still arrive within it. */
const HEADERS_TIMEOUT_WITHOUT_LIMIT_MS = 60_000

/**
 * The server options that cut a request, headers and body, that has not arrived whole within REQUEST_TIMEOUT_MS
 * (0: no limit on the whole request; the headers then keep Node's 60 s). Node enforces both limits only when it
 * checks its connections, every 30 s by default, so a stalled client held a socket for up to 90 s; checking
 * often makes the cut come within the timeout plus at most a second.
 */
export function requestTimeoutOptions(requestTimeoutMs: number) {
  const checkEveryMs = requestTimeoutMs > 0 ? Math.min(1000, Math.max(100, Math.floor(requestTimeoutMs / 5))) : 1000
  return {
    requestTimeout: requestTimeoutMs,
    http: {
      requestTimeout: requestTimeoutMs,
      headersTimeout: requestTimeoutMs > 0 ? requestTimeoutMs : HEADERS_TIMEOUT_WITHOUT_LIMIT_MS,
      connectionsCheckingInterval: checkEveryMs,
    },
    clientErrorHandler: answerClientError(requestTimeoutMs),
  }
}

interface ClientError extends Error {
  code?: string
}

/**
 * What the server answers, straight on the socket, when a request never became one Fastify can answer: it
 * timed out (408), its headers were too large (431) or it was not HTTP (400). Our error shape and the security
 * headers, like every other answer.
 */
function answerClientError(requestTimeoutMs: number) {
  return function (this: FastifyInstance, error: ClientError, socket: Socket): void {
    if (error.code === 'ECONNRESET' || socket.destroyed) return
    const [status, reason, body] =
      error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', { detail: `The request did not arrive whole within ${requestTimeoutMs} ms`, code: 'REQUEST_TIMEOUT' }]
        : error.code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'Request Header Fields Too Large', { detail: 'The request headers are too large', code: 'HEADERS_TOO_LARGE' }]
          : [400, 'Bad Request', { detail: 'The request is not valid HTTP', code: 'BAD_REQUEST' }]
    this.log.debug({ err: error }, 'client error')
    // Once an answer has started on this connection, nothing more can be said on it.
    if (socket.writable && socket.bytesWritten === 0) {
      const json = JSON.stringify(body)
      socket.write(
        `HTTP/1.1 ${status} ${reason}\r\n${SECURITY_HEADER_LINES}content-type: application/json; charset=utf-8\r\n` +
          `content-length: ${Buffer.byteLength(json)}\r\nconnection: close\r\n\r\n${json}`,
      )
    }
    socket.destroy(error)
  }
}
