import type { Insertable, Selectable } from 'kysely'
import type { Db, EventsTable } from '../db/database.js'
import { preparedQuery } from '../db/prepared-query.js'
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
 * Records an event in the caller's transaction. The database fans it out in the same statement: a pending
 * delivery, with the contact as the API shows it now, for each webhook subscribed (migration 0007's trigger).
 */
export async function insertEvent(db: Db, event: NewEvent): Promise<void> {
  await insertEventRow(db, event)
}

const insertEventRow = preparedQuery((db, p: NewEvent) =>
  db.insertInto('events').values({
    type: p.type,
    occurred_at: p.occurred_at,
    contact_id: p.contact_id,
    lead_id: p.lead_id,
    source_id: p.source_id,
    operator_id: p.operator_id,
    previous_operator_id: p.previous_operator_id,
    reason: p.reason,
    actor: p.actor,
  }),
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
