import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fetchClient, type TestClient } from '../helpers/api-client.js'
import { uniqueName } from '../helpers/factories.js'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js'
import { createTestDatabase } from '../helpers/test-database.js'

// One real server process on a SQLite file or a PostgreSQL schema (several pooled connections); every test
// arranges its own data on it.
let server: ServerProcess | undefined
let api: TestClient
let cleanup: (() => Promise<void>) | undefined

beforeAll(async () => {
  const database = await createTestDatabase('file')
  cleanup = database.drop
  server = await startServerProcess({ DATABASE_URL: database.url, DATABASE_POOL_SIZE: '10' })
  api = fetchClient(server.url)
})

afterAll(async () => {
  await server?.stop('SIGTERM')
  await cleanup?.()
})

async function postWithKey(key: string, payload: object) {
  const response = await api.call('POST', '/contacts/', payload, { 'idempotency-key': key })
  return { status: response.status, replayed: response.headers['idempotent-replayed'] ?? null, body: response.body }
}

describe('concurrent requests with one Idempotency-Key against one real server', () => {
  it('50 at once make exactly one contact, one lead and one taken slot, and all answer it', async () => {
    const source = await api.createSource()
    const operator = await api.createOperator({ max_load: 100 })
    await api.setWeights(source.id, [[operator.id, 1]])
    const key = uniqueName('key')
    const body = { external_id: uniqueName('lead'), source_id: source.id, phone: '+79001234567' }

    const responses = await Promise.all(Array.from({ length: 50 }, () => postWithKey(key, body)))

    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(201))
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(1)
    expect(responses.filter((r) => r.replayed === null)).toHaveLength(1)
    expect(responses.filter((r) => r.replayed === 'true')).toHaveLength(49)
    for (const response of responses) expect(response.body).toEqual(responses[0]!.body)

    const contacts = await api.listAll(`/contacts/?source_id=${source.id}`)
    expect(contacts.map((c) => c.id)).toEqual([responses[0]!.body.id])
    expect((await api.getOperator(operator.id)).current_load).toBe(1)
    expect((await api.listAll('/leads/')).filter((lead) => lead.external_id === body.external_id)).toHaveLength(1)
    const stats = await api.contactStats()
    expect(stats.by_source.find((row: any) => row.source_id === source.id)).toMatchObject({ total: 1, active: 1 })
  })

  it('one key with two different bodies at once: one contact; its body is replayed, the other answers 422', async () => {
    const source = await api.createSource()
    const key = uniqueName('key')
    const bodies = [
      { external_id: uniqueName('lead-a'), source_id: source.id },
      { external_id: uniqueName('lead-b'), source_id: source.id },
    ]

    const responses = await Promise.all(Array.from({ length: 40 }, (_, i) => postWithKey(key, bodies[i % 2]!)))

    const created = responses.filter((r) => r.status === 201)
    const rejected = responses.filter((r) => r.status !== 201)
    expect(created).toHaveLength(20)
    expect(rejected.map((r) => [r.status, r.body.code])).toEqual(Array(20).fill([422, 'IDEMPOTENCY_KEY_REUSED']))
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1)
    expect(new Set(created.map((r) => r.body.lead.external_id)).size).toBe(1)
    expect(await api.listAll(`/contacts/?source_id=${source.id}`)).toHaveLength(1)
  })

  it('many keys at once, each sent five times: one contact per key, the limit holds', async () => {
    const source = await api.createSource()
    const operators = [await api.createOperator({ max_load: 7 }), await api.createOperator({ max_load: 5 })]
    await api.setWeights(source.id, [[operators[0]!.id, 1], [operators[1]!.id, 1]])
    const keys = Array.from({ length: 30 }, () => uniqueName('key'))
    const requests = keys.flatMap((key) => Array.from({ length: 5 }, () => ({ key, body: { external_id: key, source_id: source.id } })))

    const responses = await Promise.all(requests.map(({ key, body }) => postWithKey(key, body).then((r) => ({ key, ...r }))))

    expect(responses.map((r) => r.status)).toEqual(Array(150).fill(201))
    for (const key of keys) {
      const mine = responses.filter((r) => r.key === key)
      expect(new Set(mine.map((r) => r.body.id)).size).toBe(1)
      expect(mine.filter((r) => r.replayed === null)).toHaveLength(1)
    }
    const contacts = await api.listAll(`/contacts/?source_id=${source.id}`)
    expect(contacts).toHaveLength(30)
    expect(contacts.filter((c) => c.operator_id !== null)).toHaveLength(12)
    for (const operator of operators) {
      const { current_load, max_load } = await api.getOperator(operator.id)
      expect(current_load).toBe(max_load)
      expect(contacts.filter((c) => c.operator_id === operator.id)).toHaveLength(max_load)
    }
  })
})
