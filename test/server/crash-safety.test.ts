import { afterEach, describe, expect, it } from 'vitest'
import { fetchClient, type TestClient } from '../helpers/api-client.js'
import { expectEventsToReplay } from '../helpers/event-replay.js'
import { uniqueName } from '../helpers/factories.js'
import { serverFleet, type ServerProcess } from '../helpers/server-process.js'
import { createTestDatabase, TEST_BACKEND } from '../helpers/test-database.js'

// The server is killed with SIGKILL in the middle of a burst of registrations and closes, then restarted on the
// same database (a SQLite file or a PostgreSQL schema). Whatever the timing, what was acknowledged must be
// there and what was not must be either whole or absent. No assertion depends on when the kill lands.

const ROUNDS = 3
const WORKERS = 16
/** The kill comes when this many requests of the round have been answered; the other workers are mid-request. */
const ANSWERS_BEFORE_KILL = 60
const MAX_LOADS = [3, 2, 4, 1]

const fleet = serverFleet()
const { start, stop } = fleet

afterEach(() => fleet.afterEachTest())

interface Acknowledged {
  id: number
  external_id: string
  operator_id: number | null
}

/** What the client knows: the answers it got, and every registration it sent (answered or not). */
interface ClientRecord {
  registered: Map<number, Acknowledged>
  closed: Set<number>
  /** Every external_id sent, with whether the request carried an Idempotency-Key (the external_id itself). */
  sent: Map<string, { keyed: boolean }>
  /** Registrations sent with a key and never answered: retried after the restart. */
  unanswered: Set<string>
}

