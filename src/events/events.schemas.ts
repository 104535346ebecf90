import { Type, type Static } from 'typebox'
import { Id, Timestamp } from '../http/schemas.js'

/** What happened to the contact (SPEC.md, "Events"). */
export const EVENT_TYPES = {
  'contact.created': 'registered, with its operator or waiting',
  'contact.assigned': 'a waiting contact got an operator (the queue, or a supervisor)',
  'contact.reassigned': 'moved from one operator to another',
  'contact.unassigned': 'handed back to the queue (a supervisor, its operator deleted or requeued)',
  'contact.closed': 'closed',
} as const
export type EventType = keyof typeof EVENT_TYPES

/** Why it happened. */
export const EVENT_REASONS = {
  registration: 'a new contact, by the weighted pick (or waiting)',
  sticky: "a new contact, to the lead's last operator (the source's prefer_last_operator)",
  queue: 'the queue gave a waiting contact to an operator who had room',
  manual: 'a supervisor assigned, moved or handed back the contact',
  operator_deleted: 'its operator was deleted',
  operator_requeued: "its operator's shift ended (POST /operators/{id}/requeue)",
  closed: 'the contact was closed',
} as const
export type EventReason = keyof typeof EVENT_REASONS

const listed = (table: Record<string, string>) => Object.entries(table).map(([name, when]) => `- \`${name}\`: ${when}`).join('\n')

export const EventTypeName = Type.Unsafe<EventType>({ type: 'string', enum: Object.keys(EVENT_TYPES), description: `What happened:\n${listed(EVENT_TYPES)}` })

export const Event = Type.Object(
  {
    id: Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'Ascending in the order GET /events serves events: a consumer keeps the last one it saw' }),
    type: EventTypeName,
    occurred_at: Timestamp,
    contact_id: Id,
    lead_id: Id,
    source_id: Id,
    operator_id: Type.Union([Id, Type.Null()], { description: 'The operator the contact has after the change; null while it waits' }),
    previous_operator_id: Type.Union([Id, Type.Null()], { description: 'The operator it had before; null if none' }),
    reason: Type.Unsafe<EventReason>({ type: 'string', enum: Object.keys(EVENT_REASONS), description: `Why:\n${listed(EVENT_REASONS)}` }),
    actor: Type.Union([Id, Type.Null()], { description: 'The API key that caused the change; null without one (the queue sweep, an open API)' }),
  },
  {
    $id: 'Event',
    description: "A change of a contact's operator or status, recorded in the same transaction as the change",
    examples: [
      {
        id: 42,
        type: 'contact.assigned',
        occurred_at: '2026-11-25T08:30:01.512Z',
        contact_id: 17,
        lead_id: 9,
        source_id: 1,
        operator_id: 3,
        previous_operator_id: null,
        reason: 'queue',
        actor: 2,
      },
    ],
  },
)
export type Event = Static<typeof Event>

export const DEFAULT_EVENT_LIMIT = 100

export const EventQuery = Type.Object({
  after: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 2_147_483_647, default: 0, description: 'Events with a greater id: the last id the consumer saw (0 from the start)' }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: DEFAULT_EVENT_LIMIT, description: 'Events to return (max 1000)' })),
  type: Type.Optional(EventTypeName),
  contact_id: Type.Optional(Id),
  operator_id: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'Events that gave the contact to this operator or took it from them' })),
  source_id: Type.Optional(Id),
})
export type EventQuery = Static<typeof EventQuery>
