import { Type, type Static } from 'typebox'
import { Id, NonBlankString, Timestamp } from '../http/schemas.js'

export const DEFAULT_MAX_LOAD = 10
export const MAX_LOAD_LIMIT = 1_000_000

const Name = NonBlankString({ maxLength: 200, description: 'Shown to supervisors; stored trimmed' })
const IsActive = Type.Boolean({ description: 'Only active operators receive new contacts' })
const MaxLoad = Type.Integer({
  minimum: 0,
  maximum: MAX_LOAD_LIMIT,
  description: 'Most active contacts the operator may hold at once',
})

/** The seed's first operator, as the examples of /docs show it. */
export const OPERATOR_EXAMPLE = { id: 1, name: 'Иван Иванов', is_active: true, max_load: 10, current_load: 1, created_at: '2026-11-25T08:15:02.114Z' }

export const Operator = Type.Object(
  {
    id: Id,
    name: Type.String(),
    is_active: Type.Boolean(),
    max_load: Type.Integer(),
    current_load: Type.Integer({ description: 'Active contacts assigned now' }),
    created_at: Timestamp,
  },
  {
    $id: 'Operator',
    description: 'An operator, with the number of active contacts it holds now',
    examples: [OPERATOR_EXAMPLE],
  },
)
export type Operator = Static<typeof Operator>

export const OperatorCreate = Type.Object(
  {
    name: Name,
    is_active: Type.Optional({ ...IsActive, default: true }),
    max_load: Type.Optional({ ...MaxLoad, default: DEFAULT_MAX_LOAD }),
  },
  { $id: 'OperatorCreate', description: 'A new operator', examples: [{ name: 'Иван Иванов', is_active: true, max_load: 10 }] },
)
export type OperatorCreate = Static<typeof OperatorCreate>

export const OperatorUpdate = Type.Object(
  { name: Type.Optional(Name), is_active: Type.Optional(IsActive), max_load: Type.Optional(MaxLoad) },
  { $id: 'OperatorUpdate', description: 'The fields to change; the others keep their values', examples: [{ is_active: false }, { max_load: 20 }] },
)
export type OperatorUpdate = Static<typeof OperatorUpdate>
