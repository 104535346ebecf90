import { Type, type Static } from 'typebox'
import { Id, ref, Timestamp } from '../http/schemas.js'

const Count = Type.Integer({ minimum: 0 })

export const SourceContactStats = Type.Object(
  {
    source_id: Id,
    source_name: Type.String(),
    total: Count,
    active: Count,
    unassigned: Count,
    waiting: Type.Integer({ minimum: 0, description: 'Active contacts waiting for an operator' }),
    oldest_waiting_at: Type.Union([Timestamp, Type.Null()], { description: 'created_at of the oldest waiting contact; null when none waits' }),
    assigned_from_queue: Type.Integer({ minimum: 0, description: 'Contacts that waited, then got an operator' }),
    average_wait_seconds: Type.Number({ minimum: 0, description: 'Average wait of those contacts; 0 when none' }),
  },
  { $id: 'SourceContactStats', description: "A source's contacts and its waiting queue" },
)

export const OperatorContactStats = Type.Object(
  {
    operator_id: Id,
    operator_name: Type.String(),
    deleted: Type.Boolean({ description: 'A deleted operator stays listed while it has contacts' }),
    total: Count,
    active: Count,
    max_load: Count,
  },
  { $id: 'OperatorContactStats', description: "An operator's contacts" },
)

export const ContactStats = Type.Object(
  {
    total_contacts: Count,
    active_contacts: Count,
    closed_contacts: Count,
    unassigned_contacts: Count,
    waiting_contacts: Type.Integer({ minimum: 0, description: 'Active and unassigned' }),
    by_source: Type.Array(ref(SourceContactStats)),
    by_operator: Type.Array(ref(OperatorContactStats)),
  },
  {
    $id: 'ContactStats',
    description: 'Contact counts: totals, per source and per operator (by id, with names)',
    examples: [
      {
        total_contacts: 3,
        active_contacts: 2,
        closed_contacts: 1,
        unassigned_contacts: 1,
        waiting_contacts: 1,
        by_source: [
          {
            source_id: 1,
            source_name: 'Telegram Bot 1',
            total: 3,
            active: 2,
            unassigned: 1,
            waiting: 1,
            oldest_waiting_at: '2026-11-25T08:31:05.020Z',
            assigned_from_queue: 1,
            average_wait_seconds: 42.5,
          },
        ],
        by_operator: [{ operator_id: 1, operator_name: 'Иван Иванов', deleted: false, total: 2, active: 1, max_load: 10 }],
      },
    ],
  },
)
export type ContactStats = Static<typeof ContactStats>

export const OperatorShare = Type.Object(
  {
    operator_id: Id,
    operator_name: Type.String(),
    weight: Type.Number({ description: 'Configured now; 0 if no longer configured' }),
    expected_share: Type.Number({ description: 'weight / sum of the source weights' }),
    contacts: Count,
    actual_share: Type.Number({ description: 'contacts / assigned contacts of the source' }),
  },
  { $id: 'OperatorShare', description: "An operator's configured and actual share of a source's contacts" },
)

export const SourceDistributionStats = Type.Object(
  {
    source_id: Id,
    source_name: Type.String(),
    total_contacts: Count,
    assigned_contacts: Count,
    unassigned_contacts: Count,
    operators: Type.Array(ref(OperatorShare)),
  },
  {
    $id: 'SourceDistributionStats',
    description: "A source's configured against actual distribution",
    examples: [
      {
        source_id: 1,
        source_name: 'Telegram Bot 1',
        total_contacts: 4,
        assigned_contacts: 4,
        unassigned_contacts: 0,
        operators: [
          { operator_id: 1, operator_name: 'Иван Иванов', weight: 10, expected_share: 0.25, contacts: 1, actual_share: 0.25 },
          { operator_id: 2, operator_name: 'Пётр Петров', weight: 30, expected_share: 0.75, contacts: 3, actual_share: 0.75 },
        ],
      },
    ],
  },
)
export type SourceDistributionStats = Static<typeof SourceDistributionStats>
