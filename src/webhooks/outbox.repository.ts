import { sql } from 'kysely'
import { isPostgres, type Db } from '../db/database.js'
import { inTransaction } from '../db/transaction.js'
import type { DeliveryRow, WebhookRow } from './webhooks.repository.js'

export interface ClaimedDelivery {
  delivery: DeliveryRow
  webhook: Pick<WebhookRow, 'id' | 'url' | 'secret'>
}

/**
 * Claims due deliveries of enabled webhooks that are not `busy`, at most `perWebhook` of each (soonest due first)
 * and `limit` in all: each claimed row counts its attempt and is leased until `leaseUntil`, so no other dispatcher
 * takes it while this one tries; if this one dies, the lease ends and another does. Each webhook's rows are found
 * through its own index range, so a long backlog costs a claim nothing. On PostgreSQL rows another dispatcher is
 * claiming are skipped (FOR UPDATE SKIP LOCKED) and the due condition is checked again on the locked row.
 */
export async function claimDueDeliveries(
  db: Db,
  { now, leaseUntil, perWebhook, limit, busy }: { now: string; leaseUntil: string; perWebhook: number; limit: number; busy: number[] },
): Promise<ClaimedDelivery[]> {
  return inTransaction(db, async (trx) => {
    let enabled = trx.selectFrom('webhooks').select(['id', 'url', 'secret']).where(sql<boolean>`${sql.ref('enabled')}`).orderBy('id')
    if (busy.length > 0) enabled = enabled.where('id', 'not in', busy)
    const claimed: ClaimedDelivery[] = []
    for (const webhook of await enabled.execute()) {
      const room = Math.min(perWebhook, limit - claimed.length)
      if (room <= 0) break
      const due = trx
        .selectFrom('webhook_deliveries')
        .select('id')
        .where('webhook_id', '=', webhook.id)
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .orderBy('next_attempt_at')
        .limit(room)
      const deliveries = await trx
        .updateTable('webhook_deliveries')
        .set((eb) => ({ attempts: eb('attempts', '+', 1), next_attempt_at: leaseUntil }))
        .where('id', 'in', isPostgres(trx) ? due.forUpdate().skipLocked() : due)
        .returningAll()
        .execute()
      for (const delivery of deliveries) claimed.push({ delivery, webhook })
    }
    return claimed
  })
}
