import { sql } from 'kysely'
import { isPostgres, type Db } from '../db/database.js'
import type { DeliveryRow, WebhookRow } from './webhooks.repository.js'

export interface ClaimedDelivery {
  delivery: DeliveryRow
  webhook: Pick<WebhookRow, 'id' | 'url' | 'secret'>
}

/**
 * Claims due deliveries of enabled webhooks, at most `perWebhook` of each and `limit` in all, skipping `busy`
 * webhooks: each claimed row counts its attempt and is leased until `leaseUntil`, so no other dispatcher takes it
 * while this one tries; if this one dies, the lease ends and another does. On PostgreSQL rows another dispatcher
 * is claiming are skipped (FOR UPDATE SKIP LOCKED), and the due condition is checked again on the locked row.
 */
export async function claimDueDeliveries(
  db: Db,
  { now, leaseUntil, perWebhook, limit, busy }: { now: string; leaseUntil: string; perWebhook: number; limit: number; busy: number[] },
): Promise<ClaimedDelivery[]> {
  let due = db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
    .select(['d.id', sql<number>`row_number() over (partition by d.webhook_id order by d.next_attempt_at, d.id)`.as('n')])
    .where('d.status', '=', 'pending')
    .where('d.next_attempt_at', '<=', now)
    .where(sql<boolean>`${sql.ref('w.enabled')}`)
  if (busy.length > 0) due = due.where('d.webhook_id', 'not in', busy)
  const picked = db.selectFrom(due.as('ranked')).select('ranked.id').where('ranked.n', '<=', perWebhook).orderBy('ranked.id').limit(limit)
  const lockable = db
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('id', 'in', picked)
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
  const deliveries = await db
    .updateTable('webhook_deliveries')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), next_attempt_at: leaseUntil }))
    .where('id', 'in', isPostgres(db) ? lockable.forUpdate().skipLocked() : lockable)
    .returningAll()
    .execute()
  if (deliveries.length === 0) return []
  const webhooks = await db
    .selectFrom('webhooks')
    .select(['id', 'url', 'secret'])
    .where('id', 'in', [...new Set(deliveries.map((d) => d.webhook_id))])
    .execute()
  const byId = new Map(webhooks.map((w) => [w.id, w]))
  return deliveries.flatMap((delivery) => {
    const webhook = byId.get(delivery.webhook_id)
    return webhook ? [{ delivery, webhook }] : []
  })
}
