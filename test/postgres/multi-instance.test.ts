import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fetchClient, type TestClient } from '../helpers/api-client.js'
import { uniqueName } from '../helpers/factories.js'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js'
import { createPostgresSchema, type TestDatabase } from '../helpers/test-database.js'

// Three stateless instances on one PostgreSQL database, as behind a load balancer.
const INSTANCES = 3
let database: TestDatabase
let servers: ServerProcess[] = []
let clients: TestClient[] = []

beforeAll(async () => {
  database = await createPostgresSchema()
  // All three start at once against the empty schema, so they race to migrate it.
  const started = await Promise.allSettled(
    Array.from({ length: INSTANCES }, () => startServerProcess({ DATABASE_URL: database.url, DATABASE_POOL_SIZE: '8' })),
  )
  servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
  for (const s of started) if (s.status === 'rejected') throw s.reason
  clients = servers.map((s) => fetchClient(s.url))
}, 60_000)

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop('SIGTERM')))
  await database.drop()
})

const anyClient = (i: number) => clients[i % clients.length]!

describe(`${INSTANCES} instances on one PostgreSQL database`, () => {
  it('started at once on an empty database: exactly one migrated it, and all serve', async () => {
    const migrated = servers.filter((s) => s.logs.some((line) => line.includes('"database migrated"')))
    expect(migrated).toHaveLength(1)
    for (const client of clients) expect((await client.get('/health')).body).toMatchObject({ status: 'ok', database: 'ok' })
  })

  it('600 concurrent registrations across all instances fill every operator exactly to its limit', async () => {
    const sources = [await anyClient(0).createSource(), await anyClient(1).createSource()]
    const operators = await Promise.all([1, 2, 3, 4, 5, 2, 3, 1].map((max_load, i) => anyClient(i).createOperator({ max_load })))
    const idle = await anyClient(2).createOperator({ max_load: 50, is_active: false })
    await anyClient(0).setWeights(sources[0]!.id, [...operators.slice(0, 5).map((o, i) => [o.id, i + 1] as [number, number]), [idle.id, 10]])
    await anyClient(1).setWeights(sources[1]!.id, operators.slice(3).map((o) => [o.id, 1] as [number, number]))
    const capacity = operators.reduce((n, o) => n + o.max_load, 0)

    // 600 requests over 150 external ids (each sent 4 times), round-robin over the instances.
    const externalIds = Array.from({ length: 150 }, (_, i) => uniqueName(`lead-${i}`))
    const responses = await Promise.all(
      Array.from({ length: 600 }, (_, i) =>
        anyClient(i).post('/contacts/', { external_id: externalIds[i % 150], source_id: sources[i % 2]!.id }),
      ),
    )
    expect(responses.filter((r) => r.status !== 201)).toEqual([])

    const contacts = await anyClient(0).listAll('/contacts/')
    const created = contacts.filter((c) => responses.some((r) => r.body.id === c.id))
    expect(created).toHaveLength(600)
    expect(created.filter((c) => c.operator_id !== null)).toHaveLength(capacity)

    for (const operator of [...operators, idle]) {
      const stored = await anyClient(1).getOperator(operator.id)
      const active = created.filter((c) => c.operator_id === operator.id && c.status === 'active').length
      expect(stored.current_load).toBe(active)
      expect(stored.current_load).toBe(operator.id === idle.id ? 0 : operator.max_load)
    }

    const leads = await anyClient(2).listAll('/leads/')
    for (const externalId of externalIds) expect(leads.filter((l) => l.external_id === externalId)).toHaveLength(1)
    const leadIds = new Set(created.map((c) => c.lead_id))
    expect(leadIds.size).toBe(150)
  })

  it('concurrent closes and registrations across instances keep current_load exact, without deadlock errors', async () => {
    const source = await anyClient(0).createSource()
    const operators = await Promise.all([3, 3, 3].map((max_load) => anyClient(1).createOperator({ max_load })))
    await anyClient(2).setWeights(source.id, operators.map((o) => [o.id, 1] as [number, number]))
    const first = await Promise.all(Array.from({ length: 9 }, (_, i) => anyClient(i).registerContact({ source_id: source.id })))

    const mixed = await Promise.all([
      ...first.map((c, i) => anyClient(i).patch(`/contacts/${c.id}`, { status: 'closed' })),
      ...first.map((c, i) => anyClient(i + 1).patch(`/contacts/${c.id}`, { status: 'closed' })),
      ...Array.from({ length: 30 }, (_, i) => anyClient(i).post('/contacts/', { external_id: uniqueName('x'), source_id: source.id })),
    ])
    expect(mixed.filter((r) => r.status >= 300)).toEqual([])

    for (const operator of operators) {
      const stored = await anyClient(0).getOperator(operator.id)
      const active = await anyClient(0).listAll(`/contacts/?operator_id=${operator.id}&status=active`)
      expect(stored.current_load).toBe(active.length)
      expect(stored.current_load).toBeLessThanOrEqual(operator.max_load)
    }
  })

  it('concurrent distribution replacements of one source all succeed and leave one whole set', async () => {
    const source = await anyClient(0).createSource()
    const operators = await Promise.all([1, 2, 3].map(() => anyClient(1).createOperator()))
    const sets = Array.from({ length: 12 }, (_, i) => operators.map((o, j) => ({ operator_id: o.id, weight: i * 10 + j })))
    const responses = await Promise.all(
      sets.map((operator_weights, i) => anyClient(i).post(`/sources/${source.id}/distribution`, { operator_weights })),
    )
    expect(responses.map((r) => r.status)).toEqual(sets.map(() => 200))
    const final = (await anyClient(2).get(`/sources/${source.id}/distribution`)).body
    const finalSet = final.map((w: any) => ({ operator_id: w.operator_id, weight: w.weight }))
    const byOperator = (a: { operator_id: number }, b: { operator_id: number }) => a.operator_id - b.operator_id
    expect(sets.map((set) => [...set].sort(byOperator))).toContainEqual(finalSet)
  })
})
