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
  for (let attempt = 1; ; attempt++) {
    const { error, results = [] } = await migrator.migrateToLatest()
    const failed = results.find((r) => r.status === 'Error')
    if (error === undefined) return results.filter((r) => r.status === 'Success').map((r) => r.migrationName)
    if (failed === undefined && attempt < CATALOG_RACE_ATTEMPTS && isCatalogRace(error)) continue
    const reason = error instanceof Error ? error.message : 'unknown error'
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${reason}`, { cause: error })
  }
}

const CATALOG_RACE_ATTEMPTS = 5

/**
 * Before taking its lock, Kysely's migrator lists the tables of every schema in the database; a schema or table
 * that another client drops meanwhile (another deployment, a test run) fails that listing on PostgreSQL. Nothing
 * has been changed then, so the whole run is simply tried again.
 */
function isCatalogRace(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === '3F000' || code === '42P01'
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
