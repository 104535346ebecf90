import { sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/auth/api-keys.service.js'
import type { Event } from '../../src/events/events.schemas.js'
import { pruneEvents } from '../../src/events/events.service.js'
import { queueSweep } from '../../src/jobs.js'
import { injectTransport, testClient, withApiKey, type TestClient } from '../helpers/api-client.js'
import { uniqueName } from '../helpers/factories.js'
import { expectError } from '../helpers/http-assertions.js'
import { createTestApp, type TestApp } from '../helpers/test-app.js'

// SPEC.md part 2, "Events": every change of a contact's operator or status, recorded with the change.

let t: TestApp | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

/** A fresh app, with an admin key on every request: the actor the events record. */
async function setup(): Promise<{ api: TestClient; keyId: number; t: TestApp }> {
  t = await createTestApp({ random: () => 0 })
  const { key, apiKey } = await createApiKey(t.db, { name: uniqueName('admin'), role: 'admin', source_ids: null })
  return { api: testClient(withApiKey(injectTransport(t.app), key)), keyId: apiKey.id, t }
}

/** What an event says, without the id and time. */
const said = ({ type, contact_id, operator_id, previous_operator_id, reason, actor }: Event) => ({
  type,
  contact_id,
  operator_id,
  previous_operator_id,
  reason,
  actor,
})

const feed = async (api: TestClient, query = '') => api.expectStatus<Event[]>(200, 'GET', `/events?limit=1000${query}`)

describe('every change of a contact writes its event', () => {
  it('registration, the queue, a supervisor, a shift end, a deletion and a close, each with its reason and actor', async () => {
    const { api, keyId } = await setup()
    const anna = await api.createOperator({ max_load: 1 })
    const boris = await api.createOperator({ max_load: 1 })
    const source = await api.createSource()
    await api.setWeights(source.id, [[anna.id, 1]])
    const first = await api.registerContact({ source_id: source.id })
    const second = await api.registerContact({ source_id: source.id })
    expect([first.operator_id, second.operator_id]).toEqual([anna.id, null])

    await api.expectStatus(200, 'POST', `/contacts/${first.id}/assign`, { operator_id: boris.id }) // anna's room goes to `second`
    await api.expectStatus(200, 'POST', `/contacts/${first.id}/assign`, { operator_id: null }) // nobody else may take it: it waits
    await api.expectStatus(200, 'PATCH', `/contacts/${second.id}`, { status: 'closed' }) // anna's room goes to `first`
    await api.expectStatus(200, 'POST', `/operators/${anna.id}/requeue`, undefined)
    await api.expectStatus(200, 'PATCH', `/operators/${anna.id}`, { is_active: true })
    await api.expectStatus(204, 'DELETE', `/operators/${anna.id}`)

    const actor = keyId
    const events = await feed(api)
    expect(events.map(said)).toEqual([
      { type: 'contact.created', contact_id: first.id, operator_id: anna.id, previous_operator_id: null, reason: 'registration', actor },
      { type: 'contact.created', contact_id: second.id, operator_id: null, previous_operator_id: null, reason: 'registration', actor },
      { type: 'contact.reassigned', contact_id: first.id, operator_id: boris.id, previous_operator_id: anna.id, reason: 'manual', actor },
      { type: 'contact.assigned', contact_id: second.id, operator_id: anna.id, previous_operator_id: null, reason: 'queue', actor },
      { type: 'contact.unassigned', contact_id: first.id, operator_id: null, previous_operator_id: boris.id, reason: 'manual', actor },
      { type: 'contact.closed', contact_id: second.id, operator_id: anna.id, previous_operator_id: anna.id, reason: 'closed', actor },
      { type: 'contact.assigned', contact_id: first.id, operator_id: anna.id, previous_operator_id: null, reason: 'queue', actor },
      { type: 'contact.unassigned', contact_id: first.id, operator_id: null, previous_operator_id: anna.id, reason: 'operator_requeued', actor },
      { type: 'contact.assigned', contact_id: first.id, operator_id: anna.id, previous_operator_id: null, reason: 'queue', actor },
      { type: 'contact.unassigned', contact_id: first.id, operator_id: null, previous_operator_id: anna.id, reason: 'operator_deleted', actor },
    ])
    const ids = events.map((e) => e.id)
    expect(ids).toEqual([...ids].sort((a, b) => a - b))
    for (const event of events) {
      expect(event).toMatchObject({ lead_id: event.contact_id === first.id ? first.lead_id : second.lead_id, source_id: source.id })
      expect(Date.parse(event.occurred_at)).not.toBeNaN()
    }
  })

  it("a returning lead's contact sent to its last operator says sticky", async () => {
    const { api } = await setup()
    const [anna, boris] = [await api.createOperator(), await api.createOperator()]
    const source = await api.createSource(undefined, { prefer_last_operator: true })
    await api.setWeights(source.id, [[anna.id, 1], [boris.id, 1]])
    const first = await api.registerContact({ source_id: source.id, external_id: 'returning' })
    await api.expectStatus(200, 'POST', `/contacts/${first.id}/assign`, { operator_id: boris.id })
    const again = await api.registerContact({ source_id: source.id, external_id: 'returning' })
    expect(again.operator_id).toBe(boris.id)
    expect((await feed(api, `&contact_id=${again.id}`)).map((e) => e.reason)).toEqual(['sticky'])
  })

  it('a forced assignment past the limit, and one to an operator with room, are manual', async () => {
    const { api } = await setup()
    const full = await api.createOperator({ max_load: 0 })
    const source = await api.createSource()
    const contact = await api.registerContact({ source_id: source.id })
    await api.expectStatus(200, 'POST', `/contacts/${contact.id}/assign`, { operator_id: full.id, force: true })
    expect((await feed(api, `&contact_id=${contact.id}`)).map((e) => [e.type, e.reason, e.operator_id])).toEqual([
      ['contact.created', 'registration', null],
      ['contact.assigned', 'manual', full.id],
    ])
  })

  it('the queue sweep records no actor, and a request without a key neither', async () => {
    t = await createTestApp({ random: () => 0 })
    const api = testClient(injectTransport(t.app))
    const operator = await api.createOperator({ is_active: false })
    const source = await api.createSource()
    await api.setWeights(source.id, [[operator.id, 1]])
    const contact = await api.registerContact({ source_id: source.id })
    expect(contact.operator_id).toBeNull()
    // The operator switched on behind the API's back (as on another instance): only the sweep gives the contact out.
    await t.db.updateTable('operators').set({ is_active: 1 }).where('id', '=', operator.id).execute()
    await queueSweep(t.db, () => 0, 0).run()
    expect((await feed(api, `&contact_id=${contact.id}`)).map((e) => [e.type, e.reason, e.actor])).toEqual([
      ['contact.created', 'registration', null],
      ['contact.assigned', 'queue', null],
    ])
  })

  it('a refused change writes no event; closing twice writes one', async () => {
    const { api } = await setup()
    const full = await api.createOperator({ max_load: 0 })
    const source = await api.createSource()
    const contact = await api.registerContact({ source_id: source.id })
    const before = await feed(api)
    expectError(await api.post(`/contacts/${contact.id}/assign`, { operator_id: full.id }), 409, 'OPERATOR_AT_CAPACITY')
    expectError(await api.post(`/contacts/${contact.id}/assign`, { operator_id: 999_999 }), 404, 'NOT_FOUND')
    expect(await feed(api)).toEqual(before)
    await api.expectStatus(200, 'PATCH', `/contacts/${contact.id}`, { status: 'closed' })
    await api.expectStatus(200, 'PATCH', `/contacts/${contact.id}`, { status: 'closed' })
    expectError(await api.post(`/contacts/${contact.id}/assign`, { operator_id: null }), 409, 'CONTACT_CLOSED')
    expect((await feed(api)).slice(before.length).map((e) => e.type)).toEqual(['contact.closed'])
  })
})

describe('GET /events', () => {
  /** Three contacts of two sources and two operators: created, one moved, one closed. */
  async function history(api: TestClient) {
    const [anna, boris] = [await api.createOperator(), await api.createOperator()]
    const [one, two] = [await api.createSource(), await api.createSource()]
    await api.setWeights(one.id, [[anna.id, 1]])
    await api.setWeights(two.id, [[boris.id, 1]])
    const a = await api.registerContact({ source_id: one.id })
    const b = await api.registerContact({ source_id: two.id })
    const c = await api.registerContact({ source_id: one.id })
    await api.expectStatus(200, 'POST', `/contacts/${c.id}/assign`, { operator_id: boris.id })
    await api.expectStatus(200, 'PATCH', `/contacts/${a.id}`, { status: 'closed' })
    return { anna, boris, one, two, a, b, c }
  }

  it('pages by the cursor: after the last id seen, limit at a time, nothing twice and nothing skipped', async () => {
    const { api } = await setup()
    await history(api)
    const all = await feed(api)
    expect(all).toHaveLength(5)
    const seen: Event[] = []
    for (let after = 0; ; ) {
      const page = await api.expectStatus<Event[]>(200, 'GET', `/events?after=${after}&limit=2`)
      if (page.length === 0) break
      expect(page.length).toBeLessThanOrEqual(2)
      seen.push(...page)
      after = page.at(-1)!.id
    }
    expect(seen).toEqual(all)
    expect(await api.expectStatus(200, 'GET', `/events?after=${all.at(-1)!.id}`)).toEqual([])
  })

  it('filters by type, contact, source and operator (as the new or the previous one)', async () => {
    const { api } = await setup()
    const { anna, boris, two, a, b, c } = await history(api)
    const ids = async (query: string) => (await feed(api, query)).map((e) => [e.type, e.contact_id])
    expect(await ids('&type=contact.closed')).toEqual([['contact.closed', a.id]])
    expect(await ids(`&contact_id=${c.id}`)).toEqual([['contact.created', c.id], ['contact.reassigned', c.id]])
    expect(await ids(`&source_id=${two.id}`)).toEqual([['contact.created', b.id]])
    expect(await ids(`&operator_id=${anna.id}`)).toEqual([
      ['contact.created', a.id],
      ['contact.created', c.id],
      ['contact.reassigned', c.id],
      ['contact.closed', a.id],
    ])
    expect(await ids(`&operator_id=${boris.id}&type=contact.reassigned`)).toEqual([['contact.reassigned', c.id]])
  })

  it.each([
    ['after=-1', 'after'],
    ['after=x', 'after'],
    ['after=2147483648', 'after'],
    ['limit=0', 'limit'],
    ['limit=1001', 'limit'],
    ['type=contact.deleted', 'type'],
    ['contact_id=0', 'contact_id'],
    ['operator_id=abc', 'operator_id'],
  ])('refuses %s with 422 naming the field', async (query, field) => {
    const { api } = await setup()
    const response = await api.get(`/events?${query}`)
    expectError(response, 422, 'VALIDATION_ERROR')
    expect(response.body.detail[0].loc).toEqual(['query', field])
  })
})

describe('GET /contacts/{id}/events', () => {
  it("answers the contact's timeline, oldest first, and 404 for an unknown contact", async () => {
    const { api } = await setup()
    const operator = await api.createOperator()
    const source = await api.createSource()
    const contact = await api.registerContact({ source_id: source.id })
    await api.expectStatus(200, 'POST', `/contacts/${contact.id}/assign`, { operator_id: operator.id })
    await api.registerContact({ source_id: source.id })
    await api.expectStatus(200, 'PATCH', `/contacts/${contact.id}`, { status: 'closed' })
    const timeline = await api.expectStatus<Event[]>(200, 'GET', `/contacts/${contact.id}/events`)
    expect(timeline.map((e) => e.type)).toEqual(['contact.created', 'contact.assigned', 'contact.closed'])
    expect(timeline).toEqual(await feed(api, `&contact_id=${contact.id}`))
    expectError(await api.get('/contacts/999999/events'), 404, 'NOT_FOUND')
    expectError(await api.get('/contacts/0/events'), 422, 'VALIDATION_ERROR')
  })
})

describe('retention', () => {
  it('prunes events older than EVENT_RETENTION_DAYS in batches, and keeps the rest', async () => {
    const { api, t: app } = await setup()
    const source = await api.createSource()
    const kept = await api.registerContact({ source_id: source.id })
    const old = new Date(Date.now() - 31 * 86_400_000).toISOString()
    // 2,500 old events: more than one batch.
    await sql`insert into events (type, occurred_at, contact_id, lead_id, source_id, reason)
      select 'contact.closed', ${old}, ${kept.id}, ${kept.lead_id}, ${source.id}, 'closed' from (${sql.raw(numbers(2500))}) as n`.execute(app.db)
    // Finished deliveries as old go too (they hold a copy of the contact); pending ones stay to be sent.
    const webhook = await api.expectStatus(201, 'POST', '/webhooks', { url: 'http://93.184.216.34/hook', events: ['*'] })
    for (const status of ['succeeded', 'failed', 'pending'] as const) {
      await app.db.insertInto('webhook_deliveries').values({ webhook_id: webhook.id, event_id: null, event_type: 'webhook.test', payload: '{}', status, next_attempt_at: null, last_status_code: null, last_error: null, created_at: old, delivered_at: null }).execute()
    }
    expect(await pruneEvents(app.db, 30)).toBe(2500)
    expect((await feed(api)).map((e) => e.type)).toEqual(['contact.created'])
    expect((await app.db.selectFrom('webhook_deliveries').select('status').execute()).map((d) => d.status)).toEqual(['pending'])
    expect(await pruneEvents(app.db, 30)).toBe(0)
  })
})

/** A query of `count` rows, in both databases' SQL. */
function numbers(count: number): string {
  return `with recursive n(i) as (select 1 union all select i + 1 from n where i < ${count}) select i from n`
}
