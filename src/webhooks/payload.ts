import { toIso } from '../db/values.js'
import { toEvent } from '../events/events.service.js'
import type { ClaimedDelivery } from './outbox.repository.js'

/** A delivery that can never be made (its event was pruned): failed at once, not retried. */
export class UndeliverableError extends Error {}

/**
 * The body of a delivery, as the Standard Webhooks format has it: `{"type", "timestamp", "data"}`. An event's data
 * is the event with `contact`, the contact as GET /contacts/{id} showed it right after the change (written with
 * the delivery, in the change's transaction), so every attempt sends the same body.
 */
export function deliveryBody({ delivery, event }: Pick<ClaimedDelivery, 'delivery' | 'event'>): string {
  if (delivery.event_id === null) {
    return JSON.stringify({ type: delivery.event_type, timestamp: toIso(delivery.created_at), data: JSON.parse(delivery.payload ?? '{}') as unknown })
  }
  if (!event) throw new UndeliverableError(`event ${delivery.event_id} is past EVENT_RETENTION_DAYS`)
  if (delivery.contact === null) throw new UndeliverableError(`delivery ${delivery.id} has no contact snapshot`)
  const contact = JSON.parse(delivery.contact) as unknown
  return JSON.stringify({ type: event.type, timestamp: toIso(event.occurred_at), data: { ...toEvent(event), contact } })
}
