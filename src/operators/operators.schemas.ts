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

export const Operator = Type.Object({
  id: Id,
  name: Type.String(),
  is_active: Type.Boolean(),
  max_load: Type.Integer(),
  current_load: Type.Integer({ description: 'Active contacts assigned now' }),
  created_at: Timestamp,
})
export type Operator = Static<typeof Operator>

export const OperatorCreate = Type.Object(
  {
    name: Name,
    is_active: Type.Optional({ ...IsActive, default: true }),
    max_load: Type.Optional({ ...MaxLoad, default: DEFAULT_MAX_LOAD }),
  },
  { examples: [{ name: 'Иван Иванов', is_active: true, max_load: 10 }] },
)
export type OperatorCreate = Static<typeof OperatorCreate>

export const OperatorUpdate = Type.Object(
  { name: Type.Optional(Name), is_active: Type.Optional(IsActive), max_load: Type.Optional(MaxLoad) },
  { examples: [{ is_active: false }, { max_load: 20 }] },
)
export type OperatorUpdate = Static<typeof OperatorUpdate>
