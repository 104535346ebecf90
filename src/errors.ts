/** An expected failure with a status code and a machine-readable code; the error handler maps it once. */
export class AppError extends Error {
  /** Response headers that belong with the error (WWW-Authenticate on 401). */
  readonly headers?: Readonly<Record<string, string>>

  constructor(
    readonly statusCode: number,
    readonly code: string,
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
  constructor(code: string, message: string) {
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
  constructor(code: string, message: string, options?: ErrorOptions) {
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
