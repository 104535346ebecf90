import { Type, type Static } from 'typebox'
import { Id } from '../http/schemas.js'

export const MAX_WEIGHT = 1_000_000

export const OperatorWeightInput = Type.Object(
  {
    operator_id: Id,
    weight: Type.Number({ minimum: 0, maximum: MAX_WEIGHT, description: 'Share of traffic; 0 = never chosen' }),
  },
  { description: 'An operator of the source and its weight' },
)

export const DistributionSet = Type.Object(
  {
    operator_weights: Type.Array(OperatorWeightInput, {
      maxItems: 1000,
      description: 'The whole new set; operators left out are removed from the source',
    }),
  },
  {
    $id: 'DistributionSet',
    description: "The source's whole new set of operators and weights",
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

export const OperatorWeight = Type.Object(
  {
    id: Id,
    source_id: Id,
    operator_id: Id,
    operator_name: Type.String(),
    weight: Type.Number(),
    share: Type.Number({ description: 'weight / sum of the source weights, 0..1' }),
  },
  {
    $id: 'OperatorWeight',
    description: 'An operator of a source, its weight and the share of contacts that weight gives it',
    examples: [{ id: 1, source_id: 1, operator_id: 1, operator_name: 'Иван Иванов', weight: 10, share: 0.25 }],
  },
)
export type OperatorWeight = Static<typeof OperatorWeight>
