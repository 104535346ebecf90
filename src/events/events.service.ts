import type { Db } from '../db/database.js'
import { inTransaction } from '../db/transaction.js'
import { toIso } from '../db/values.js'
import { NotFoundError } from '../errors.js'
import { contactExists } from '../contacts/contacts.repository.js'
import { deleteFinishedDeliveriesBefore } from '../webhooks/webhooks.repository.js'
import { committedEventHorizon } from './event-horizon.js'
import * as events from './events.repository.js'
import { DEFAULT_EVENT_LIMIT, type Event, type EventQuery, type EventReason, type EventType } from './events.schemas.js'

export function toEvent(row: events.EventRow): Event {
  return {
    id: row.id,
    type: row.type as EventType,
    occurred_at: toIso(row.occurred_at),
    contact_id: row.contact_id,
    lead_id: row.lead_id,
    source_id: row.source_id,
    operator_id: row.operator_id,
    previous_operator_id: row.previous_operator_id,
    reason: row.reason as EventReason,
    actor: row.actor,
  }
}

/** The feed: events after the cursor, in id order, never one that a transaction still in flight could precede. */
export async function listEvents(db: Db, { after = 0, limit = DEFAULT_EVENT_LIMIT, ...filters }: EventQuery): Promise<Event[]> {
  const upTo = await committedEventHorizon(db)
  return (await events.listEventsAfter(db, filters, { after, upTo, limit })).map(toEvent)
}

/** A contact's timeline, oldest first. */
export async function listContactEvents(db: Db, contactId: number): Promise<Event[]> {
  const rows = await events.listEventsOfContact(db, contactId)
  if (rows.length === 0 && !(await contactExists(db, contactId))) throw new NotFoundError('Contact', contactId)
  return rows.map(toEvent)
}

const PRUNE_BATCH = 1000

/**
 * Deletes events older than the retention, and finished webhook deliveries (which hold a copy of the contact)
 * as old, in short transactions of PRUNE_BATCH, so requests never wait long behind it. Answers the events deleted.
 */
export async function pruneEvents(db: Db, retentionDays: number, { maxBatches = 100 } = {}): Promise<number> {
  const before = new Date(Date.now() - retentionDays * 86_400_000).toISOString()
  const inBatches = async (remove: (trx: Db) => Promise<number>) => {
    let deleted = 0
    for (let batch = 0; batch < maxBatches; batch++) {
      const count = await inTransaction(db, remove)
      deleted += count
      if (count < PRUNE_BATCH) break
    }
    return deleted
  }
  await inBatches((trx) => deleteFinishedDeliveriesBefore(trx, before, PRUNE_BATCH))
  return inBatches((trx) => events.deleteEventsBefore(trx, before, PRUNE_BATCH))
}
