/**
 * Every machine code an error answer carries, with when: the `code` enum of ErrorBody in /openapi.json.
 * A code missing here does not compile (AppError, ErrorBody), so clients can switch over the whole list.
 */
export const ERROR_CODES = {
  INVALID_JSON: 'the body is not JSON, or empty',
  BAD_URL: 'the URL is malformed (e.g. a stray %)',
  BAD_REQUEST: 'the request is malformed in a way no other code names',
  UNAUTHENTICATED: 'no valid API key: missing, unknown or revoked',
  FORBIDDEN: "the key's role may not call the route, or an ingest key posts for another source",
  NOT_FOUND: 'unknown id',
  ROUTE_NOT_FOUND: 'unknown path',
  METHOD_NOT_ALLOWED: 'the path exists, the method does not (the Allow header lists those that do)',
  SOURCE_NAME_TAKEN: 'a source with that name exists',
  CONTACT_CLOSED: 'the contact is closed: it cannot be assigned',
  OPERATOR_UNAVAILABLE: 'the operator is inactive or deleted',
  OPERATOR_AT_CAPACITY: 'the operator is at its max_load (force: true assigns past it)',
  CONFLICT: 'the request conflicts with the current state of the data',
  PAYLOAD_TOO_LARGE: 'the body is over 1 MiB',
  UNSUPPORTED_MEDIA_TYPE: 'the body is not application/json',
  VALIDATION_ERROR: 'bad input: detail lists each field problem',
  IDEMPOTENCY_KEY_REUSED: 'an Idempotency-Key sent again with a different body',
  IDEMPOTENCY_KEY_LIMIT: 'the API key holds as many live Idempotency-Keys as IDEMPOTENCY_KEYS_PER_CLIENT allows',
  REQUEST_TIMEOUT: 'the request did not arrive whole within REQUEST_TIMEOUT_MS',
  PRECONDITION_FAILED: 'an If-Match or If-Unmodified-Since header on a dashboard or docs file does not hold',
  RANGE_NOT_SATISFIABLE: 'a Range header past the end of a dashboard or docs file',
  HEADERS_TOO_LARGE: 'the request headers are over 16 KiB',
  RATE_LIMITED: 'the client spent its allowance; Retry-After says when to come back',
  INTERNAL_ERROR: 'a fault of ours; the answer never carries internals',
  DATABASE_UNAVAILABLE: 'the database is unreachable: retry later',
  DATABASE_BUSY: 'the database stayed contended after retries: retry',
} as const
export type ErrorCode = keyof typeof ERROR_CODES

/** An expected failure with a status code and a machine-readable code; the error handler maps it once. */
export class AppError extends Error {
  /** Response headers that belong with the error (WWW-Authenticate on 401). */
  readonly headers?: Readonly<Record<string, string>>

  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message)
    this.name = new.target.name
  }
}

export class NotFoundError extends AppError {
  constructor(entity: string, id: number) {
    super(404, 'NOT_FOUND', `${entity} ${id} not found`)
  }
}

export class ConflictError extends AppError {
  constructor(code: ErrorCode, message: string) {
    super(409, code, message)
  }
}

/** A problem with one field of the input, reported in the same list shape as schema validation. */
export class InvalidFieldError extends AppError {
  constructor(
    readonly loc: (string | number)[],
    message: string,
    readonly type: string,
  ) {
    super(422, 'VALIDATION_ERROR', message)
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(503, code, message)
    if (options?.cause !== undefined) this.cause = options.cause
  }
}

/** No valid API key: missing, unknown or revoked (which of them is not told). */
export class UnauthenticatedError extends AppError {
  override readonly headers: Readonly<Record<string, string>>

  constructor(keyPresented: boolean) {
    super(401, 'UNAUTHENTICATED', keyPresented ? 'The API key is not valid' : 'An API key is required: send Authorization: Bearer <key>')
    this.headers = { 'www-authenticate': keyPresented ? 'Bearer error="invalid_token"' : 'Bearer' }
  }
}

/** A valid key whose role or sources do not allow the request. */
export class ForbiddenError extends AppError {
  constructor(message: string) {
    super(403, 'FORBIDDEN', message)
  }
}
