import { afterEach, describe, expect, it } from 'vitest'
import { closeContact } from '../../src/contacts/contacts.service.js'
import type { Event } from '../../src/events/events.schemas.js'
import { apiClient, type TestClient } from '../helpers/api-client.js'
import { createTestApp, type TestApp } from '../helpers/test-app.js'

// On PostgreSQL event ids are drawn when an event is written, and transactions commit in any order: the feed must
// never serve an id while an earlier one may still commit, or a consumer polling with the last id it saw skips it.

let t: TestApp | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

async function eventIdsInDatabase(app: TestApp): Promise<number[]> {
  return (await app.db.selectFrom('events').select('id').orderBy('id').execute()).map((row) => row.id)
}

/** A consumer as SPEC.md describes it: polls with the last id it saw, checking every page ascends past it. */
function consumer(api: TestClient, limit: number) {
  const seen: number[] = []
  let cursor = 0
  return {
    seen,
    async poll(): Promise<Event[]> {
      const page = await api.expectStatus<Event[]>(200, 'GET', `/events?after=${cursor}&limit=${limit}`)
      for (const event of page) {
        expect(event.id, `page after ${cursor}: ${page.map((e) => e.id).join(',')}`).toBeGreaterThan(cursor)
        cursor = event.id
        seen.push(event.id)
      }
      return page
    },
    async drain(): Promise<void> {
      while ((await this.poll()).length > 0);
    },
  }
}

describe('the event feed on PostgreSQL with concurrent writers', () => {
  it('serves no event while one with a smaller id is still uncommitted, and skips nothing once it commits', async () => {
    t = await createTestApp({ random: () => 0 })
    const api = apiClient(t.app)
    const operator = await api.createOperator({ max_load: 5 })
    const source = await api.createSource()
    await api.setWeights(source.id, [[operator.id, 1]])
    const first = await api.registerContact({ source_id: source.id })
    // Another source and operator for the later registration, so it waits on no row the held close has locked.
    const [otherOperator, otherSource] = [await api.createOperator(), await api.createSource()]
    await api.setWeights(otherSource.id, [[otherOperator.id, 1]])
    const reader = consumer(api, 100)
    await reader.drain()

    // A close that draws the next event id and stays uncommitted; a registration draws the one after and commits.
    const held = await t.db.startTransaction().execute()
    await closeContact(held, first.id, () => 0)
    const later = await api.registerContact({ source_id: otherSource.id })
    const [drawnFirst, drawnLater] = (await held.selectFrom('events').select('id').orderBy('id', 'desc').limit(2).execute()).map((e) => e.id).reverse()

    const page = reader.poll()
    await new Promise((resolve) => setTimeout(resolve, 300))
    await held.commit().execute()
    // Either both, in order, once the close committed, or neither (the feed gave up waiting): never the later alone.
    const served = (await page).map((e) => e.id)
    expect([[], [drawnFirst, drawnLater]]).toContainEqual(served)
    await reader.drain()
    expect(reader.seen).toEqual(await eventIdsInDatabase(t))
    expect((await api.get(`/contacts/${later.id}/events`)).body.map((e: Event) => e.id)).toEqual([drawnLater])
  })

  it('skips nothing when the uncommitted event belongs to the younger transaction (the older one committed past it)', async () => {
    t = await createTestApp({ random: () => 0 })
    const api = apiClient(t.app)
    // Two sources with an operator each: the two transactions below lock no row in common.
    const [anna, boris] = [await api.createOperator({ max_load: 5 }), await api.createOperator({ max_load: 5 })]
    const [one, two] = [await api.createSource(), await api.createSource()]
    await api.setWeights(one.id, [[anna.id, 1]])
    await api.setWeights(two.id, [[boris.id, 1]])
    const [a, b] = [await api.registerContact({ source_id: one.id }), await api.registerContact({ source_id: two.id })]
    const reader = consumer(api, 100)
    await reader.drain()

    // `older` writes first (the smaller xid); `younger` writes next and draws the next event id; then `older` draws
    // the one after and commits, so the highest completed xid is below the younger, still running, transaction.
    const older = await t.db.startTransaction().execute()
    await older.updateTable('sources').set({ name: 'older writes first' }).where('id', '=', two.id).execute()
    const younger = await t.db.startTransaction().execute()
    await closeContact(younger, a.id, () => 0)
    await closeContact(older, b.id, () => 0)
    await older.commit().execute()

    const page = reader.poll()
    await new Promise((resolve) => setTimeout(resolve, 300))
    await younger.commit().execute()
    const served = (await page).map((e) => e.id)
    const [first, second] = (await eventIdsInDatabase(t)).slice(-2)
    expect([[], [first, second]]).toContainEqual(served)
    await reader.drain()
    expect(reader.seen).toEqual(await eventIdsInDatabase(t))
  })

  it('a consumer polling through a burst of parallel changes sees every event once, in ascending id', async () => {
    t = await createTestApp({ env: { DATABASE_POOL_SIZE: '8' } })
    const api = apiClient(t.app)
    const operators = [await api.createOperator({ max_load: 3 }), await api.createOperator({ max_load: 3 })]
    const source = await api.createSource()
    await api.setWeights(source.id, operators.map((o) => [o.id, 1]))
    const reader = consumer(api, 7)
    const burst = { writing: true }
    const polling = (async () => {
      while (burst.writing) await reader.poll()
    })()

    // Eight writers at once: registrations (some wait), closes that drain the queue, hand-backs and moves.
    const writer = async (w: number) => {
      for (let i = 0; i < 12; i++) {
        const contact = await api.registerContact({ source_id: source.id })
        if (i % 3 === 0) await api.expectStatus(200, 'PATCH', `/contacts/${contact.id}`, { status: 'closed' })
        else if (i % 3 === 1) await api.expectStatus(200, 'POST', `/contacts/${contact.id}/assign`, { operator_id: null })
        else await api.expectStatus(200, 'POST', `/contacts/${contact.id}/assign`, { operator_id: operators[w % 2]!.id, force: true })
      }
    }
    await Promise.all(Array.from({ length: 8 }, (_, w) => writer(w)))
    burst.writing = false
    await polling
    await reader.drain()

    const all = await eventIdsInDatabase(t)
    // At least each registration and each close.
    expect(all.length).toBeGreaterThanOrEqual(8 * 12 + 8 * 4)
    expect(reader.seen).toEqual(all)
  })
})
