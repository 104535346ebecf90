import { CompiledQuery, sql, type Kysely } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { createApiKey, findPrincipalByHash, hashApiKey, touchApiKey } from '../../src/auth/api-keys.service.js'
import { loadConfig } from '../../src/config.js'
import { createDb, type Db } from '../../src/db/database.js'
import { migrateToLatest } from '../../src/db/migrate.js'
import { createTestDatabase, TEST_BACKEND, type TestDatabase } from '../helpers/test-database.js'

let database: TestDatabase | undefined
let db: Db | undefined
afterEach(async () => {
  await db?.destroy()
  await database?.drop()
})

async function scans(query: CompiledQuery): Promise<string[]> {
  const any = db as Kysely<any>
  if (TEST_BACKEND === 'sqlite') {
    const plan = await any.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]))
    return plan.rows.map((row) => row.detail).filter((detail) => /^SCAN /.test(detail))
  }
  return any.connection().execute(async (connection) => {
    // A tiny table makes a sequential scan the cheapest plan; forbidding it shows an index serves the query.
    await sql`set enable_seqscan = off`.execute(connection)
    const result = await connection.executeQuery<{ 'QUERY PLAN': any }>(CompiledQuery.raw(`explain (format json) ${query.sql}`, [...query.parameters]))
    const found: string[] = []
    const visit = (node: any) => {
      if (node['Node Type'] === 'Seq Scan') found.push(`Seq Scan on ${node['Relation Name']}`)
      for (const child of node.Plans ?? []) visit(child)
    }
    visit(result.rows[0]!['QUERY PLAN'][0].Plan)
    return found
  })
}

describe(`API key queries on the request path (${TEST_BACKEND})`, () => {
  it('the lookup by hash and the last_used_at write are served by an index', async () => {
    database = await createTestDatabase('memory')
    const queries: CompiledQuery[] = []
    db = createDb(loadConfig({ DATABASE_URL: database.url }).database, {
      log: (event) => {
        if (event.level === 'query') queries.push(event.query)
      },
    })
    await migrateToLatest(db)
    const { key, apiKey } = await createApiKey(db, { name: 'bot', role: 'ingest' })

    queries.length = 0
    expect(await findPrincipalByHash(db, hashApiKey(key))).toMatchObject({ keyId: apiKey.id })
    await touchApiKey(db, apiKey.id)
    const requestPath = queries.splice(0)
    expect(requestPath).toHaveLength(2)
    for (const query of requestPath) expect(await scans(query), query.sql).toEqual([])
  })
})
