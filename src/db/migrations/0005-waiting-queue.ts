import { sql, type Kysely } from 'kysely'

// Frozen in time: this file never imports application code. One migration serves SQLite and PostgreSQL.

function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter.constructor.name === 'PostgresAdapter'
}

/**
 * The waiting queue: when a contact got its operator and since when it waits, per-source settings, the lead's
 * last operator (sticky routing without a history scan) and running queue tallies.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const timestamp = isPostgres(db) ? 'timestamptz' : 'text'

  await db.schema.alterTable('contacts').addColumn('assigned_at', timestamp).execute()
  await db.schema.alterTable('contacts').addColumn('queued_at', timestamp).execute()
  await db.updateTable('contacts').set({ assigned_at: sql`created_at` }).where('operator_id', 'is not', null).execute()
  await db
    .updateTable('contacts')
    .set({ queued_at: sql`created_at` })
    .where('operator_id', 'is', null)
    .where('status', '=', 'active')
    .execute()
  // The queue: waiting contacts of a source, oldest first; a drain reads its head without a scan.
  await db.schema
    .createIndex('contacts_waiting_idx')
    .on('contacts')
    .columns(['source_id', 'created_at', 'id'])
    .where(sql.ref('status'), '=', 'active')
    .where(sql.ref('operator_id'), 'is', null)
    .execute()

  await db.schema.alterTable('sources').addColumn('assign_waiting', 'boolean', (c) => c.notNull().defaultTo(sql`true`)).execute()
  await db.schema.alterTable('sources').addColumn('prefer_last_operator', 'boolean', (c) => c.notNull().defaultTo(sql`false`)).execute()

  await db.schema.alterTable('leads').addColumn('last_operator_id', 'integer').execute()
  await db
    .updateTable('leads')
    .set({
      last_operator_id: db
        .selectFrom('contacts as c')
        .select('c.operator_id')
        .whereRef('c.lead_id', '=', 'leads.id')
        .where('c.operator_id', 'is not', null)
        .orderBy('c.assigned_at', 'desc')
        .orderBy('c.id', 'desc')
        .limit(1),
    })
    .execute()

  // Kept on each source's unassigned row (operator_id 0): contacts that waited and then got an operator, and
  // the seconds they waited in all.
  await db.schema.alterTable('contact_tallies').addColumn('assigned_from_queue', 'integer', (c) => c.notNull().defaultTo(0)).execute()
  await db.schema
    .alterTable('contact_tallies')
    .addColumn('wait_seconds', 'double precision', (c) => c.notNull().defaultTo(0))
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('contacts_waiting_idx').execute()
  for (const [table, column] of [
    ['contact_tallies', 'wait_seconds'],
    ['contact_tallies', 'assigned_from_queue'],
    ['leads', 'last_operator_id'],
    ['sources', 'prefer_last_operator'],
    ['sources', 'assign_waiting'],
    ['contacts', 'queued_at'],
    ['contacts', 'assigned_at'],
  ] as const) {
    await db.schema.alterTable(table).dropColumn(column).execute()
  }
}
