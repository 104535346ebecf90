import { Type, type Static } from 'typebox'
import { Id, NonBlankString, Timestamp } from '../http/schemas.js'

export const Source = Type.Object({ id: Id, name: Type.String(), created_at: Timestamp })
export type Source = Static<typeof Source>

export const SourceCreate = Type.Object(
  { name: NonBlankString({ maxLength: 200, description: 'Unique; stored trimmed' }) },
  { examples: [{ name: 'Telegram Bot 1' }] },
)
export type SourceCreate = Static<typeof SourceCreate>
