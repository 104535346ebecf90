import type { CompiledQuery } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { closeContact, getContact, registerContact } from '../../src/contacts/contacts.service.js'
import { expiredKeyCleanup, registerContactOnce } from '../../src/contacts/idempotency.service.js'
import type { Db } from '../../src/db/database.js'
import { replaceDistribution } from '../../src/distribution/distribution.service.js'
import { createOperator } from '../../src/operators/operators.service.js'
import { createSource } from '../../src/sources/sources.service.js'
import { claimDueDeliveries } from '../../src/webhooks/outbox.repository.js'
import { createWebhook, sendTest } from '../../src/webhooks/webhooks.service.js'
import { recordingTestDb, tableScans } from '../helpers/query-plans.js'
import { TEST_BACKEND, type TestDatabase } from '../helpers/test-database.js'

let database: TestDatabase | undefined
let db: Db | undefined
afterEach(async () => {
  await db?.destroy()
  await database?.drop()
})

/**
 * Every statement of one registration that waits (with sticky routing on) and one close whose freed slot goes to
 * that waiting contact (the queue drain), as the database received them.
 */
async function hotPathQueries(): Promise<CompiledQuery[]> {
  const recording = await recordingTestDb()
  ;({ db, database } = recording)
  const { queries } = recording
  const source = await createSource(db, { name: 'Bot', prefer_last_operator: true })
  await createSource(db, { name: 'Other bot' })
  const operators = await Promise.all([1, 2, 3].map((n) => createOperator(db!, { name: `Operator ${n}`, max_load: 2 })))
  await replaceDistribution(db, source.id, { operator_weights: operators.map((o) => ({ operator_id: o.id, weight: 1 })) }, Math.random)
  const held = []
  for (let i = 0; i < 6; i++) held.push(await registerContact(db, { external_id: `seed-${i}`, source_id: source.id }, Math.random))

  queries.length = 0
  const waiting = await registerContact(db, { external_id: 'seed-0', source_id: source.id, phone: '+1' }, Math.random)
  await closeContact(db, held[0]!.id, Math.random)
  expect((await getContact(db, waiting.id)).operator_id).toBe(held[0]!.operator_id)
  return queries.filter((q) => !/^(begin|commit|rollback|savepoint|release)/i.test(q.sql))
}

/** The tables a registration and a close touch: a plan is checked for each, whatever statements reach them. */
const HOT_PATH_TABLES = ['sources', 'source_operator_weights', 'operators', 'leads', 'contacts', 'contact_tallies', 'events']

/**
 * The queue head is found by walking the sources (few; each offers its oldest waiting contact through the partial
 * index contacts_waiting_idx): that walk is the one scan allowed, of the sources table only.
 */
const isSourceWalk = (scan: string) => /^SCAN s\b|^Seq Scan on sources$|^full Index (Only )?Scan of sources_pkey$/.test(scan)

describe(`query plans of the hot path (${TEST_BACKEND})`, () => {
  it('registering, closing a contact and draining the queue scan no table but the sources walk', async () => {
    const queries = await hotPathQueries()
    for (const table of HOT_PATH_TABLES) expect(queries.some((q) => q.sql.includes(`"${table}"`)), table).toBe(true)
    for (const query of queries) {
      expect((await tableScans(db!, query)).filter((scan) => !isSourceWalk(scan)), query.sql).toEqual([])
    }
  })

  it("the webhook dispatcher's claim of due deliveries scans no table", async () => {
    const recording = await recordingTestDb()
    ;({ db, database } = recording)
    const { queries } = recording
    const webhook = await createWebhook(db, { url: 'http://93.184.216.34/hook', events: ['*'] }, { allowPrivate: false })
    for (let i = 0; i < 5; i++) await sendTest(db, webhook.id)
    queries.length = 0
    expect(await claimDueDeliveries(db, { leaseMs: 60_000, perWebhook: 4, limit: 10, busy: [], startAfter: 0 })).toHaveLength(4)
    const claims = queries.filter((q) => q.sql.includes('webhook_deliveries'))
    expect(claims.length).toBeGreaterThan(0)
    for (const query of claims) expect(await tableScans(db, query), query.sql).toEqual([])
  })

  it('an Idempotency-Key claim, its count, its completion, its replay and the expired-key cleanup scan no table', async () => {
    const recording = await recordingTestDb()
    ;({ db, database } = recording)
    const { queries } = recording
    const source = await createSource(db, { name: 'Bot' })
    const registerOnce = (key: string) =>
      registerContactOnce(db!, { external_id: key, source_id: source.id }, Math.random, { ref: { scope: 0, key }, ttlHours: 24 })
    for (let i = 0; i < 5; i++) await registerOnce(`seed-${i}`)

    queries.length = 0
    await registerOnce('key')
    await registerOnce('key')
    await expiredKeyCleanup(db, 24)

    // The key's insert, its client's count, its answer; the replay's insert and read; the cleanup's delete.
    const keyQueries = queries.filter((q) => q.sql.includes('idempotency_key'))
    expect(keyQueries).toHaveLength(6)
    for (const query of keyQueries) {
      expect(await tableScans(db, query), query.sql).toEqual([])
    }
  })
})