async function postContact(url: string, externalId: string, sourceId: number, keyed: boolean) {
  const response = await fetch(`${url}/contacts/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(keyed && { 'idempotency-key': externalId }) },
    body: JSON.stringify({ external_id: externalId, source_id: sourceId }),
    signal: AbortSignal.timeout(15_000),
  })
  return { status: response.status, replayed: response.headers.get('idempotent-replayed'), body: (await response.json()) as any }
}

/**
 * Workers send registrations (every other one with an Idempotency-Key) and closes of acknowledged contacts back
 * to back; after ANSWERS_BEFORE_KILL answers the server is killed while the other workers wait on theirs.
 */
async function burstThenKill(server: ServerProcess, sourceId: number, record: ClientRecord): Promise<void> {
  let answers = 0
  let killed = false
  const kill = () => {
    killed = true
    server.child.kill('SIGKILL')
  }
  const worker = async (w: number) => {
    for (let i = 0; !killed; i++) {
      const open = [...record.registered.values()].filter((c) => c.operator_id !== null && !record.closed.has(c.id))
      const target = i % 4 === 3 ? open[(w * 7 + i) % Math.max(open.length, 1)] : undefined
      try {
        if (target) {
          const response = await fetch(`${server.url}/contacts/${target.id}`, {
            method: 'PATCH',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ status: 'closed' }),
            signal: AbortSignal.timeout(15_000),
          })
          if (response.status === 200) record.closed.add(target.id)
        } else {
          const externalId = uniqueName(`crash-w${w}`)
          const keyed = i % 2 === 0
          record.sent.set(externalId, { keyed })
          if (keyed) record.unanswered.add(externalId)
          const response = await postContact(server.url, externalId, sourceId, keyed)
          if (response.status === 201) {
            const { id, operator_id } = response.body as Acknowledged
            record.registered.set(id, { id, external_id: externalId, operator_id })
            record.unanswered.delete(externalId)
          }
        }
      } catch {
        // The server died under this request: unacknowledged, so it may or may not have happened.
        return
      }
      answers += 1
      if (answers === ANSWERS_BEFORE_KILL) kill()
    }
  }
  await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)))
  await stop(server, 'SIGKILL')
  expect(server.child.signalCode).toBe('SIGKILL')
}

/** Everything the restarted server shows agrees with what was acknowledged and with itself. */
async function expectConsistent(api: TestClient, sourceId: number, operatorIds: number[], record: ClientRecord, webhookId: number): Promise<void> {
  const contacts = await api.listAll('/contacts/')
  const byId = new Map(contacts.map((c) => [c.id as number, c]))

  // Every acknowledged registration is stored as acknowledged; every acknowledged close is closed.
  for (const ack of record.registered.values()) {
    const stored = byId.get(ack.id)
    expect(stored, `acknowledged contact ${ack.id} lost`).toBeDefined()
    // A contact acknowledged as waiting may have been given an operator since, when a close freed a slot.
    const operatorId = ack.operator_id === null && stored.operator_id !== null && operatorIds.includes(stored.operator_id) ? null : stored.operator_id
    expect({ id: stored.id, external_id: stored.lead.external_id, operator_id: operatorId }).toEqual(ack)
    if (record.closed.has(ack.id)) expect(stored.status).toBe('closed')
  }

  // Nothing half-written: every contact is one the client sent, whole (its lead and source), and one per lead.
  for (const contact of contacts) {
    expect(record.sent.has(contact.lead.external_id), `contact ${contact.id} was never sent`).toBe(true)
    expect(contact.lead).toMatchObject({ id: contact.lead_id })
    expect(contact.source).toMatchObject({ id: sourceId })
    expect(contact.operator === null).toBe(contact.operator_id === null)
    expect(['active', 'closed']).toContain(contact.status)
    expect(contact.status === 'closed').toBe(contact.closed_at !== null)
  }
  // Every change committed its event with it, and nothing else did: the log replays to the contacts.
  const events: any[] = []
  for (;;) {
    const page = await api.expectStatus<any[]>(200, 'GET', `/events?after=${events.at(-1)?.id ?? 0}&limit=1000`)
    if (page.length === 0) break
    events.push(...page)
  }
  expectEventsToReplay(contacts, events, 'after the restart')
  // And each event has its one delivery to the webhook subscribed to everything: the outbox row of its transaction.
  const deliveries = await api.listAll(`/webhooks/${webhookId}/deliveries`)
  const byNumber = (a: number, b: number) => a - b
  expect(deliveries.map((d) => d.event_id as number).sort(byNumber)).toEqual(events.map((e) => e.id as number))

  const leads = await api.listAll('/leads/')
  expect(leads.map((l) => l.id).sort(byNumber)).toEqual(contacts.map((c) => c.lead_id).sort(byNumber))

  // Loads, limits and the running tallies match the contacts.
  const active = contacts.filter((c) => c.status === 'active')
  const stats = await api.contactStats()
  expect(stats).toMatchObject({
    total_contacts: contacts.length,
    active_contacts: active.length,
    closed_contacts: contacts.length - active.length,
    unassigned_contacts: contacts.filter((c) => c.operator_id === null).length,
    waiting_contacts: active.filter((c) => c.operator_id === null).length,
  })
  expect(stats.by_source).toEqual([
    expect.objectContaining({
      source_id: sourceId,
      total: contacts.length,
      active: active.length,
      waiting: active.filter((c) => c.operator_id === null).length,
    }),
  ])
  for (const operatorId of operatorIds) {
    const operator = await api.getOperator(operatorId)
    const activeOfOperator = active.filter((c) => c.operator_id === operatorId).length
    expect({ operatorId, load: operator.current_load }).toEqual({ operatorId, load: activeOfOperator })
    expect(operator.current_load).toBeLessThanOrEqual(operator.max_load)
    expect(stats.by_operator.find((row: any) => row.operator_id === operatorId)).toMatchObject({
      total: contacts.filter((c) => c.operator_id === operatorId).length,
      active: activeOfOperator,
    })
    // Work-conserving: SQLite commits each close with the drain it triggered, or neither. (On PostgreSQL a
    // registration may start waiting just as a close frees room; the sweep, off here, is what catches that.)
    if (TEST_BACKEND === 'sqlite' && active.some((c) => c.operator_id === null)) {
      expect(operator.current_load, `operator ${operatorId} has room while contacts wait`).toBe(operator.max_load)
    }
  }
}

/** A client retrying its unanswered keyed registrations gets exactly one contact for each. */
async function retryUnanswered(api: TestClient, url: string, sourceId: number, record: ClientRecord): Promise<void> {
  for (const externalId of record.unanswered) {
    const response = await postContact(url, externalId, sourceId, true)
    expect(response.status).toBe(201)
    const { id, operator_id } = response.body as Acknowledged
    record.registered.set(id, { id, external_id: externalId, operator_id })
  }
  record.unanswered.clear()
  const contacts = await api.listAll('/contacts/')
  const perExternalId = new Map<string, number>()
  for (const c of contacts) perExternalId.set(c.lead.external_id, (perExternalId.get(c.lead.external_id) ?? 0) + 1)
  expect([...perExternalId.values()].every((n) => n === 1)).toBe(true)
}

describe('crash safety: SIGKILL in the middle of a burst', () => {
  it(`keeps every acknowledged write and nothing half-done, over ${ROUNDS} kills`, { timeout: 180_000 }, async () => {
    const database = await createTestDatabase('file')
    fleet.onCleanup(database.drop)
    // A receiver that is down: every delivery stays pending, in the outbox, for the check after each restart.
    const env = { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' }
    let server = await start(database.url, env)
    let api = fetchClient(server.url)
    const webhook = await api.expectStatus(201, 'POST', '/webhooks', { url: 'http://127.0.0.1:9/down', events: ['*'] })
    const source = await api.createSource()
    const operatorIds: number[] = []
    for (const max_load of MAX_LOADS) operatorIds.push((await api.createOperator({ max_load })).id)
    await api.setWeights(source.id, operatorIds.map((id, i) => [id, i + 1]))
    const record: ClientRecord = { registered: new Map(), closed: new Set(), sent: new Map(), unanswered: new Set() }

    for (let round = 1; round <= ROUNDS; round++) {
      await burstThenKill(server, source.id, record)

      server = await start(database.url, env)
      api = fetchClient(server.url)
      await expectConsistent(api, source.id, operatorIds, record, webhook.id)
      await retryUnanswered(api, server.url, source.id, record)
      await expectConsistent(api, source.id, operatorIds, record, webhook.id)
    }
    // The bursts did real work: contacts were assigned, closed and left waiting.
    const contacts = await api.listAll('/contacts/')
    expect(contacts.length).toBeGreaterThanOrEqual(ROUNDS * ANSWERS_BEFORE_KILL / 2)
    expect(record.closed.size).toBeGreaterThan(0)
    expect(contacts.some((c) => c.operator_id === null)).toBe(true)
  })
})
