import { Type, type Static } from 'typebox'
import { Id, NonBlankString, Timestamp } from '../http/schemas.js'

export const ApiKeyRole = Type.Union([Type.Literal('admin'), Type.Literal('viewer'), Type.Literal('ingest')], {
  description: 'admin: everything; viewer: every read; ingest: only POST /contacts/ (optionally for some sources)',
})
export type ApiKeyRole = Static<typeof ApiKeyRole>

/** A key as listed: never the key itself, only its first characters. */
export const ApiKey = Type.Object({
  id: Id,
  name: Type.String(),
  role: ApiKeyRole,
  source_ids: Type.Union([Type.Array(Id), Type.Null()], { description: 'ingest keys: the sources it may post to; null = any' }),
  key_prefix: Type.String(),
  created_at: Timestamp,
  last_used_at: Type.Union([Timestamp, Type.Null()], { description: 'written at most once a minute per key' }),
  revoked_at: Type.Union([Timestamp, Type.Null()]),
})
export type ApiKey = Static<typeof ApiKey>

export const ApiKeyCreate = Type.Object({
  name: NonBlankString({ maxLength: 100 }),
  role: ApiKeyRole,
  source_ids: Type.Optional(Type.Union([Type.Array(Id, { minItems: 1, maxItems: 1000 }), Type.Null()])),
})
export type ApiKeyCreate = Static<typeof ApiKeyCreate>

/** Who is calling: the key's id, role and sources. `request.principal` is null while the API is open. */
export interface Principal {
  keyId: number
  role: ApiKeyRole
  /** The sources an ingest key may post to; null = any. */
  sourceIds: number[] | null
}
