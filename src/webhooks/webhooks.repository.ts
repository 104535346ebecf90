import type { Insertable, Selectable, Updateable } from 'kysely'
import type { Db, WebhookDeliveriesTable, WebhooksTable } from '../db/database.js'
import { databaseTimeIn } from '../db/values.js'

export type WebhookRow = Selectable<WebhooksTable>
export type DeliveryRow = Selectable<WebhookDeliveriesTable>

export async function insertWebhook(db: Db, values: Insertable<WebhooksTable>): Promise<WebhookRow> {
  return db.insertInto('webhooks').values(values).returningAll().executeTakeFirstOrThrow()
}

/** Webhooks that exist for the API: a deleted one is gone at once, though its rows are removed after. */
export async function listWebhooks(db: Db): Promise<WebhookRow[]> {
  return db.selectFrom('webhooks').selectAll().where('deleted_at', 'is', null).orderBy('id').execute()
}

export async function findWebhook(db: Db, id: number): Promise<WebhookRow | undefined> {
  return db.selectFrom('webhooks').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst()
}

export async function updateWebhook(db: Db, id: number, values: Updateable<WebhooksTable>): Promise<WebhookRow | undefined> {
  if (Object.keys(values).length === 0) return findWebhook(db, id)
  return db.updateTable('webhooks').set(values).where('id', '=', id).where('deleted_at', 'is', null).returningAll().executeTakeFirst()
}

/**
 * Marks the webhook deleted and disabled, so no event fans out to it and no dispatcher claims for it; answers
 * whether it existed. The update leaves the key alone: on PostgreSQL an event's fan-out, which checks the key of
 * every webhook it writes a delivery for, never waits on it (a DELETE would hold it while its deliveries cascade).
 */
export async function markWebhookDeleted(db: Db, id: number): Promise<boolean> {
  const result = await db
    .updateTable('webhooks')
    .set({ deleted_at: new Date().toISOString(), enabled: 0 })
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

export async function listDeletedWebhookIds(db: Db): Promise<number[]> {
  const rows = await db.selectFrom('webhooks').select('id').where('deleted_at', 'is not', null).orderBy('id').execute()
  return rows.map((row) => row.id)
}

/** Deletes up to `batch` deliveries of a webhook; answers how many. */
export async function deleteDeliveriesOf(db: Db, webhookId: number, batch: number): Promise<number> {
  const some = db.selectFrom('webhook_deliveries').select('id').where('webhook_id', '=', webhookId).limit(batch)
  const result = await db.deleteFrom('webhook_deliveries').where('id', 'in', some).executeTakeFirst()
  return Number(result.numDeletedRows)
}

/** Deletes a webhook marked deleted (a delivery written since goes with it, by the foreign key's cascade). */
export async function deleteMarkedWebhook(db: Db, id: number): Promise<void> {
  await db.deleteFrom('webhooks').where('id', '=', id).where('deleted_at', 'is not', null).execute()
}

export async function insertDelivery(db: Db, values: Insertable<WebhookDeliveriesTable>): Promise<DeliveryRow> {
  return db.insertInto('webhook_deliveries').values(values).returningAll().executeTakeFirstOrThrow()
}

export async function listDeliveries(
  db: Db,
  webhookId: number,
  { status, skip, limit }: { status?: DeliveryRow['status'] | undefined; skip: number; limit: number },
): Promise<DeliveryRow[]> {
  let query = db.selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', webhookId)
  if (status !== undefined) query = query.where('status', '=', status)
  return query.orderBy('id', 'desc').offset(skip).limit(limit).execute()
}

/**
 * Makes the delivery pending and due now (the database's clock), whatever its status. A delivery being attempted
 * right now keeps its lease: no second attempt starts until that one is recorded.
 */
export async function makeDeliveryDue(db: Db, webhookId: number, id: number): Promise<DeliveryRow | undefined> {
  return db
    .updateTable('webhook_deliveries')
    .set({ status: 'pending', next_attempt_at: databaseTimeIn(db) })
    .where('webhook_id', '=', webhookId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst()
}

/** Deletes up to `batch` finished deliveries (succeeded or failed) created before `before`; answers how many. */
export async function deleteFinishedDeliveriesBefore(db: Db, before: string, batch: number): Promise<number> {
  const oldest = db.selectFrom('webhook_deliveries').select('id').where('status', '<>', 'pending').where('created_at', '<', before).orderBy('id').limit(batch)
  const result = await db.deleteFrom('webhook_deliveries').where('id', 'in', oldest).executeTakeFirst()
  return Number(result.numDeletedRows)
}
