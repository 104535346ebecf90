import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fetchClient, type TestClient } from '../helpers/api-client.js'
import { arrangeChurn, expectSettledInvariants, runChurn, switchAllOn } from '../helpers/queue-churn.js'
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js'

// The waiting queue under churn, on real processes sharing one database: 2 on one SQLite file, or 3 on PostgreSQL.
const SWEEP_MS = 300
let database: TestDatabase
const servers: ServerProcess[] = []
let clients: TestClient[] = []

beforeAll(async () => {
  database = await createTestDatabase('file')
  const instances = database.url.startsWith('postgres') ? 3 : 2
  // One starts first and migrates, the others join.
  servers.push(await startServerProcess({ DATABASE_URL: database.url, QUEUE_SWEEP_INTERVAL_MS: String(SWEEP_MS) }))
  servers.push(...(await Promise.all(Array.from({ length: instances - 1 }, () => startServerProcess({ DATABASE_URL: database.url, QUEUE_SWEEP_INTERVAL_MS: String(SWEEP_MS) })))))
  clients = servers.map((s) => fetchClient(s.url))
}, 60_000)

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop('SIGTERM')))
  await database.drop()
})

describe('the waiting queue under a churn of every change, on several instances', () => {
  it('settles with nobody waiting while someone may take it, no operator over its limit, loads and tallies exact', { timeout: 120_000 }, async () => {
    const setup = await arrangeChurn(clients[0]!)
    const statuses = await runChurn(clients, setup, { seed: 7, rounds: 8, perRound: 60 })
    // The churn reached every kind of change, and assigns that succeeded.
    expect([...statuses.keys()].sort()).toEqual(['assign', 'close', 'deactivate', 'distribution', 'raise', 'register', 'requeue'])
    expect(statuses.get('assign')!.filter((s) => s === 200).length).toBeGreaterThan(0)

    await switchAllOn(clients[1 % clients.length]!, setup)
    await new Promise((resolve) => setTimeout(resolve, 3 * SWEEP_MS))
    for (const client of clients) await expectSettledInvariants(client)
    const stats = await clients[0]!.contactStats()
    expect(stats.waiting_contacts, 'the churn left a queue to check against').toBeGreaterThan(0)
  })
})
