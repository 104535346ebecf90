import { Migrator, PostgresAdapter, sql } from 'kysely'
import type { Db } from './database.js'
import { migrations } from './migrations/index.js'

/**
 * Applies every pending migration; throws with the failing migration's name if one fails. Safe when several
 * instances start at once: Kysely holds a database lock while migrating, so one applies and the others wait.
 */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
    ...(await postgresSchemaOf(db)),
  })
  const { error, results = [] } = await migrator.migrateToLatest()
  const failed = results.find((r) => r.status === 'Error')
  if (error !== undefined) {
    const reason = error instanceof Error ? error.message : 'unknown error'
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${reason}`, { cause: error })
  }
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName)
}

/**
 * On PostgreSQL the migration bookkeeping lives in the connection's current schema: without naming it,
 * Kysely takes migration tables found in any other schema of the database for its own.
 */
async function postgresSchemaOf(db: Db): Promise<{ migrationTableSchema?: string }> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return {}
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db)
  const schema = rows[0]?.schema
  return schema ? { migrationTableSchema: schema } : {}
}
