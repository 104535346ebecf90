import { Type, type Static } from 'typebox'
import { Id, NonBlankString, Paging, PlainText, Timestamp } from '../http/schemas.js'
import { Lead } from '../leads/leads.schemas.js'
import { Operator } from '../operators/operators.schemas.js'
import { Source } from '../sources/sources.schemas.js'

export const ContactStatus = Type.Union([Type.Literal('active'), Type.Literal('closed')])

export const Contact = Type.Object({
  id: Id,
  lead_id: Id,
  source_id: Id,
  operator_id: Type.Union([Id, Type.Null()], { description: 'null while it waits for an operator' }),
  status: ContactStatus,
  created_at: Timestamp,
  closed_at: Type.Union([Timestamp, Type.Null()]),
  assigned_at: Type.Union([Timestamp, Type.Null()], { description: 'When the current operator got it; null while it waits' }),
  lead: Lead,
  source: Source,
  operator: Type.Union([Operator, Type.Null()]),
})
export type Contact = Static<typeof Contact>

const Optional = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Optional(Type.Union([schema, Type.Null()]))

export const ContactCreate = Type.Object(
  {
    external_id: NonBlankString({ maxLength: 255, description: 'The lead as the source knows it' }),
    source_id: Id,
    phone: Optional(PlainText({ maxLength: 50 })),
    email: Optional(Type.String({ maxLength: 254, format: 'email' })),
  },
  { examples: [{ external_id: 'user_12345', source_id: 1, phone: '+79001234567', email: 'user@example.com' }] },
)
export type ContactCreate = Static<typeof ContactCreate>

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key'

export const ContactCreateHeaders = Type.Object({
  [IDEMPOTENCY_KEY_HEADER]: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: '^[\\x21-\\x7E]+$',
      description:
        'Makes retries safe: a repeat with the same key and body answers the first contact (with ' +
        'Idempotent-Replayed: true) instead of registering another; the same key with another body answers 422. ' +
        '1-255 visible ASCII characters, e.g. a UUID; remembered for IDEMPOTENCY_KEY_TTL_HOURS (24 by default).',
      examples: ['9b2f6c1e-4f0a-4a57-9d36-0c1c6f3a2b77'],
    }),
  ),
})

/** The registration answer, documenting the header a replay carries. */
export const ContactCreated = {
  ...Contact,
  headers: {
    'idempotent-replayed': { type: 'string', enum: ['true'], description: 'Present when the answer replays an earlier request with the same Idempotency-Key' },
  },
}

export const ContactUpdate = Type.Object(
  { status: Type.Literal('closed', { description: 'Closing frees the operator slot; closing twice changes nothing' }) },
  { examples: [{ status: 'closed' }] },
)
export type ContactUpdate = Static<typeof ContactUpdate>

export const ContactAssign = Type.Object(
  {
    operator_id: Type.Union([Id, Type.Null()], {
      description: 'The operator to give the contact to (no weight on the source needed); null hands it back to the queue',
    }),
    force: Type.Optional(
      Type.Boolean({
        default: false,
        description: 'Assign past the operator\'s max_load; it then gets nothing automatically until back under it',
      }),
    ),
  },
  { examples: [{ operator_id: 7, force: false }, { operator_id: null }] },
)
export type ContactAssign = Static<typeof ContactAssign>

export const ContactQuery = Type.Object({
  ...Paging.properties,
  lead_id: Type.Optional(Id),
  source_id: Type.Optional(Id),
  operator_id: Type.Optional(Id),
  status: Type.Optional(ContactStatus),
  assigned: Type.Optional(Type.Boolean({ description: 'false: only contacts without an operator' })),
})
export type ContactQuery = Static<typeof ContactQuery>
