import type { Kysely } from 'kysely'

// Frozen in time: this file never imports application code. One migration serves SQLite and PostgreSQL.

function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter.constructor.name === 'PostgresAdapter'
}

/**
 * The event log: one row per change of a contact's operator or status, written in the change's transaction.
 * A log, not a relation: no foreign keys, so pruning old events and the hot path never check other tables.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = isPostgres(db)
  await db.schema
    .createTable('events')
    .addColumn('id', 'integer', (c) => (postgres ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement()))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('occurred_at', postgres ? 'timestamptz' : 'text', (c) => c.notNull())
    .addColumn('contact_id', 'integer', (c) => c.notNull())
    .addColumn('lead_id', 'integer', (c) => c.notNull())
    .addColumn('source_id', 'integer', (c) => c.notNull())
    .addColumn('operator_id', 'integer')
    .addColumn('previous_operator_id', 'integer')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('actor', 'integer')
    .execute()
  // A contact's timeline; and the retention's batches, oldest first, without a scan.
  await db.schema.createIndex('events_contact_idx').on('events').columns(['contact_id', 'id']).execute()
  await db.schema.createIndex('events_occurred_at_idx').on('events').column('occurred_at').execute()
}
