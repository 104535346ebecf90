import { Type, type Static } from 'typebox'
import { Id, NonBlankString, Timestamp } from '../http/schemas.js'

export const SOURCE_EXAMPLE = { id: 1, name: 'Telegram Bot 1', created_at: '2026-11-25T08:16:40.523Z' }

export const Source = Type.Object(
  { id: Id, name: Type.String(), created_at: Timestamp },
  {
    $id: 'Source',
    description: 'A bot or channel that contacts arrive through',
    examples: [SOURCE_EXAMPLE],
  },
)
export type Source = Static<typeof Source>

export const SourceCreate = Type.Object(
  { name: NonBlankString({ maxLength: 200, description: 'Unique; stored trimmed' }) },
  { $id: 'SourceCreate', description: 'A new source', examples: [{ name: 'Telegram Bot 1' }] },
)
export type SourceCreate = Static<typeof SourceCreate>
