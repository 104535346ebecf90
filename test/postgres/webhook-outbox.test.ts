import { sql } from 'kysely'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { registerContact } from '../../src/contacts/contacts.service.js'
import { replaceDistribution } from '../../src/distribution/distribution.service.js'
import { createOperator } from '../../src/operators/operators.service.js'
import { createSource } from '../../src/sources/sources.service.js'
import { claimDueDeliveries, recordAttempts } from '../../src/webhooks/outbox.repository.js'
import { createWebhook, deleteWebhook, listDeliveries, sendTest } from '../../src/webhooks/webhooks.service.js'
import { dbPerTest } from '../helpers/query-plans.js'

// The outbox on PostgreSQL, where instances share the database but not a clock, and deleting a webhook must not
// hold up the events that fan out while it goes.

const freshDb = dbPerTest()
const claimOptions = { leaseMs: 60_000, perWebhook: 4, limit: 64, busy: [], startAfter: 0 }
const POLICY = { allowPrivate: false }

afterEach(() => {
  vi.useRealTimers()
})

/** Moves this instance's clock (Date only) by `ms`, as on a machine whose clock is off. */
function skewClock(ms: number) {
  vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + ms })
}

describe('the webhook outbox on PostgreSQL', () => {
  it("leases and retries are timed by the database's clock, not by an instance's", async () => {
    const { db } = await freshDb()
    const webhook = await createWebhook(db, { url: 'http://93.184.216.34/hook', events: ['*'] }, POLICY)
    const delivery = await sendTest(db, webhook.id)

    skewClock(-3_600_000)
    const [claim] = await claimDueDeliveries(db, claimOptions)
    expect(claim?.delivery.id).toBe(delivery.id)
    await recordAttempts(db, [{ id: delivery.id, attempts: 1, outcome: { ok: false, status: 503, error: 'the receiver answered 503', retryInMs: 300_000 } }])

    // An instance an hour ahead would find the retry due at once if the slow instance had timed it.
    skewClock(3_600_000)
    expect(await claimDueDeliveries(db, claimOptions)).toEqual([])
    const { due } = await sql<{ due: boolean }>`select next_attempt_at > now() + interval '4 minutes' as due from webhook_deliveries`.execute(db).then((r) => r.rows[0]!)
    expect(due).toBe(true)

    // Made due again by hand, claimed by the instance ahead: its lease holds for the one an hour behind.
    await db.updateTable('webhook_deliveries').set({ next_attempt_at: sql<string>`now()` }).execute()
    expect(await claimDueDeliveries(db, claimOptions)).toHaveLength(1)
    skewClock(-3_600_000)
    expect(await claimDueDeliveries(db, claimOptions)).toEqual([])
  })

  it('deleting a webhook with a backlog never holds up the events that fan out meanwhile', async () => {
    const { db } = await freshDb()
    const source = await createSource(db, { name: 'Bot' })
    const operator = await createOperator(db, { name: 'A', max_load: 100 })
    await replaceDistribution(db, source.id, { operator_weights: [{ operator_id: operator.id, weight: 1 }] }, () => 0)
    const webhook = await createWebhook(db, { url: 'http://93.184.216.34/hook', events: ['*'] }, POLICY)
    const backlog = await sendTest(db, webhook.id)

    // Another transaction holds a delivery of the webhook, so its deletion waits there, part way.
    const holder = await db.startTransaction().execute()
    await holder.selectFrom('webhook_deliveries').select('id').where('id', '=', backlog.id).forUpdate().execute()
    const deletion = deleteWebhook(db, webhook.id)
    await new Promise((resolve) => setTimeout(resolve, 200))

    // A registration's event fans out while the deletion waits: it must not wait on the webhook being deleted.
    const registered = await Promise.race([
      registerContact(db, { external_id: 'during', source_id: source.id }, () => 0),
      new Promise<'stalled'>((resolve) => setTimeout(() => { resolve('stalled'); }, 5000)),
    ])
    expect(registered).not.toBe('stalled')
    await holder.commit().execute()
    await deletion

    expect(await db.selectFrom('webhooks').select('id').execute()).toEqual([])
    expect(await db.selectFrom('webhook_deliveries').select('id').execute()).toEqual([])
    await expect(listDeliveries(db, webhook.id, {})).rejects.toMatchObject({ statusCode: 404 })
  })
})
