import { CompiledQuery, sql, type Kysely } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.js'
import { closeContact, registerContact } from '../../src/contacts/contacts.service.js'
import { expiredKeyCleanup, registerContactOnce } from '../../src/contacts/idempotency.service.js'
import { createDb, type Db } from '../../src/db/database.js'
import { migrateToLatest } from '../../src/db/migrate.js'
import { replaceDistribution } from '../../src/distribution/distribution.service.js'
import { createOperator } from '../../src/operators/operators.service.js'
import { createSource } from '../../src/sources/sources.service.js'
import { createTestDatabase, TEST_BACKEND, type TestDatabase } from '../helpers/test-database.js'

let database: TestDatabase | undefined
let db: Db | undefined
afterEach(async () => {
  await db?.destroy()
  await database?.drop()
})

/** Every statement of one registration and one close, as the database received them. */
async function hotPathQueries(): Promise<CompiledQuery[]> {
  database = await createTestDatabase('memory')
  const queries: CompiledQuery[] = []
  db = createDb(loadConfig({ DATABASE_URL: database.url }).database, {
    log: (event) => {
      if (event.level === 'query') queries.push(event.query)
    },
  })
  await migrateToLatest(db)
  const source = await createSource(db, { name: 'Bot' })
  const operators = await Promise.all([1, 2, 3].map((n) => createOperator(db!, { name: `Operator ${n}`, max_load: 5 })))
  await replaceDistribution(db, source.id, { operator_weights: operators.map((o) => ({ operator_id: o.id, weight: 1 })) })
  for (let i = 0; i < 5; i++) await registerContact(db, { external_id: `seed-${i}`, source_id: source.id }, Math.random)

  queries.length = 0
  const contact = await registerContact(db, { external_id: 'lead-1', source_id: source.id, phone: '+1' }, Math.random)
  await closeContact(db, contact.id)
  return queries.filter((q) => !/^(begin|commit|rollback)/i.test(q.sql))
}

async function sqliteScans(db: Kysely<any>, query: CompiledQuery): Promise<string[]> {
  const plan = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]))
  return plan.rows.map((row) => row.detail).filter((detail) => /^SCAN /.test(detail))
}

async function postgresSeqScans(db: Kysely<any>, query: CompiledQuery): Promise<string[]> {
  return db.connection().execute(async (connection) => {
    // Small test tables make a sequential scan the cheapest plan; forbidding it shows an index serves each query.
    await sql`set enable_seqscan = off`.execute(connection)
    const result = await connection.executeQuery<{ 'QUERY PLAN': unknown }>(
      CompiledQuery.raw(`explain (format json) ${query.sql}`, [...query.parameters]),
    )
    const scans: string[] = []
    const visit = (node: any) => {
      const type: string = node['Node Type']
      if (type === 'Seq Scan') scans.push(`Seq Scan on ${node['Relation Name']}`)
      // An index walked end to end, without a condition on its key, is a scan too.
      if (/Index (Only )?Scan$/.test(type) && !node['Index Cond']) scans.push(`full ${type} of ${node['Index Name']}`)
      for (const child of node.Plans ?? []) visit(child)
    }
    visit((result.rows[0]!['QUERY PLAN'] as any)[0].Plan)
    return scans
  })
}

describe(`query plans of the hot path (${TEST_BACKEND})`, () => {
  it('registering and closing a contact scan no table: every statement is served by a key or an index', async () => {
    const queries = await hotPathQueries()
    expect(queries.length).toBeGreaterThanOrEqual(8)
    for (const query of queries) {
      const scans = TEST_BACKEND === 'postgres' ? await postgresSeqScans(db!, query) : await sqliteScans(db!, query)
      expect(scans, query.sql).toEqual([])
    }
  })

  it('an Idempotency-Key claim, its completion, its replay and the expired-key cleanup scan no table', async () => {
    database = await createTestDatabase('memory')
    const queries: CompiledQuery[] = []
    db = createDb(loadConfig({ DATABASE_URL: database.url }).database, {
      log: (event) => {
        if (event.level === 'query') queries.push(event.query)
      },
    })
    await migrateToLatest(db)
    const source = await createSource(db, { name: 'Bot' })
    const registerOnce = (key: string) =>
      registerContactOnce(db!, { external_id: key, source_id: source.id }, Math.random, { ref: { scope: 0, key }, ttlHours: 24 })
    for (let i = 0; i < 5; i++) await registerOnce(`seed-${i}`)

    queries.length = 0
    await registerOnce('key')
    await registerOnce('key')
    const cleanup = expiredKeyCleanup(db, 24, (error) => {
      throw error
    })
    cleanup.maybeStart()
    await cleanup.settled()

    const keyQueries = queries.filter((q) => q.sql.includes('idempotency_keys'))
    expect(keyQueries).toHaveLength(5)
    for (const query of keyQueries) {
      const scans = TEST_BACKEND === 'postgres' ? await postgresSeqScans(db, query) : await sqliteScans(db, query)
      expect(scans, query.sql).toEqual([])
    }
  })
})
