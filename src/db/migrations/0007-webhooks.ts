import { sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely'

// Frozen in time: this file never imports application code. One migration serves SQLite and PostgreSQL.

function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter.constructor.name === 'PostgresAdapter'
}

/**
 * Webhooks and their deliveries: the transactional outbox. A delivery row is written in the same transaction as
 * its event; dispatchers on every instance claim due rows, POST them and record the outcome.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = isPostgres(db)
  const timestamp = postgres ? 'timestamptz' : 'text'
  const id = (c: ColumnDefinitionBuilder) => (postgres ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement())

  await db.schema
    .createTable('webhooks')
    .addColumn('id', 'integer', id)
    .addColumn('url', 'text', (c) => c.notNull())
    // A JSON array of event types, or ["*"]; matched with LIKE '%"type"%' when an event fans out.
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(sql`true`))
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('created_at', timestamp, (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'integer', id)
    .addColumn('webhook_id', 'integer', (c) => c.notNull().references('webhooks.id').onDelete('cascade'))
    .addColumn('event_id', 'integer')
    .addColumn('event_type', 'text', (c) => c.notNull())
    // The data of a webhook.test delivery; null for an event's.
    .addColumn('payload', 'text')
    // An event's contact as GET /contacts/{id} showed it right after the change (JSON), written with the row.
    .addColumn('contact', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', timestamp)
    .addColumn('last_status_code', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('created_at', timestamp, (c) => c.notNull())
    .addColumn('delivered_at', timestamp)
    .execute()
  // The dispatchers' claim: a webhook's due pending deliveries, soonest first, without a scan of the others.
  await db.schema
    .createIndex('webhook_deliveries_due_idx')
    .on('webhook_deliveries')
    .columns(['webhook_id', 'next_attempt_at'])
    .where(sql.ref('status'), '=', 'pending')
    .execute()
  // A webhook's delivery log, newest first; and the cascade when a webhook is deleted.
  await db.schema.createIndex('webhook_deliveries_webhook_idx').on('webhook_deliveries').columns(['webhook_id', 'id']).execute()
}
