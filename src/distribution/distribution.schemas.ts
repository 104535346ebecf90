import { Type, type Static } from 'typebox'
import { Id } from '../http/schemas.js'

export const MAX_WEIGHT = 1_000_000

export const OperatorWeightInput = Type.Object({
  operator_id: Id,
  weight: Type.Number({ minimum: 0, maximum: MAX_WEIGHT, description: 'Share of traffic; 0 = never chosen' }),
})

export const DistributionSet = Type.Object(
  {
    operator_weights: Type.Array(OperatorWeightInput, {
      maxItems: 1000,
      description: 'The whole new set; operators left out are removed from the source',
    }),
  },
  {
    examples: [
      {
        operator_weights: [
          { operator_id: 1, weight: 10 },
          { operator_id: 2, weight: 30 },
        ],
      },
    ],
  },
)
export type DistributionSet = Static<typeof DistributionSet>

export const OperatorWeight = Type.Object({
  id: Id,
  source_id: Id,
  operator_id: Id,
  operator_name: Type.String(),
  weight: Type.Number(),
  share: Type.Number({ description: 'weight / sum of the source weights, 0..1' }),
})
export type OperatorWeight = Static<typeof OperatorWeight>

export const PreviewOperator = Type.Object({
  operator_id: Id,
  operator_name: Type.String(),
  weight: Type.Number(),
  current_load: Type.Integer(),
  max_load: Type.Integer(),
  eligible: Type.Boolean({ description: 'May take a contact of this source now' }),
  reason: Type.Union([Type.Literal('inactive'), Type.Literal('at_capacity'), Type.Literal('zero_weight'), Type.Null()], {
    description: 'Why not eligible; null when eligible',
  }),
  probability: Type.Number({ minimum: 0, maximum: 1, description: 'Chance of getting the next contact; sums to 1 over the eligible' }),
})

export const DistributionPreview = Type.Object({
  source_id: Id,
  waiting: Type.Integer({ minimum: 0, description: 'Contacts of the source waiting for an operator' }),
  operators: Type.Array(PreviewOperator),
})
export type DistributionPreview = Static<typeof DistributionPreview>
