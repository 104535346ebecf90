import { Type, type Static } from 'typebox'
import { EVENT_TYPES } from '../events/events.schemas.js'
import { Id, Paging, PlainText, Timestamp } from '../http/schemas.js'

/** The event types a webhook may subscribe to; `*` is every one. */
export const SUBSCRIBABLE = ['*', ...Object.keys(EVENT_TYPES)] as const

const Url = Type.String({
  minLength: 1,
  maxLength: 2048,
  format: 'webhook-url',
  description:
    'Where deliveries are POSTed: http or https, no user name or password in it. A host that is or resolves to a ' +
    'loopback, private, link-local or unique-local address is refused unless WEBHOOK_ALLOW_PRIVATE_NETWORKS=true',
  examples: ['https://crm.example.com/hooks/mini-crm'],
})
// No uniqueItems: TypeBox hashes each item to check it, recursively, so a deeply nested item overflowed the stack
// (a 500, found by the property tests); a type named twice is stored once instead.
const Events = Type.Array(Type.Unsafe<string>({ type: 'string', enum: [...SUBSCRIBABLE] }), {
  minItems: 1,
  maxItems: SUBSCRIBABLE.length * 2,
  description: `The event types to deliver, or ["*"] for every one: ${SUBSCRIBABLE.join(', ')} (a type named twice counts once)`,
})
const Description = PlainText({ maxLength: 500, description: 'What the receiver is, for people' })
const Enabled = Type.Boolean({ description: 'A disabled webhook gets no new deliveries, and its pending ones wait until it is enabled' })

export const WEBHOOK_EXAMPLE = {
  id: 1,
  url: 'https://crm.example.com/hooks/mini-crm',
  events: ['contact.created', 'contact.assigned'],
  description: 'Our CRM',
  enabled: true,
  created_at: '2026-11-25T08:16:40.523Z',
}

const webhookFields = {
  id: Id,
  url: Type.String(),
  events: Type.Array(Type.String()),
  description: Type.Union([Type.String(), Type.Null()]),
  enabled: Type.Boolean(),
  created_at: Timestamp,
}

export const Webhook = Type.Object(webhookFields, {
  $id: 'Webhook',
  description: 'A receiver of events, signed by the Standard Webhooks scheme; its secret is shown only at creation and rotation',
  examples: [WEBHOOK_EXAMPLE],
})
export type Webhook = Static<typeof Webhook>

export const WebhookWithSecret = Type.Object(
  {
    ...webhookFields,
    secret: Type.String({ description: 'The signing secret (whsec_…): shown only here; keep it with the receiver' }),
  },
  {
    $id: 'WebhookWithSecret',
    description: 'A webhook with its signing secret: the answer of creation and rotation, and only of those',
    examples: [{ ...WEBHOOK_EXAMPLE, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }],
  },
)
export type WebhookWithSecret = Static<typeof WebhookWithSecret>

export const WebhookCreate = Type.Object(
  { url: Url, events: Events, description: Type.Optional(Description) },
  {
    $id: 'WebhookCreate',
    description: 'A new webhook',
    examples: [{ url: 'https://crm.example.com/hooks/mini-crm', events: ['*'], description: 'Our CRM' }],
  },
)
export type WebhookCreate = Static<typeof WebhookCreate>

export const WebhookUpdate = Type.Object(
  { url: Type.Optional(Url), events: Type.Optional(Events), description: Type.Optional(Type.Union([Description, Type.Null()])), enabled: Type.Optional(Enabled) },
  { $id: 'WebhookUpdate', description: 'The fields to change; the others keep their values', examples: [{ enabled: false }] },
)
export type WebhookUpdate = Static<typeof WebhookUpdate>

export const DeliveryStatus = Type.Enum(['pending', 'succeeded', 'failed'], { type: 'string' })
export type DeliveryStatus = Static<typeof DeliveryStatus>

export const Delivery = Type.Object(
  {
    id: Id,
    event_id: Type.Union([Id, Type.Null()], { description: 'The event delivered; null for a webhook.test delivery' }),
    event_type: Type.String({ description: 'An event type, or webhook.test' }),
    status: DeliveryStatus,
    attempts: Type.Integer({ minimum: 0, description: 'Attempts made so far' }),
    next_attempt_at: Type.Union([Timestamp, Type.Null()], { description: 'When the next attempt is due; null once succeeded or failed' }),
    last_status_code: Type.Union([Type.Integer(), Type.Null()], { description: "The receiver's status on the last attempt; null if it never answered" }),
    last_error: Type.Union([Type.String(), Type.Null()], { description: 'Why the last attempt failed (a status, a timeout, a refused address)' }),
    created_at: Timestamp,
    delivered_at: Type.Union([Timestamp, Type.Null()], { description: 'When a 2xx came back' }),
  },
  {
    $id: 'Delivery',
    description: 'One event to one webhook: retried on the Standard Webhooks schedule until a 2xx, or failed after 8 attempts',
    examples: [
      {
        id: 7,
        event_id: 42,
        event_type: 'contact.assigned',
        status: 'pending',
        attempts: 1,
        next_attempt_at: '2026-11-25T08:30:06.512Z',
        last_status_code: 503,
        last_error: 'the receiver answered 503',
        created_at: '2026-11-25T08:30:01.512Z',
        delivered_at: null,
      },
    ],
  },
)
export type Delivery = Static<typeof Delivery>

export const DeliveryQuery = Type.Object({ ...Paging.properties, status: Type.Optional(DeliveryStatus) })
export type DeliveryQuery = Static<typeof DeliveryQuery>

export const DeliveryParams = Type.Object({ id: Id, delivery_id: Id })
