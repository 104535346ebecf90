import { Migrator, PostgresAdapter, sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/auth/api-keys.service.js'
import { expiredKeyCleanup } from '../../src/contacts/idempotency.service.js'
import { loadConfig } from '../../src/config.js'
import { createDb, type Db } from '../../src/db/database.js'
import { migrations } from '../../src/db/migrations/index.js'
import { apiClient } from '../helpers/api-client.js'
import { uniqueName } from '../helpers/factories.js'
import { expectError } from '../helpers/http-assertions.js'
import { createTestApp, type TestApp } from '../helpers/test-app.js'
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js'

let t: TestApp | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

const CAP = 3

async function appWithCap(cap = CAP) {
  t = await createTestApp({ env: { IDEMPOTENCY_KEYS_PER_CLIENT: String(cap) }, random: () => 0, authCacheTtlMs: 0 })
  const api = apiClient(t.app)
  const operator = await api.createOperator({ max_load: 100 })
  const source = await api.createSource()
  await api.setWeights(source.id, [[operator.id, 1]])
  return { api, operator, source }
}

async function post(key: string | undefined, body: object, apiKey?: string) {
  const response = await t!.app.inject({
    method: 'POST',
    url: '/contacts/',
    headers: { ...(key !== undefined && { 'idempotency-key': key }), ...(apiKey !== undefined && { authorization: `Bearer ${apiKey}` }) },
    payload: body,
  })
  return { status: response.statusCode, body: response.json(), headers: response.headers }
}

/** Rows per scope against the counts kept beside them. */
async function countsAndRows(db: Db) {
  const rows = await db.selectFrom('idempotency_keys').select(['scope', db.fn.countAll<string | number>().as('n')]).groupBy('scope').orderBy('scope').execute()
  const counts = await db.selectFrom('idempotency_key_quotas').select(['scope', 'key_count']).where('key_count', '>', 0).orderBy('scope').execute()
  return { rows: rows.map((r) => [r.scope, Number(r.n)]), counts: counts.map((c) => [c.scope, c.key_count]) }
}

async function ageKey(key: string, hours: number) {
  await t!.db.updateTable('idempotency_keys').set({ created_at: new Date(Date.now() - hours * 3_600_000).toISOString() }).where('key', '=', key).execute()
}

describe('IDEMPOTENCY_KEYS_PER_CLIENT bounds the keys one client holds', () => {
  it('answers 429 IDEMPOTENCY_KEY_LIMIT for a new key past the cap, storing nothing; replays and keyless requests go on', async () => {
    const { api, operator, source } = await appWithCap()
    const answers = []
    for (const key of ['k-1', 'k-2', 'k-3']) answers.push(await post(key, { external_id: key, source_id: source.id }))
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201])

    const refused = await post('k-4', { external_id: 'k-4', source_id: source.id })
    expectError(refused, 429, 'IDEMPOTENCY_KEY_LIMIT')
    expect((await api.get(`/operators/${operator.id}`)).body.current_load).toBe(3)
    expect((await api.get('/leads/')).body.map((l: { external_id: string }) => l.external_id)).toEqual(['k-1', 'k-2', 'k-3'])

    const replay = await post('k-2', { external_id: 'k-2', source_id: source.id })
    expect([replay.status, replay.headers['idempotent-replayed'], replay.body]).toEqual([201, 'true', answers[1]!.body])
    expect((await post(undefined, { external_id: 'no-key', source_id: source.id })).status).toBe(201)
    expect(await countsAndRows(t!.db)).toEqual({ rows: [[0, 3]], counts: [[0, 3]] })
  })

  it('counts each API key apart', async () => {
    const { source } = await appWithCap(1)
    const first = (await createApiKey(t!.db, { name: uniqueName('bot'), role: 'ingest' })).key
    const second = (await createApiKey(t!.db, { name: uniqueName('bot'), role: 'ingest' })).key
    expect((await post('a', { external_id: 'a', source_id: source.id }, first)).status).toBe(201)
    expect((await post('b', { external_id: 'b', source_id: source.id }, first)).status).toBe(429)
    expect((await post('a', { external_id: 'a2', source_id: source.id }, second)).status).toBe(201)
  })

  it('frees a place when an expired key is deleted, and lets an expired key be reused at the cap', async () => {
    const { source } = await appWithCap()
    for (const key of ['k-1', 'k-2', 'k-3']) await post(key, { external_id: key, source_id: source.id })
    await ageKey('k-1', 30)
    // Taking over an expired key adds no row: allowed at the cap.
    expect((await post('k-1', { external_id: 'k-1 again', source_id: source.id })).status).toBe(201)
    expect((await post('k-4', { external_id: 'k-4', source_id: source.id })).status).toBe(429)

    await ageKey('k-2', 30)
    await expiredKeyCleanup(t!.db, 24)
    expect(await countsAndRows(t!.db)).toEqual({ rows: [[0, 2]], counts: [[0, 2]] })
    expect((await post('k-4', { external_id: 'k-4', source_id: source.id })).status).toBe(201)
    expect((await post('k-5', { external_id: 'k-5', source_id: source.id })).status).toBe(429)
  })

  it('keeps counting with IDEMPOTENCY_KEYS_PER_CLIENT=0 (no cap), so a cap set later starts from the truth', async () => {
    const { source } = await appWithCap(0)
    for (let i = 0; i < 5; i++) expect((await post(`k-${i}`, { external_id: `k-${i}`, source_id: source.id })).status).toBe(201)
    expect(await countsAndRows(t!.db)).toEqual({ rows: [[0, 5]], counts: [[0, 5]] })
  })

  it('rolls the count back with a registration that fails', async () => {
    const { source } = await appWithCap()
    expect((await post('lost', { external_id: 'lost', source_id: source.id + 1000 })).status).toBe(404)
    expect(await countsAndRows(t!.db)).toEqual({ rows: [], counts: [] })
  })
})

describe('migration 0004-idempotency-key-quotas', () => {
  let database: TestDatabase | undefined
  let db: Db | undefined
  afterEach(async () => {
    await db?.destroy()
    await database?.drop()
  })

  it('counts the keys stored before it', async () => {
    database = await createTestDatabase('memory')
    db = createDb(loadConfig({ DATABASE_URL: database.url }).database)
    const schema = db.getExecutor().adapter instanceof PostgresAdapter
      ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s
      : undefined
    const migrator = new Migrator({ db, provider: { getMigrations: () => Promise.resolve(migrations) }, ...(schema && { migrationTableSchema: schema }) })
    expect((await migrator.migrateTo('0003-idempotency-keys')).error).toBeUndefined()
    const row = (scope: number, key: string) => ({ scope, key, request_hash: 'x', contact_id: null, response: '{}', created_at: new Date().toISOString() })
    await db.insertInto('idempotency_keys').values([row(0, 'a'), row(0, 'b'), row(7, 'a')]).execute()

    expect((await migrator.migrateToLatest()).error).toBeUndefined()
    expect(await countsAndRows(db)).toEqual({ rows: [[0, 2], [7, 1]], counts: [[0, 2], [7, 1]] })
  })
})
