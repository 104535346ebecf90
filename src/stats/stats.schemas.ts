import { Type, type Static } from 'typebox'
import { Id, Timestamp } from '../http/schemas.js'

const Count = Type.Integer({ minimum: 0 })

export const ContactStats = Type.Object({
  total_contacts: Count,
  active_contacts: Count,
  closed_contacts: Count,
  unassigned_contacts: Count,
  waiting_contacts: Type.Integer({ minimum: 0, description: 'Active and unassigned' }),
  by_source: Type.Array(
    Type.Object({
      source_id: Id,
      source_name: Type.String(),
      total: Count,
      active: Count,
      unassigned: Count,
      waiting: Type.Integer({ minimum: 0, description: 'Active contacts waiting for an operator' }),
      oldest_waiting_at: Type.Union([Timestamp, Type.Null()], { description: 'created_at of the oldest waiting contact; null when none waits' }),
      assigned_from_queue: Type.Integer({ minimum: 0, description: 'Contacts that waited, then got an operator' }),
      average_wait_seconds: Type.Number({ minimum: 0, description: 'Average wait of those contacts; 0 when none' }),
    }),
  ),
  by_operator: Type.Array(
    Type.Object({
      operator_id: Id,
      operator_name: Type.String(),
      deleted: Type.Boolean(),
      total: Count,
      active: Count,
      max_load: Count,
    }),
  ),
})
export type ContactStats = Static<typeof ContactStats>

export const SourceDistributionStats = Type.Object({
  source_id: Id,
  source_name: Type.String(),
  total_contacts: Count,
  assigned_contacts: Count,
  unassigned_contacts: Count,
  operators: Type.Array(
    Type.Object({
      operator_id: Id,
      operator_name: Type.String(),
      weight: Type.Number({ description: 'Configured now; 0 if no longer configured' }),
      expected_share: Type.Number({ description: 'weight / sum of the source weights' }),
      contacts: Count,
      actual_share: Type.Number({ description: 'contacts / assigned contacts of the source' }),
    }),
  ),
})
export type SourceDistributionStats = Static<typeof SourceDistributionStats>
