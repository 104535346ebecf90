import { Type, type Static } from 'typebox'
import { registerTextFormats } from './text-rules.js'

registerTextFormats()

/** A string without control characters or lone surrogates (text-rules.ts). */
export const PlainText = (options: { maxLength: number; description?: string }) =>
  Type.String({ format: 'plain-text', ...options })

/** A name or ID: a non-blank string without control, lone surrogate or format characters; services store it trimmed. */
export const NonBlankString = (options: { maxLength: number; description?: string; examples?: string[] }) =>
  Type.String({ minLength: 1, format: 'non-blank', ...options })

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

export const FieldProblem = Type.Object({
  loc: Type.Array(Type.Union([Type.String(), Type.Integer()])),
  msg: Type.String(),
  type: Type.String(),
})
export type FieldProblem = Static<typeof FieldProblem>

export const ErrorBody = Type.Object(
  {
    detail: Type.Union([Type.String(), Type.Array(FieldProblem)]),
    code: Type.String({ examples: ['NOT_FOUND'] }),
  },
  { $id: 'ErrorBody', description: 'Every error: a message or a list of field problems, and a machine code' },
)
export type ErrorBody = Static<typeof ErrorBody>

const errorRef = Type.Ref('ErrorBody')

/** The error responses a route can give, for its schema and so for /docs; any route can meet 500 and 503. */
export function errorResponses(...statuses: (400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429)[]) {
  return Object.fromEntries([...statuses, 500, 503].map((status) => [status, errorRef]))
}

export function toPage(query: Paging): Required<Paging> {
  return { skip: query.skip ?? 0, limit: query.limit ?? DEFAULT_PAGE_LIMIT }
}
