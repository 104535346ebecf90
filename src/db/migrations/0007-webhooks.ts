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

  await (postgres ? fanOutOnPostgres(db) : fanOutOnSqlite(db))
}

// The outbox is filled by the database itself: every event inserted gets, in the same statement, a pending delivery
// for each enabled webhook subscribed to its type (`events` holds JSON type names; none holds a LIKE wildcard), with
// the contact as the API shows it right after the change (contact-view.ts's shape). Nothing is built when no
// webhook is subscribed. A change of the contact's API shape needs a migration that replaces these triggers.

const SUBSCRIBED = `w.enabled and (w.events like '%"*"%' or w.events like '%"' || new.type || '"%')`

async function fanOutOnSqlite(db: Kysely<any>): Promise<void> {
  const flag = (column: string) => `json(case when ${column} then 'true' else 'false' end)`
  const contact = `(select json_object(
      'id', c.id, 'lead_id', c.lead_id, 'source_id', c.source_id, 'operator_id', c.operator_id, 'status', c.status,
      'created_at', c.created_at, 'closed_at', c.closed_at, 'assigned_at', c.assigned_at,
      'lead', json_object('id', l.id, 'external_id', l.external_id, 'phone', l.phone, 'email', l.email, 'created_at', l.created_at),
      'source', json_object('id', s.id, 'name', s.name, 'created_at', s.created_at,
        'assign_waiting', ${flag('s.assign_waiting')}, 'prefer_last_operator', ${flag('s.prefer_last_operator')}),
      'operator', json(case when o.id is null then null else json_object('id', o.id, 'name', o.name,
        'is_active', ${flag('o.is_active')}, 'max_load', o.max_load, 'current_load', o.current_load, 'created_at', o.created_at) end))
    from contacts c join leads l on l.id = c.lead_id join sources s on s.id = c.source_id
    left join operators o on o.id = c.operator_id where c.id = new.contact_id)`
  await sql
    .raw(
      `create trigger events_fan_out after insert on events begin
        insert into webhook_deliveries (webhook_id, event_id, event_type, status, next_attempt_at, created_at, contact)
        select w.id, new.id, new.type, 'pending', new.occurred_at, new.occurred_at, ${contact}
        from webhooks w where ${SUBSCRIBED};
      end`,
    )
    .execute(db)
}

async function fanOutOnPostgres(db: Kysely<any>): Promise<void> {
  const iso = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
  const contact = `(select json_build_object(
      'id', c.id, 'lead_id', c.lead_id, 'source_id', c.source_id, 'operator_id', c.operator_id, 'status', c.status,
      'created_at', ${iso('c.created_at')}, 'closed_at', ${iso('c.closed_at')}, 'assigned_at', ${iso('c.assigned_at')},
      'lead', json_build_object('id', l.id, 'external_id', l.external_id, 'phone', l.phone, 'email', l.email, 'created_at', ${iso('l.created_at')}),
      'source', json_build_object('id', s.id, 'name', s.name, 'created_at', ${iso('s.created_at')},
        'assign_waiting', s.assign_waiting, 'prefer_last_operator', s.prefer_last_operator),
      'operator', case when o.id is null then null else json_build_object('id', o.id, 'name', o.name,
        'is_active', o.is_active, 'max_load', o.max_load, 'current_load', o.current_load, 'created_at', ${iso('o.created_at')}) end)::text
    from contacts c join leads l on l.id = c.lead_id join sources s on s.id = c.source_id
    left join operators o on o.id = c.operator_id where c.id = new.contact_id)`
  await sql
    .raw(
      `create function events_fan_out() returns trigger language plpgsql as $$
      begin
        insert into webhook_deliveries (webhook_id, event_id, event_type, status, next_attempt_at, created_at, contact)
        select w.id, new.id, new.type, 'pending', new.occurred_at, new.occurred_at, ${contact}
        from webhooks w where ${SUBSCRIBED};
        return null;
      end $$`,
    )
    .execute(db)
  await sql.raw('create trigger events_fan_out after insert on events for each row execute function events_fan_out()').execute(db)
}
