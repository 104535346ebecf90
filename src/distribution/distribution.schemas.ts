import { Type, type Static } from 'typebox'
import { Id, ref } from '../http/schemas.js'

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

export const PreviewOperator = Type.Object(
  {
    operator_id: Id,
    operator_name: Type.String(),
    weight: Type.Number(),
    current_load: Type.Integer(),
    max_load: Type.Integer(),
    eligible: Type.Boolean({ description: 'May take a contact of this source now' }),
    // null inside the enum: OpenAPI 3.0 lets a nullable enum answer null only when the enum lists it.
    reason: Type.Unsafe<'inactive' | 'at_capacity' | 'zero_weight' | null>({
      enum: ['inactive', 'at_capacity', 'zero_weight', null],
      description: 'Why not eligible; null when eligible',
    }),
    probability: Type.Number({ minimum: 0, maximum: 1, description: 'Chance of getting the next contact; sums to 1 over the eligible' }),
  },
  { $id: 'PreviewOperator', description: 'An operator of the source, and whether and how likely it gets the next contact' },
)

export const DistributionPreview = Type.Object(
  {
    source_id: Id,
    waiting: Type.Integer({ minimum: 0, description: 'Contacts of the source waiting for an operator' }),
    operators: Type.Array(ref(PreviewOperator)),
  },
  {
    $id: 'DistributionPreview',
    description: 'Who would get the next contact of a source now',
    examples: [
      {
        source_id: 1,
        waiting: 0,
        operators: [
          { operator_id: 1, operator_name: 'Иван Иванов', weight: 10, current_load: 3, max_load: 10, eligible: true, reason: null, probability: 0.25 },
          { operator_id: 2, operator_name: 'Пётр Петров', weight: 30, current_load: 2, max_load: 5, eligible: true, reason: null, probability: 0.75 },
        ],
      },
    ],
  },
)
export type DistributionPreview = Static<typeof DistributionPreview>
