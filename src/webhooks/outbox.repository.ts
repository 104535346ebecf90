import { sql } from 'kysely'
import { isPostgres, type Db } from '../db/database.js'
import { inTransaction } from '../db/transaction.js'
import { databaseTimeIn } from '../db/values.js'
import type { EventRow } from '../events/events.repository.js'
import type { DeliveryRow, WebhookRow } from './webhooks.repository.js'

export interface ClaimedDelivery {
  delivery: DeliveryRow
  webhook: Pick<WebhookRow, 'id' | 'url' | 'secret'>
  /** The delivery's event, read with the claim; undefined for webhook.test or an event past retention. */
  event: EventRow | undefined
}

export interface ClaimOptions {
  /** How long a claimed delivery is held for its attempt: until then no dispatcher claims it again. */
  leaseMs: number
  perWebhook: number
  limit: number
  /** Webhooks this dispatcher has deliveries in flight for: not claimed for until those end. */
  busy: number[]
  /** Webhooks are walked from the first id after this one, round the list, so none waits behind busier ones. */
  startAfter: number
}

/**
 * Claims due deliveries of enabled webhooks, at most `perWebhook` of each (soonest due first) and `limit` in all:
 * each claimed row counts its attempt and is leased, so no other dispatcher takes it while this one tries; if this
 * one dies, the lease ends and another does. The lease apart from the due time means a manual retry of a delivery in
 * flight waits for that attempt. Each webhook's rows are found through its own index range, so a long backlog costs a
 * claim nothing. On PostgreSQL rows another dispatcher is claiming are skipped (FOR UPDATE SKIP LOCKED), the due
 * condition is checked again on the locked row, and every time is the database's clock.
 */
export async function claimDueDeliveries(db: Db, { leaseMs, perWebhook, limit, busy, startAfter }: ClaimOptions): Promise<ClaimedDelivery[]> {
  return inTransaction(db, async (trx) => {
    const now = databaseTimeIn(trx)
    let enabled = trx.selectFrom('webhooks').select(['id', 'url', 'secret']).where(sql<boolean>`${sql.ref('enabled')}`).orderBy('id')
    if (busy.length > 0) enabled = enabled.where('id', 'not in', busy)
    const claimed: Omit<ClaimedDelivery, 'event'>[] = []
    for (const webhook of roundFrom(await enabled.execute(), startAfter)) {
      const room = Math.min(perWebhook, limit - claimed.length)
      if (room <= 0) break
      const due = trx
        .selectFrom('webhook_deliveries')
        .select('id')
        .where('webhook_id', '=', webhook.id)
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('leased_until', 'is', null), eb('leased_until', '<=', now)]))
        .orderBy('next_attempt_at')
        .limit(room)
      const deliveries = await trx
        .updateTable('webhook_deliveries')
        .set((eb) => ({ attempts: eb('attempts', '+', 1), leased_until: databaseTimeIn(trx, leaseMs) }))
        .where('id', 'in', isPostgres(trx) ? due.forUpdate().skipLocked() : due)
        .returningAll()
        .execute()
      for (const delivery of deliveries) claimed.push({ delivery, webhook })
    }
    const eventIds = claimed.flatMap(({ delivery }) => (delivery.event_id === null ? [] : [delivery.event_id]))
    const events = eventIds.length === 0 ? [] : await trx.selectFrom('events').selectAll().where('id', 'in', eventIds).execute()
    const eventsById = new Map(events.map((event) => [event.id, event]))
    return claimed.map((claim) => ({ ...claim, event: claim.delivery.event_id === null ? undefined : eventsById.get(claim.delivery.event_id) }))
  })
}

/** The webhooks in id order, starting after `startAfter` and wrapping round. */
function roundFrom<T extends { id: number }>(webhooks: T[], startAfter: number): T[] {
  const first = webhooks.findIndex((webhook) => webhook.id > startAfter)
  return first <= 0 ? webhooks : [...webhooks.slice(first), ...webhooks.slice(0, first)]
}

/** What one attempt came to. */
export type AttemptOutcome =
  | { ok: true; status: number }
  | { ok: false; status: number | null; error: string; /** ms until the retry; undefined: the delivery fails */ retryInMs: number | undefined }

/** What one attempt came to; `attempts` is the count its claim gave the delivery. */
export interface Attempt {
  id: number
  attempts: number
  outcome: AttemptOutcome
}

/**
 * Records the outcomes of a lane's attempts in one transaction, and ends their leases: the successes with one
 * statement per answer status, each failure with its own. Only the claim that made an attempt writes its outcome:
 * `attempts` is the claim's own count, and when the lease ran out and another dispatcher claimed the delivery again,
 * the count has moved on and this outcome, now stale, is not written over that claim's.
 */
export async function recordAttempts(db: Db, attempts: readonly Attempt[]): Promise<void> {
  const successes = new Map<number, Attempt[]>()
  for (const attempt of attempts) {
    if (attempt.outcome.ok) successes.set(attempt.outcome.status, [...(successes.get(attempt.outcome.status) ?? []), attempt])
  }
  await inTransaction(db, async (trx) => {
    for (const [status, succeeded] of successes) {
      await trx
        .updateTable('webhook_deliveries')
        .set({ status: 'succeeded', leased_until: null, next_attempt_at: null, last_status_code: status, last_error: null, delivered_at: databaseTimeIn(trx) })
        .where((eb) => eb.or(succeeded.map(({ id, attempts: n }) => eb.and([eb('id', '=', id), eb('attempts', '=', n)]))))
        .execute()
    }
    for (const { id, attempts: n, outcome } of attempts) {
      if (outcome.ok) continue
      const { retryInMs } = outcome
      await trx
        .updateTable('webhook_deliveries')
        .set({
          status: retryInMs === undefined ? 'failed' : 'pending',
          leased_until: null,
          next_attempt_at: retryInMs === undefined ? null : databaseTimeIn(trx, retryInMs),
          last_status_code: outcome.status,
          last_error: outcome.error.slice(0, 500),
        })
        .where('id', '=', id)
        .where('attempts', '=', n)
        .execute()
    }
  })
}
