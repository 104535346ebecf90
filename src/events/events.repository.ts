import { sql, type Insertable, type Selectable } from 'kysely'
import { isPostgres, type Db, type EventsTable } from '../db/database.js'
import { preparedQuery } from '../db/prepared-query.js'
import { fromView } from '../contacts/contact-view.js'
import { findContactView } from '../contacts/contacts.repository.js'
import { subscribedTo } from '../webhooks/subscriptions.js'
import type { EventReason, EventType } from './events.schemas.js'

export type EventRow = Selectable<EventsTable>

// A type alias, not an interface: preparedQuery takes its parameters as a record.
export type NewEvent = Required<Omit<Insertable<EventsTable>, 'id' | 'type' | 'reason'>> & { type: EventType; reason: EventReason }

export interface EventFilters {
  type?: EventType | undefined
  contact_id?: number | undefined
  operator_id?: number | undefined
  source_id?: number | undefined
}

/**
 * Records an event in the caller's transaction, with a pending delivery for each webhook subscribed to it (the
 * outbox): one statement on PostgreSQL, two in process on SQLite. Only when some webhook is subscribed, the
 * deliveries then get the contact as the API shows it now, after the change (one read and one write more).
 */
export async function insertEvent(db: Db, event: NewEvent): Promise<void> {
  let deliveries: { id: number }[]
  if (isPostgres(db)) {
    deliveries = await insertEventWithDeliveries(db, event)
  } else {
    const [row] = await insertEventRow(db, event)
    if (!row) throw new Error('event insert returned no row')
    deliveries = await insertDeliveries(db, { eventId: row.id, type: event.type, at: event.occurred_at })
  }
  if (deliveries.length === 0) return
  const view = await findContactView(db, event.contact_id)
  if (!view) throw new Error(`contact ${event.contact_id} of an event not found`)
  await db
    .updateTable('webhook_deliveries')
    .set({ contact: JSON.stringify(fromView(view)) })
    .where('id', 'in', deliveries.map((d) => d.id))
    .execute()
}

const eventValues = (p: NewEvent) => ({
  type: p.type,
  occurred_at: p.occurred_at,
  contact_id: p.contact_id,
  lead_id: p.lead_id,
  source_id: p.source_id,
  operator_id: p.operator_id,
  previous_operator_id: p.previous_operator_id,
  reason: p.reason,
  actor: p.actor,
})

const insertEventRow = preparedQuery((db, p: NewEvent) => db.insertInto('events').values(eventValues(p)).returning('id'))

const insertDeliveries = preparedQuery((db, p: { eventId: number; type: string; at: string }) =>
  db
    .insertInto('webhook_deliveries')
    .columns(['webhook_id', 'event_id', 'event_type', 'status', 'next_attempt_at', 'created_at'])
    .expression(
      db
        .selectFrom('webhooks as w')
        .select((eb) => ['w.id', eb.val(p.eventId).as('event_id'), eb.val(p.type).as('event_type'), sql.lit('pending').as('status'), eb.val(p.at).as('next_attempt_at'), eb.val(p.at).as('created_at')])
        .where(subscribedTo(sql.val(p.type))),
    )
    .returning('id'),
)

const insertEventWithDeliveries = preparedQuery((db, p: NewEvent) =>
  db
    .with('event', (qc) => qc.insertInto('events').values(eventValues(p)).returning(['id', 'type', 'occurred_at']))
    .insertInto('webhook_deliveries')
    .columns(['webhook_id', 'event_id', 'event_type', 'status', 'next_attempt_at', 'created_at'])
    .expression((eb) =>
      eb
        .selectFrom('event')
        .innerJoin('webhooks as w', (join) => join.on(subscribedTo(sql.ref('event.type'))))
        .select(['w.id', 'event.id', 'event.type', sql.lit('pending').as('status'), 'event.occurred_at', 'event.occurred_at']),
    )
    .returning('id'),
)

/** Events after `after` up to `upTo` (the horizon every event below has committed by), in id order. */
export async function listEventsAfter(
  db: Db,
  filters: EventFilters,
  { after, upTo, limit }: { after: number; upTo: number | undefined; limit: number },
): Promise<EventRow[]> {
  let query = db.selectFrom('events').selectAll().where('id', '>', after)
  if (upTo !== undefined) query = query.where('id', '<=', upTo)
  if (filters.type !== undefined) query = query.where('type', '=', filters.type)
  if (filters.contact_id !== undefined) query = query.where('contact_id', '=', filters.contact_id)
  if (filters.source_id !== undefined) query = query.where('source_id', '=', filters.source_id)
  const operatorId = filters.operator_id
  if (operatorId !== undefined) query = query.where((eb) => eb.or([eb('operator_id', '=', operatorId), eb('previous_operator_id', '=', operatorId)]))
  return query.orderBy('id').limit(limit).execute()
}

/** A contact's events, oldest first. */
export async function listEventsOfContact(db: Db, contactId: number): Promise<EventRow[]> {
  return db.selectFrom('events').selectAll().where('contact_id', '=', contactId).orderBy('id').execute()
}

/** Deletes up to `batch` events older than `before`, oldest first; answers how many. */
export async function deleteEventsBefore(db: Db, before: string, batch: number): Promise<number> {
  const oldest = db.selectFrom('events').select('id').where('occurred_at', '<', before).orderBy('occurred_at').limit(batch)
  const result = await db.deleteFrom('events').where('id', 'in', oldest).executeTakeFirst()
  return Number(result.numDeletedRows)
}

export async function findEvent(db: Db, id: number): Promise<EventRow | undefined> {
  return db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst()
}
