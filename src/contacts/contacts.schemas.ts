import { Type, type Static } from 'typebox'
import { Id, NonBlankString, Paging, PlainText, ref, Timestamp } from '../http/schemas.js'
import { Lead, LEAD_EXAMPLE } from '../leads/leads.schemas.js'
import { Operator, OPERATOR_EXAMPLE } from '../operators/operators.schemas.js'
import { Source, SOURCE_EXAMPLE } from '../sources/sources.schemas.js'

export const ContactStatus = Type.Enum(['active', 'closed'], { type: 'string' })

export const Contact = Type.Object(
  {
    id: Id,
    lead_id: Id,
    source_id: Id,
    operator_id: Type.Union([Id, Type.Null()], { description: 'null while it waits for an operator' }),
    status: ContactStatus,
    created_at: Timestamp,
    closed_at: Type.Union([Timestamp, Type.Null()]),
    assigned_at: Type.Union([Timestamp, Type.Null()], { description: 'When the current operator got it; null while it waits' }),
    lead: ref(Lead),
    source: ref(Source),
    operator: Type.Union([ref(Operator), Type.Null()]),
  },
  {
    $id: 'Contact',
    description: 'One message of a lead through a source, with the operator it was assigned to (or null)',
    examples: [
      {
        id: 1,
        lead_id: 1,
        source_id: 1,
        operator_id: 1,
        status: 'active',
        created_at: '2026-11-25T08:28:24.173Z',
        closed_at: null,
        assigned_at: '2026-11-25T08:28:24.173Z',
        lead: LEAD_EXAMPLE,
        source: SOURCE_EXAMPLE,
        operator: OPERATOR_EXAMPLE,
      },
    ],
  },
)
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
  {
    $id: 'ContactCreate',
    description: 'An incoming message: who wrote (external_id) and through which source',
    examples: [{ external_id: 'user_12345', source_id: 1, phone: '+79001234567', email: 'user@example.com' }],
  },
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

/** The registration answer, documenting the header a replay carries: the Contact schema by reference. */
export const ContactCreated = Type.Unsafe<Contact>({
  $ref: 'Contact',
  description: 'The registered contact, with the operator it was assigned to (or null)',
  headers: {
    'idempotent-replayed': { type: 'string', enum: ['true'], description: 'Present when the answer replays an earlier request with the same Idempotency-Key' },
  },
})

export const ContactUpdate = Type.Object(
  { status: Type.Literal('closed', { description: 'Closing frees the operator slot; closing twice changes nothing' }) },
  { $id: 'ContactUpdate', description: 'Closes the contact', examples: [{ status: 'closed' }] },
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
  {
    $id: 'ContactAssign',
    description: 'Who gets the contact now: an operator, or null to hand it back to the queue',
    examples: [{ operator_id: 7, force: false }, { operator_id: null }],
  },
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
