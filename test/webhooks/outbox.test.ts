import { describe, expect, it } from 'vitest'
import type { Db } from '../../src/db/database.js'
import { claimDueDeliveries, recordAttempts, type ClaimOptions } from '../../src/webhooks/outbox.repository.js'
import { createWebhook, deleteWebhook, listDeliveries, purgeDeletedWebhooks, retryDelivery, sendTest } from '../../src/webhooks/webhooks.service.js'
import { dbPerTest } from '../helpers/query-plans.js'

// The outbox's claims, on both databases: a lease that a manual retry cannot cut short, outcomes written only for
// the claim that made the attempt, webhooks taking turns, and a deletion in two steps.

const freshDb = dbPerTest()
const POLICY = { allowPrivate: false }
const claimOptions: ClaimOptions = { leaseMs: 60_000, perWebhook: 4, limit: 64, busy: [], startAfter: 0 }

async function webhookWithTests(db: Db, count: number) {
  const webhook = await createWebhook(db, { url: 'http://93.184.216.34/hook', events: ['*'] }, POLICY)
  const deliveries = []
  for (let i = 0; i < count; i++) deliveries.push(await sendTest(db, webhook.id))
  return { webhook, deliveries }
}

describe('the webhook outbox', () => {
  it('a manual retry of a delivery in flight starts no second attempt beside it; its outcome stands', async () => {
    const { db } = await freshDb()
    const { webhook, deliveries } = await webhookWithTests(db, 1)
    const [claim] = await claimDueDeliveries(db, claimOptions)
    expect(claim?.delivery).toMatchObject({ id: deliveries[0]!.id, attempts: 1 })

    await retryDelivery(db, webhook.id, deliveries[0]!.id)
    expect(await claimDueDeliveries(db, claimOptions)).toEqual([])

    await recordAttempts(db, [{ id: claim!.delivery.id, attempts: claim!.delivery.attempts, outcome: { ok: true, status: 204 } }])
    expect(await listDeliveries(db, webhook.id, {})).toMatchObject([{ status: 'succeeded', attempts: 1, last_status_code: 204 }])
  })

  it('an attempt whose lease ran out does not write its outcome over the claim that took the delivery since', async () => {
    const { db } = await freshDb()
    const { webhook } = await webhookWithTests(db, 1)
    const [first] = await claimDueDeliveries(db, { ...claimOptions, leaseMs: -1000 })
    const [second] = await claimDueDeliveries(db, claimOptions)
    expect([first?.delivery.attempts, second?.delivery.attempts]).toEqual([1, 2])

    await recordAttempts(db, [{ id: first!.delivery.id, attempts: first!.delivery.attempts, outcome: { ok: false, status: 500, error: 'the receiver answered 500', retryInMs: 5000 } }])
    expect(await claimDueDeliveries(db, claimOptions)).toEqual([])
    await recordAttempts(db, [{ id: second!.delivery.id, attempts: second!.delivery.attempts, outcome: { ok: true, status: 200 } }])
    expect(await listDeliveries(db, webhook.id, {})).toMatchObject([{ status: 'succeeded', attempts: 2, last_status_code: 200, last_error: null }])
  })

  it('a failed attempt makes the delivery due again after the delay, and the last one fails it', async () => {
    const { db } = await freshDb()
    const { webhook } = await webhookWithTests(db, 1)
    const [claim] = await claimDueDeliveries(db, claimOptions)
    await recordAttempts(db, [{ id: claim!.delivery.id, attempts: 1, outcome: { ok: false, status: null, error: 'connect ECONNREFUSED', retryInMs: 60_000 } }])
    expect(await claimDueDeliveries(db, claimOptions)).toEqual([])
    const [pending] = await listDeliveries(db, webhook.id, {})
    expect(pending).toMatchObject({ status: 'pending', attempts: 1, last_error: 'connect ECONNREFUSED' })
    expect(Date.parse(pending!.next_attempt_at!) - Date.now()).toBeGreaterThan(50_000)

    await retryDelivery(db, webhook.id, claim!.delivery.id)
    const [again] = await claimDueDeliveries(db, claimOptions)
    await recordAttempts(db, [{ id: again!.delivery.id, attempts: 2, outcome: { ok: false, status: 410, error: 'the receiver answered 410', retryInMs: undefined } }])
    expect(await listDeliveries(db, webhook.id, {})).toMatchObject([{ status: 'failed', attempts: 2, next_attempt_at: null }])
  })

  it('webhooks take turns: a claim starts after the webhook claimed for last and wraps round', async () => {
    const { db } = await freshDb()
    const hooks = [await webhookWithTests(db, 8), await webhookWithTests(db, 8), await webhookWithTests(db, 8)]
    const ids = hooks.map((h) => h.webhook.id)
    const claimedFor = async (startAfter: number) => {
      const claimed = await claimDueDeliveries(db, { ...claimOptions, limit: 4, startAfter, leaseMs: -1000 })
      return [...new Set(claimed.map((c) => c.webhook.id))]
    }
    expect(await claimedFor(0)).toEqual([ids[0]])
    expect(await claimedFor(ids[0]!)).toEqual([ids[1]])
    expect(await claimedFor(ids[1]!)).toEqual([ids[2]])
    expect(await claimedFor(ids[2]!)).toEqual([ids[0]])
  })

  it('a deleted webhook is gone at once, gets no new deliveries, and its rows are removed', async () => {
    const { db } = await freshDb()
    const { webhook } = await webhookWithTests(db, 3)
    const { webhook: kept } = await webhookWithTests(db, 1)
    await deleteWebhook(db, webhook.id)
    expect(await db.selectFrom('webhook_deliveries').select('webhook_id').execute()).toEqual([{ webhook_id: kept.id }])
    expect(await db.selectFrom('webhooks').select('id').execute()).toEqual([{ id: kept.id }])
  })

  it('a deletion that stopped half way (a crash) is finished by the pruning job, and claims skip it meanwhile', async () => {
    const { db } = await freshDb()
    const { webhook } = await webhookWithTests(db, 3)
    await db.updateTable('webhooks').set({ deleted_at: new Date().toISOString(), enabled: 0 }).where('id', '=', webhook.id).execute()
    expect(await claimDueDeliveries(db, claimOptions)).toEqual([])
    await purgeDeletedWebhooks(db)
    expect(await db.selectFrom('webhook_deliveries').select('id').execute()).toEqual([])
    expect(await db.selectFrom('webhooks').select('id').execute()).toEqual([])
  })
})
