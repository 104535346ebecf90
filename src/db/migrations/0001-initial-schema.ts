import { sql, type Kysely, type CreateTableBuilder } from 'kysely'

// Frozen in time: this file never imports application code. One migration serves SQLite and PostgreSQL.

function withId<T extends string>(db: Kysely<any>, table: CreateTableBuilder<T>): CreateTableBuilder<T, 'id'> {
  return isPostgres(db)
    ? table.addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
}

function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter.constructor.name === 'PostgresAdapter'
}

export async function up(db: Kysely<any>): Promise<void> {
  const timestamp = isPostgres(db) ? 'timestamptz' : 'text'

  await withId(db, db.schema.createTable('operators'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(sql`true`))
    .addColumn('max_load', 'integer', (c) => c.notNull().check(sql`max_load >= 0`))
    .addColumn('current_load', 'integer', (c) => c.notNull().defaultTo(0).check(sql`current_load >= 0`))
    .addColumn('created_at', timestamp, (c) => c.notNull())
    .addColumn('deleted_at', timestamp)
    .execute()

  await withId(db, db.schema.createTable('sources'))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', timestamp, (c) => c.notNull())
    .execute()

  await withId(db, db.schema.createTable('source_operator_weights'))
    .addColumn('source_id', 'integer', (c) => c.notNull().references('sources.id').onDelete('cascade'))
    .addColumn('operator_id', 'integer', (c) => c.notNull().references('operators.id').onDelete('cascade'))
    .addColumn('weight', 'double precision', (c) => c.notNull().check(sql`weight >= 0`))
    .addUniqueConstraint('source_operator_weights_source_operator_unique', ['source_id', 'operator_id'])
    .execute()
  await db.schema
    .createIndex('source_operator_weights_operator_idx')
    .on('source_operator_weights')
    .column('operator_id')
    .execute()

  await withId(db, db.schema.createTable('leads'))
    .addColumn('external_id', 'text', (c) => c.notNull().unique())
    .addColumn('phone', 'text')
    .addColumn('email', 'text')
    .addColumn('created_at', timestamp, (c) => c.notNull())
    .execute()

  await withId(db, db.schema.createTable('contacts'))
    .addColumn('lead_id', 'integer', (c) => c.notNull().references('leads.id'))
    .addColumn('source_id', 'integer', (c) => c.notNull().references('sources.id'))
    .addColumn('operator_id', 'integer', (c) => c.references('operators.id'))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active', 'closed')`))
    .addColumn('created_at', timestamp, (c) => c.notNull())
    .addColumn('closed_at', timestamp)
    .execute()
  for (const column of ['lead_id', 'source_id', 'operator_id', 'status']) {
    await db.schema.createIndex(`contacts_${column}_idx`).on('contacts').columns([column, 'id']).execute()
  }

  await db.schema
    .createTable('contact_tallies')
    .addColumn('source_id', 'integer', (c) => c.notNull().references('sources.id'))
    .addColumn('operator_id', 'integer', (c) => c.notNull())
    .addColumn('total', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('contact_tallies_pk', ['source_id', 'operator_id'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['contact_tallies', 'contacts', 'leads', 'source_operator_weights', 'sources', 'operators']) {
    await db.schema.dropTable(table).execute()
  }
}
