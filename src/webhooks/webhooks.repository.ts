import type { Insertable, Selectable, Updateable } from 'kysely'
import type { Db, WebhookDeliveriesTable, WebhooksTable } from '../db/database.js'

export type WebhookRow = Selectable<WebhooksTable>
export type DeliveryRow = Selectable<WebhookDeliveriesTable>

export async function insertWebhook(db: Db, values: Insertable<WebhooksTable>): Promise<WebhookRow> {
  return db.insertInto('webhooks').values(values).returningAll().executeTakeFirstOrThrow()
}

export async function listWebhooks(db: Db): Promise<WebhookRow[]> {
  return db.selectFrom('webhooks').selectAll().orderBy('id').execute()
}

export async function findWebhook(db: Db, id: number): Promise<WebhookRow | undefined> {
  return db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function updateWebhook(db: Db, id: number, values: Updateable<WebhooksTable>): Promise<WebhookRow | undefined> {
  if (Object.keys(values).length === 0) return findWebhook(db, id)
  return db.updateTable('webhooks').set(values).where('id', '=', id).returningAll().executeTakeFirst()
}

/** Deletes the webhook and, by the foreign key's cascade, its deliveries; answers whether it existed. */
export async function deleteWebhook(db: Db, id: number): Promise<boolean> {
  const result = await db.deleteFrom('webhooks').where('id', '=', id).executeTakeFirst()
  return result.numDeletedRows > 0n
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

export async function findDelivery(db: Db, webhookId: number, id: number): Promise<DeliveryRow | undefined> {
  return db.selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', webhookId).where('id', '=', id).executeTakeFirst()
}

export async function updateDelivery(db: Db, id: number, values: Updateable<WebhookDeliveriesTable>): Promise<DeliveryRow | undefined> {
  return db.updateTable('webhook_deliveries').set(values).where('id', '=', id).returningAll().executeTakeFirst()
}

/** Deletes up to `batch` finished deliveries (succeeded or failed) created before `before`; answers how many. */
export async function deleteFinishedDeliveriesBefore(db: Db, before: string, batch: number): Promise<number> {
  const oldest = db.selectFrom('webhook_deliveries').select('id').where('status', '<>', 'pending').where('created_at', '<', before).orderBy('id').limit(batch)
  const result = await db.deleteFrom('webhook_deliveries').where('id', 'in', oldest).executeTakeFirst()
  return Number(result.numDeletedRows)
}
