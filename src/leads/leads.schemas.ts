import { Type, type Static } from 'typebox'
import { Id, Timestamp } from '../http/schemas.js'

export const Lead = Type.Object({
  id: Id,
  external_id: Type.String(),
  phone: Type.Union([Type.String(), Type.Null()]),
  email: Type.Union([Type.String(), Type.Null()]),
  created_at: Timestamp,
})
export type Lead = Static<typeof Lead>
