import { sql, type Kysely } from 'kysely'

// Frozen in time: this file never imports application code. One migration serves SQLite and PostgreSQL.

/**
 * How many Idempotency-Key rows each scope (API key id, 0 without one) holds, kept in the transactions that add
 * and delete them, so a registration checks its client's cap by primary key instead of counting rows.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('idempotency_key_quotas')
    .addColumn('scope', 'integer', (c) => c.primaryKey())
    .addColumn('key_count', 'integer', (c) => c.notNull().check(sql`key_count >= 0`))
    .execute()
  await db
    .insertInto('idempotency_key_quotas')
    .columns(['scope', 'key_count'])
    .expression((eb) => eb.selectFrom('idempotency_keys').select(['scope', eb.fn.countAll<number>().as('key_count')]).groupBy('scope'))
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('idempotency_key_quotas').execute()
}
