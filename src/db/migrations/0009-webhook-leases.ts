import type { Kysely } from 'kysely'

// Frozen in time: this file never imports application code. One migration serves SQLite and PostgreSQL.

function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter.constructor.name === 'PostgresAdapter'
}

/**
 * - `webhook_deliveries.leased_until`: a dispatcher's claim on a delivery, apart from when it is due, so that a
 *   manual retry of a delivery in flight cannot hand it to a second dispatcher.
 * - `webhooks.deleted_at`: a webhook is deleted in two steps. It is marked (and disabled) at once, an update that
 *   does not touch its key, so the events' fan-out never waits on it; its deliveries are then removed in short
 *   batches and the row last.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const timestamp = isPostgres(db) ? 'timestamptz' : 'text'
  await db.schema.alterTable('webhook_deliveries').addColumn('leased_until', timestamp).execute()
  await db.schema.alterTable('webhooks').addColumn('deleted_at', timestamp).execute()
}
