import { STATUS_CODES } from 'node:http'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { classifyDatabaseError, type DatabaseErrorKind } from '../db/database-errors.js'
import { AppError, ERROR_CODES, InvalidFieldError, type ErrorCode } from '../errors.js'
import { trackAllowedMethods } from './allowed-methods.js'
import { toFieldProblems } from './field-problems.js'
import type { ErrorBody } from './schemas.js'

/** Fastify's own client errors, by code: what we answer instead of its message. */
const FRAMEWORK_ERRORS: Record<string, { status: number; code: ErrorCode; detail: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'INVALID_JSON', detail: 'Body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'INVALID_JSON', detail: 'Body is empty' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'PAYLOAD_TOO_LARGE', detail: 'Body is larger than 1 MiB' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    detail: 'Send the body as application/json',
  },
}

/** What a database failure the services did not handle means to the client. */
const DATABASE_ERRORS: Record<DatabaseErrorKind, [number, ErrorBody]> = {
  constraint: [409, { detail: 'The request conflicts with the current state of the data', code: 'CONFLICT' }],
  transient: [503, { detail: 'The database is busy; retry the request', code: 'DATABASE_BUSY' }],
  unavailable: [503, { detail: 'The database is unavailable; retry later', code: 'DATABASE_UNAVAILABLE' }],
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const [status, body] = toResponse(error, request)
    if (error instanceof AppError && error.headers) void reply.headers(error.headers)
    if (status >= 500) request.log.error({ err: error }, 'request failed')
    else if (clientLeft(request)) request.log.info({ code: error.code }, 'the client left before its request arrived whole')
    else request.log.debug({ err: error }, 'request rejected')
    return reply.status(status).send(body)
  })

  // Registered before any route, so it sees them all.
  const allowedMethods = trackAllowedMethods(app)
  app.setNotFoundHandler((request, reply) => {
    const allowed = allowedMethods(request.url)
    if (allowed.length === 0) {
      return reply.status(404).send({ detail: `No route for ${request.method} ${request.url}`, code: 'ROUTE_NOT_FOUND' })
    }
    return reply
      .status(405)
      .header('allow', allowed.join(', '))
      .send({ detail: `${request.method} is not allowed on ${request.url}; allowed: ${allowed.join(', ')}`, code: 'METHOD_NOT_ALLOWED' })
  })
}

/** The request stream broke off: the client dropped its upload, or the server cut it at REQUEST_TIMEOUT_MS. */
function clientLeft(request: FastifyRequest): boolean {
  return !request.raw.complete && request.raw.socket.destroyed
}

function toResponse(error: FastifyError, request: FastifyRequest): [number, ErrorBody] {
  if (error instanceof InvalidFieldError) {
    return [422, { detail: [{ loc: error.loc, msg: error.message, type: error.type }], code: error.code }]
  }
  if (error instanceof AppError) return [error.statusCode, { detail: error.message, code: error.code }]
  if (error.validation) {
    const part = error.validationContext ?? 'body'
    const input: unknown = part === 'querystring' ? request.query : request[part]
    return [422, { detail: toFieldProblems(part, error.validation, input), code: 'VALIDATION_ERROR' }]
  }
  const known = FRAMEWORK_ERRORS[error.code]
  if (known) return [known.status, { detail: known.detail, code: known.code }]
  const databaseError = classifyDatabaseError(error)
  if (databaseError) return DATABASE_ERRORS[databaseError]
  const status = error.statusCode ?? 500
  if (status >= 400 && status < 500) return [status, { detail: error.message, code: codeForStatus(status) }]
  return [500, { detail: 'Internal server error', code: 'INTERNAL_ERROR' }]
}

/**
 * Our code for a client error that Fastify or a plugin raised with its own code (FST_..., or none): the status's
 * name where we document it, as 416 RANGE_NOT_SATISFIABLE, else BAD_REQUEST, so clients never meet a framework's internals.
 */
export function codeForStatus(status: number): ErrorCode {
  const name = (STATUS_CODES[status] ?? 'Bad Request').toUpperCase().replace(/[^A-Z]+/g, '_')
  return name in ERROR_CODES ? (name as ErrorCode) : 'BAD_REQUEST'
}
