import { Type, type Static, type TSchema } from 'typebox'
import { ERROR_CODES, type ErrorCode } from '../errors.js'
import { registerTextFormats } from './text-rules.js'

registerTextFormats()

/** A string without control characters or lone surrogates (text-rules.ts). */
export const PlainText = (options: { maxLength: number; description?: string }) =>
  Type.String({ format: 'plain-text', ...options })

/** A name or ID: a non-blank string without control, lone surrogate or format characters; services store it trimmed. */
export const NonBlankString = (options: { maxLength: number; description?: string; examples?: string[] }) =>
  Type.String({ minLength: 1, format: 'non-blank', ...options })

/**
 * A named schema (one with an `$id`, listed in NAMED_SCHEMAS) nested in another: a `$ref` the serializer resolves and
 * /openapi.json keeps, typed as the schema it names; `description` describes the response. Only for responses:
 * bodies are validated inline. Responses always go through ref(): a named schema given whole as a response makes
 * @fastify/fast-json-stringify-compiler drop it from the shared schemas of every route compiled after it.
 */
export function ref<T extends TSchema>(schema: T, options: { description?: string } = {}): ReturnType<typeof Type.Unsafe<Static<T>>> {
  const id = (schema as { $id?: unknown }).$id
  if (typeof id !== 'string') throw new Error('ref() needs a schema with an $id')
  return Type.Unsafe<Static<T>>({ $ref: id, ...options })
}

export const Timestamp = Type.String({ format: 'date-time', description: 'ISO-8601, UTC' })

export const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 })

export const IdParam = Type.Object({ id: Id })

export const DEFAULT_PAGE_LIMIT = 100

export const Paging = Type.Object({
  skip: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647, default: 0, description: 'Rows to skip' })),
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 1000, default: DEFAULT_PAGE_LIMIT, description: 'Rows to return (max 1000)' }),
  ),
})
export type Paging = Static<typeof Paging>

export const FieldProblem = Type.Object(
  {
    loc: Type.Array(Type.Union([Type.String(), Type.Integer()]), {
      description: 'Where: path, query, header or body, then the field (and index) as FastAPI names it',
    }),
    msg: Type.String({ description: 'What is wrong, in plain words, naming what is allowed' }),
    type: Type.String({ description: 'The kind of problem, e.g. missing, minimum, format' }),
  },
  {
    $id: 'FieldProblem',
    description: 'One problem with one field of the request',
    examples: [{ loc: ['body', 'max_load'], msg: 'must be an integer >= 0', type: 'minimum' }],
  },
)
export type FieldProblem = Static<typeof FieldProblem>

const codeList = Object.entries(ERROR_CODES).map(([code, when]) => `- \`${code}\`: ${when}`).join('\n')

export const ErrorBody = Type.Object(
  {
    detail: Type.Union([Type.String(), Type.Array(ref(FieldProblem))], {
      description: 'A message, or for bad input (422) one entry per field problem, as FastAPI answers',
    }),
    code: Type.Unsafe<ErrorCode>({ type: 'string', enum: Object.keys(ERROR_CODES), description: `Machine code:\n${codeList}` }),
  },
  {
    $id: 'ErrorBody',
    description: 'Every error: a message or a list of field problems, and a machine code',
    examples: [{ detail: 'Operator 42 not found', code: 'NOT_FOUND' }],
  },
)
export type ErrorBody = Static<typeof ErrorBody>

type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 503

/** What each error status means, with its codes: the response descriptions of /docs. */
const ERROR_RESPONSES: Record<ErrorStatus, { description: string; headers?: Record<string, object> }> = {
  400: { description: 'The body is not JSON, or the URL is malformed (INVALID_JSON, BAD_URL)' },
  401: {
    description: 'No valid API key: missing, unknown or revoked (UNAUTHENTICATED)',
    headers: { 'www-authenticate': { type: 'string', description: 'Bearer', example: 'Bearer' } },
  },
  403: { description: "The key's role may not call this route, or not for this source (FORBIDDEN)" },
  404: { description: 'No object with that id (NOT_FOUND)' },
  409: { description: 'Conflicts with the data as it is (SOURCE_NAME_TAKEN, CONTACT_CLOSED, OPERATOR_UNAVAILABLE, OPERATOR_AT_CAPACITY, CONFLICT)' },
  413: { description: 'The body is over 1 MiB (PAYLOAD_TOO_LARGE)' },
  415: { description: 'The body is not application/json (UNSUPPORTED_MEDIA_TYPE)' },
  422: { description: 'Bad input: one entry per field problem (VALIDATION_ERROR, IDEMPOTENCY_KEY_REUSED)' },
  429: {
    description: 'The client spent its allowance of requests (RATE_LIMITED)',
    headers: { 'retry-after': { type: 'integer', description: 'Seconds until the allowance is back', example: 12 } },
  },
  500: { description: 'A fault of ours; the answer carries no internals (INTERNAL_ERROR)' },
  503: { description: 'The database is unreachable or stayed busy: retry later (DATABASE_UNAVAILABLE, DATABASE_BUSY)' },
}

/** The error responses a route can give, for its schema and so for /docs; any route can meet 500 and 503. */
export function errorResponses(...statuses: Exclude<ErrorStatus, 500 | 503>[]) {
  return Object.fromEntries(
    [...statuses, 500 as const, 503 as const].map((status) => [status, Type.Unsafe<ErrorBody>({ $ref: 'ErrorBody', ...ERROR_RESPONSES[status] })]),
  )
}

export function toPage(query: Paging): Required<Paging> {
  return { skip: query.skip ?? 0, limit: query.limit ?? DEFAULT_PAGE_LIMIT }
}
