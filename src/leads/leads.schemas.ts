import { Type, type Static } from 'typebox'
import { Id, Timestamp } from '../http/schemas.js'

export const LEAD_EXAMPLE = { id: 1, external_id: 'user_12345', phone: '+79001234567', email: 'user@example.com', created_at: '2026-11-25T08:28:24.173Z' }

export const Lead = Type.Object(
  {
    id: Id,
    external_id: Type.String({ description: 'The lead as its sources know it; unique' }),
    phone: Type.Union([Type.String(), Type.Null()]),
    email: Type.Union([Type.String(), Type.Null()]),
    created_at: Timestamp,
  },
  {
    $id: 'Lead',
    description: 'A person who writes to us, found by external_id across every source',
    examples: [LEAD_EXAMPLE],
  },
)
export type Lead = Static<typeof Lead>
