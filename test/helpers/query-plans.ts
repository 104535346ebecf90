import { CompiledQuery, sql, type Kysely } from 'kysely'
import { afterEach } from 'vitest'
import { loadConfig } from '../../src/config.js'
import { createDb, type Db } from '../../src/db/database.js'
import { migrateToLatest } from '../../src/db/migrate.js'
import { createTestDatabase, TEST_BACKEND, type TestDatabase } from './test-database.js'

/** A migrated test database that records every query it runs, for checking their plans. */
export async function recordingTestDb(): Promise<{ db: Db; database: TestDatabase; queries: CompiledQuery[] }> {
  const database = await createTestDatabase('memory')
  const queries: CompiledQuery[] = []
  const db = createDb(loadConfig({ DATABASE_URL: database.url }).database, {
    log: (event) => {
      if (event.level === 'query') queries.push(event.query)
    },
  })
  await migrateToLatest(db)
  return { db, database, queries }
}

/** A recording test database for each test of a file, destroyed and dropped after the test: call `dbPerTest()` beside the imports. */
export function dbPerTest(): () => Promise<{ db: Db; queries: CompiledQuery[] }> {
  let current: Awaited<ReturnType<typeof recordingTestDb>> | undefined
  afterEach(async () => {
    await current?.db.destroy()
    await current?.database.drop()
    current = undefined
  })
  return async () => {
    current = await recordingTestDb()
    return current
  }
}

/** The table scans in the plan of a query (none when every table is reached by a key or an index). */
export async function tableScans(db: Db, query: CompiledQuery): Promise<string[]> {
  return TEST_BACKEND === 'postgres' ? postgresScans(db as Kysely<any>, query) : sqliteScans(db as Kysely<any>, query)
}

async function sqliteScans(db: Kysely<any>, query: CompiledQuery): Promise<string[]> {
  const plan = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]))
  const details = plan.rows.map((row) => row.detail)
  // A subquery's rows, read back from where SQLite computed them (a co-routine), are no table scan.
  const computed = new Set(details.flatMap((detail) => /^(?:CO-ROUTINE|MATERIALIZE) (.+)$/.exec(detail)?.[1] ?? []))
  return details.filter((detail) => /^SCAN /.test(detail) && !computed.has(detail.slice('SCAN '.length)))
}

async function postgresScans(db: Kysely<any>, query: CompiledQuery): Promise<string[]> {
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
