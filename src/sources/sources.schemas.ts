import { Type, type Static } from 'typebox'
import { Id, NonBlankString, Timestamp } from '../http/schemas.js'

const Name = NonBlankString({ maxLength: 200, description: 'Unique; stored trimmed' })
const AssignWaiting = Type.Boolean({
  description: 'Waiting contacts go to operators automatically as room frees; false: they wait until a supervisor assigns them',
})
const PreferLastOperator = Type.Boolean({
  description: "A returning lead's new contact goes to its last operator when that operator may take it now",
})

export const SOURCE_EXAMPLE = {
  id: 1,
  name: 'Telegram Bot 1',
  created_at: '2026-11-25T08:16:40.523Z',
  assign_waiting: true,
  prefer_last_operator: false,
}

export const Source = Type.Object(
  {
    id: Id,
    name: Type.String(),
    created_at: Timestamp,
    assign_waiting: AssignWaiting,
    prefer_last_operator: PreferLastOperator,
  },
  { $id: 'Source', description: 'A bot or channel that contacts arrive through', examples: [SOURCE_EXAMPLE] },
)
export type Source = Static<typeof Source>

export const SourceCreate = Type.Object(
  {
    name: Name,
    assign_waiting: Type.Optional({ ...AssignWaiting, default: true }),
    prefer_last_operator: Type.Optional({ ...PreferLastOperator, default: false }),
  },
  { $id: 'SourceCreate', description: 'A new source', examples: [{ name: 'Telegram Bot 1' }] },
)
export type SourceCreate = Static<typeof SourceCreate>

export const SourceUpdate = Type.Object(
  { name: Type.Optional(Name), assign_waiting: Type.Optional(AssignWaiting), prefer_last_operator: Type.Optional(PreferLastOperator) },
  {
    $id: 'SourceUpdate',
    description: 'The fields to change; the others keep their values',
    examples: [{ prefer_last_operator: true }, { assign_waiting: false }],
  },
)
export type SourceUpdate = Static<typeof SourceUpdate>
