import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fetchClient, type TestClient } from '../helpers/api-client.js'
import { uniqueName } from '../helpers/factories.js'
import { tempDatabase } from '../helpers/run-process.js'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js'

// Two real processes on one SQLite file, as during a rolling restart or with a second instance on the host.
let servers: ServerProcess[] = []
let a: TestClient
let b: TestClient
let cleanup: (() => Promise<void>) | undefined

beforeAll(async () => {
  const database = await tempDatabase('crm-multi-')
  cleanup = database.cleanup
  // Both start at once on a fresh file, so they also race to migrate it.
  const started = await Promise.allSettled([
    startServerProcess({ DATABASE_URL: database.url }),
    startServerProcess({ DATABASE_URL: database.url }),
  ])
  servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
  for (const s of started) if (s.status === 'rejected') throw s.reason
  a = fetchClient(servers[0]!.url)
  b = fetchClient(servers[1]!.url)
})

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop('SIGTERM')))
  servers = []
  await cleanup?.()
})

describe('two server processes sharing one SQLite file', () => {
  it('both started on a fresh file at once: the schema was migrated exactly once', () => {
    const migrated = servers.filter((s) => s.logs.some((line) => line.includes('"database migrated"')))
    expect(migrated).toHaveLength(1)
  })

  it('registrations through both, at once, fill operators exactly to max_load, one lead per external_id, no errors', async () => {
    const source = await a.createSource()
    const small = await a.createOperator({ max_load: 3 })
    const large = await b.createOperator({ max_load: 4 })
    await b.setWeights(source.id, [[small.id, 1], [large.id, 2]])
    const externalIds = Array.from({ length: 40 }, (_, i) => uniqueName(`shared-${i}`))

    // 200 requests, every external_id sent 5 times, alternating between the two processes.
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        (i % 2 === 0 ? a : b).post('/contacts/', { external_id: externalIds[i % 40], source_id: source.id }),
      ),
    )

    expect(responses.filter((r) => r.status !== 201).map((r) => [r.status, r.body])).toEqual([])
    expect(responses.filter((r) => r.body.operator_id === small.id)).toHaveLength(3)
    expect(responses.filter((r) => r.body.operator_id === large.id)).toHaveLength(4)
    expect(responses.filter((r) => r.body.operator_id === null)).toHaveLength(193)
    for (const client of [a, b]) {
      expect((await client.getOperator(small.id)).current_load).toBe(3)
      expect((await client.getOperator(large.id)).current_load).toBe(4)
    }
    const leads = (await a.listAll('/leads/')).filter((lead) => externalIds.includes(lead.external_id))
    expect(leads).toHaveLength(40)
    for (const externalId of externalIds) {
      const leadIds = new Set(responses.filter((r) => r.body.lead.external_id === externalId).map((r) => r.body.lead_id))
      expect(leadIds.size).toBe(1)
    }
    expect(await b.listAll(`/contacts/?source_id=${source.id}`)).toHaveLength(200)
  })

  it('closes of one contact through both processes free the slot once; closes and new contacts interleaved stay exact', async () => {
    const source = await a.createSource()
    const operator = await a.createOperator({ max_load: 4 })
    await a.setWeights(source.id, [[operator.id, 1]])
    const contacts: any[] = []
    for (let i = 0; i < 4; i += 1) contacts.push(await (i % 2 ? a : b).registerContact({ source_id: source.id }))
    expect(contacts.every((c) => c.operator_id === operator.id)).toBe(true)

    const closes = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).patch(`/contacts/${contacts[0].id}`, { status: 'closed' })),
    )
    expect(closes.map((r) => r.status)).toEqual(Array(40).fill(200))
    expect((await b.getOperator(operator.id)).current_load).toBe(3)

    const mixed = await Promise.all([
      ...contacts.slice(1).map((c, i) => (i % 2 ? a : b).patch(`/contacts/${c.id}`, { status: 'closed' })),
      ...Array.from({ length: 40 }, (_, i) => (i % 2 ? b : a).post('/contacts/', { external_id: uniqueName('mixed'), source_id: source.id })),
    ])
    expect(mixed.filter((r) => r.status !== 200 && r.status !== 201)).toEqual([])
    const { current_load } = await a.getOperator(operator.id)
    const active = await b.listAll(`/contacts/?operator_id=${operator.id}&status=active`)
    expect(current_load).toBe(active.length)
    // SQLite runs the write transactions of both processes one at a time, and each close gives its slot to a
    // waiting contact in its own: with 40 arrivals for 4 slots, the operator ends full and the rest wait.
    expect(current_load).toBe(4)
    expect(await b.listAll(`/contacts/?source_id=${source.id}&status=active&assigned=false`)).toHaveLength(36)
  })
})
