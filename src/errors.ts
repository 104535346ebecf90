/** An expected failure with a status code and a machine-readable code; the error handler maps it once. */
export class AppError extends Error {
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
