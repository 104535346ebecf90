import type { Kysely } from 'kysely'

// Frozen in time: this file never imports application code. One migration serves SQLite and PostgreSQL.

function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter.constructor.name === 'PostgresAdapter'
}

/**
 * Idempotency-Key values seen by POST /contacts/, per scope (the API key's id, 0 without one): the hash of
 * the request body, the contact it created and the answer given, so a retry is answered the same way.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('idempotency_keys')
    .addColumn('scope', 'integer', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    // No foreign key: with one, SQLite plans a search of this table on every contact insert, and the
    // contact is created in the same transaction as the key and never deleted.
    .addColumn('contact_id', 'integer')
    .addColumn('response', 'text')
    .addColumn('created_at', isPostgres(db) ? 'timestamptz' : 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['scope', 'key'])
    .execute()
  // Expired keys are deleted oldest first, a batch at a time; this index finds them without a scan.
  await db.schema.createIndex('idempotency_keys_created_at_idx').on('idempotency_keys').column('created_at').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('idempotency_keys').execute()
}
