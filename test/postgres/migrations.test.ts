import { sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.js'
import { createDb, type Db } from '../../src/db/database.js'
import { migrateToLatest } from '../../src/db/migrate.js'
import { migrations } from '../../src/db/migrations/index.js'
import { createPostgresSchema, type TestDatabase } from '../helpers/test-database.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function schemaDb(): Promise<{ db: Db; database: TestDatabase }> {
  const database = await createPostgresSchema()
  const db = createDb(loadConfig({ DATABASE_URL: database.url }).database)
  cleanups.push(() => database.drop(), () => db.destroy())
  return { db, database }
}

const tablesOf = async (db: Db) =>
  (await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() order by 1`.execute(db)).rows.map((r) => r.name)

describe('migrations on PostgreSQL', () => {
  it("migrate each schema on its own, even when another schema already holds Kysely's bookkeeping", async () => {
    const first = await schemaDb()
    const second = await schemaDb()
    expect(await migrateToLatest(first.db)).toEqual(Object.keys(migrations))
    expect(await migrateToLatest(second.db)).toEqual(Object.keys(migrations))
    expect(await tablesOf(second.db)).toEqual([
      'api_keys',
      'contact_tallies',
      'contacts',
      'events',
      'idempotency_key_quotas',
      'idempotency_keys',
      'kysely_migration',
      'kysely_migration_lock',
      'leads',
      'operators',
      'source_operator_weights',
      'sources',
      'webhook_deliveries',
      'webhooks',
    ])
  })

  it('apply once when several processes migrate at once', async () => {
    const { database } = await schemaDb()
    const dbs = Array.from({ length: 4 }, () => createDb(loadConfig({ DATABASE_URL: database.url }).database))
    cleanups.push(() => Promise.all(dbs.map((db) => db.destroy())).then(() => undefined))
    const applied = await Promise.all(dbs.map((db) => migrateToLatest(db)))
    expect(applied.flat()).toEqual(Object.keys(migrations))
  })
})
