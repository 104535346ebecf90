import SQLite from 'better-sqlite3'
import { Kysely, PostgresAdapter, PostgresDialect, type ColumnType, type Generated, type KyselyConfig, type SqlBool } from 'kysely'
import pg from 'pg'
import type { DatabaseConfig } from '../config.js'
import { markingDriverErrors } from './database-errors.js'
import { ImmediateSqliteDialect, withStatementCache } from './sqlite-dialect.js'

/** Written as an ISO-8601 string; read back as a string (SQLite) or a Date (PostgreSQL). */
type Timestamp = ColumnType<Date | string, string, string>
/** Written as 0/1 (better-sqlite3 cannot bind booleans, PostgreSQL accepts both); read as 0/1 or boolean. */
type Flag = ColumnType<SqlBool, 0 | 1, 0 | 1>

export interface OperatorsTable {
  id: Generated<number>
  name: string
  is_active: Flag
  max_load: number
  /** Number of the operator's active contacts, kept in the same transactions that change them. */
  current_load: Generated<number>
  created_at: Timestamp
  deleted_at: ColumnType<Date | string | null, string | null, string | null>
}

export interface SourcesTable {
  id: Generated<number>
  name: string
  created_at: Timestamp
  /** Whether waiting contacts of the source are given out automatically (false: a supervisor assigns them). */
  assign_waiting: ColumnType<SqlBool, 0 | 1 | undefined, 0 | 1>
  /** Whether a returning lead goes to its last operator when that operator may take it. */
  prefer_last_operator: ColumnType<SqlBool, 0 | 1 | undefined, 0 | 1>
}

export interface SourceOperatorWeightsTable {
  id: Generated<number>
  source_id: number
  operator_id: number
  weight: number
}

export interface LeadsTable {
  id: Generated<number>
  external_id: string
  phone: string | null
  email: string | null
  created_at: Timestamp
  /** The operator who most recently got one of the lead's contacts (sticky routing). */
  last_operator_id: ColumnType<number | null, number | null | undefined, number | null>
}

export interface ContactsTable {
  id: Generated<number>
  lead_id: number
  source_id: number
  operator_id: number | null
  status: 'active' | 'closed'
  created_at: Timestamp
  closed_at: ColumnType<Date | string | null, string | null, string | null>
  /** When the current operator got it; null while it waits. */
  assigned_at: ColumnType<Date | string | null, string | null, string | null>
  /** When it last started waiting (for the wait statistics); null while it has an operator. */
  queued_at: ColumnType<Date | string | null, string | null, string | null>
}

/**
 * Running totals per (source, operator) so statistics never rescan contacts.
 * operator_id 0 stands for "unassigned" (a primary key cannot hold NULL in both databases).
 */
export interface ContactTalliesTable {
  source_id: number
  operator_id: number
  total: number
  active: number
  /** On the unassigned row only: contacts that waited, then got an operator, and their seconds waited in all. */
  assigned_from_queue: ColumnType<number, number | undefined, number>
  wait_seconds: ColumnType<number, number | undefined, number>
}

/** An Idempotency-Key of POST /contacts/ per scope (API key id, 0 without one); contact and answer set on success. */
export interface IdempotencyKeysTable {
  scope: number
  key: string
  request_hash: string
  contact_id: number | null
  response: string | null
  created_at: Timestamp
}

/** How many idempotency_keys rows a scope holds, kept with them, so its cap is checked by primary key. */
export interface IdempotencyKeyQuotasTable {
  scope: number
  key_count: number
}

/** An API key: only the SHA-256 of the key is stored; source_ids is a JSON array of source ids, null for any. */
export interface ApiKeysTable {
  id: Generated<number>
  name: string
  role: 'admin' | 'viewer' | 'ingest'
  source_ids: string | null
  key_hash: string
  key_prefix: string
  created_at: Timestamp
  last_used_at: ColumnType<Date | string | null, string | null, string | null>
  revoked_at: ColumnType<Date | string | null, string | null, string | null>
}

/** A change of a contact's operator or status (events/events.schemas.ts names the types and reasons). */
export interface EventsTable {
  id: Generated<number>
  type: string
  occurred_at: Timestamp
  contact_id: number
  lead_id: number
  source_id: number
  operator_id: number | null
  previous_operator_id: number | null
  reason: string
  /** The API key that caused it; null without one (the queue sweep, an open API). */
  actor: number | null
}

/** A receiver of events; `events` is a JSON array of event types or ["*"]. */
export interface WebhooksTable {
  id: Generated<number>
  url: string
  events: string
  description: string | null
  enabled: ColumnType<SqlBool, 0 | 1 | undefined, 0 | 1>
  /** The Standard Webhooks signing secret, whsec_<base64>. */
  secret: string
  created_at: Timestamp
  /** Set when the webhook is deleted; its deliveries and then the row are removed in batches after. */
  deleted_at: ColumnType<Date | string | null, string | null | undefined, string | null>
}

/** One event to one webhook (the outbox row), written in the event's transaction. */
export interface WebhookDeliveriesTable {
  id: Generated<number>
  webhook_id: number
  event_id: number | null
  event_type: string
  /** The data of a webhook.test delivery; null for an event's. */
  payload: string | null
  /** An event's contact as the API showed it right after the change (JSON); null for webhook.test. */
  contact: ColumnType<string | null, string | null | undefined, string | null>
  status: 'pending' | 'succeeded' | 'failed'
  attempts: Generated<number>
  next_attempt_at: ColumnType<Date | string | null, string | null, string | null>
  /** Until when a dispatcher holds the delivery for an attempt (its claim); null when none does. */
  leased_until: ColumnType<Date | string | null, string | null | undefined, string | null>
  last_status_code: number | null
  last_error: string | null
  created_at: Timestamp
  delivered_at: ColumnType<Date | string | null, string | null, string | null>
}

export interface Database {
  operators: OperatorsTable
  sources: SourcesTable
  source_operator_weights: SourceOperatorWeightsTable
  leads: LeadsTable
  contacts: ContactsTable
  contact_tallies: ContactTalliesTable
  api_keys: ApiKeysTable
  idempotency_keys: IdempotencyKeysTable
  idempotency_key_quotas: IdempotencyKeyQuotasTable
  events: EventsTable
  webhooks: WebhooksTable
  webhook_deliveries: WebhookDeliveriesTable
}

export type Db = Kysely<Database>

/** Whether the database is PostgreSQL (else SQLite): the few places that use what only PostgreSQL has ask this. */
export function isPostgres(db: Db): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter
}

/** `log` receives every query (tests use it to check the query plans of the hot path). */
export function createDb(config: DatabaseConfig, { log }: { log?: KyselyConfig['log'] } = {}): Db {
  if (config.kind === 'postgres') {
    const pool = new pg.Pool({
      connectionString: config.connectionString,
      max: config.poolSize,
      connectionTimeoutMillis: config.connectTimeoutMs,
      ...(config.statementTimeoutMs > 0 && { statement_timeout: config.statementTimeoutMs }),
    })
    // A client that loses its connection (database restart, network cut) emits 'error', idle in the pool
    // or checked out between queries; unheard, that event would crash the process. The query in flight
    // still fails (503 to its request), the pool drops the client and the next query connects afresh.
    pool.on('error', () => undefined)
    pool.on('connect', (client) => client.on('error', () => undefined))
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool: markingDriverErrors(pool) }), ...(log && { log }) })
  }
  const sqlite = new SQLite(config.filename)
  if (config.filename !== ':memory:') sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = FULL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  return new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: withStatementCache(sqlite) }), ...(log && { log }) })
}
