import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import pg from 'pg'
import { isPostgresUrl } from './options.js'

export type DatabaseKind = 'sqlite' | 'postgres'

/**
 * The harness's own connection, beside the server's: raw SQL for the bulk preload and the invariant checks.
 * Every value inlined into the SQL is an integer the harness generated itself.
 */
export interface BenchConnection {
  readonly kind: DatabaseKind
  run(sql: string): Promise<void>
  rows<T>(sql: string): Promise<T[]>
  close(): Promise<void>
}

export interface BenchDatabase {
  readonly kind: DatabaseKind
  /** The server's DATABASE_URL. */
  readonly url: string
  /** Where the data lives, for the report (no password). */
  readonly description: string
  connect(): Promise<BenchConnection>
  /** Drops the PostgreSQL schema; a SQLite file goes with the harness's temporary directory. */
  drop(): Promise<void>
}

/** A fresh, empty database: a SQLite file in `workDir`, or a new `bench_<random>` schema in the PostgreSQL database. */
export async function createBenchDatabase(database: string, workDir: string): Promise<BenchDatabase> {
  return isPostgresUrl(database) ? createPostgresSchema(database) : createSqliteFile(join(workDir, 'crm.db'))
}

function createSqliteFile(filename: string): BenchDatabase {
  return {
    kind: 'sqlite',
    url: `sqlite:///${filename}`,
    description: `SQLite file ${filename}`,
    connect: () => Promise.resolve(connectSqlite(filename)),
    drop: () => Promise.resolve(),
  }
}

function connectSqlite(filename: string): BenchConnection {
  const sqlite = new SQLite(filename)
  sqlite.pragma('busy_timeout = 5000')
  // Only the harness's bulk writes skip fsync; the server opens its own connection with synchronous=FULL.
  sqlite.pragma('synchronous = OFF')
  return {
    kind: 'sqlite',
    run: (sql) => Promise.resolve(void sqlite.exec(sql)),
    rows: <T>(sql: string) => Promise.resolve(sqlite.prepare(sql).all() as T[]),
    close: () => Promise.resolve(void sqlite.close()),
  }
}

async function createPostgresSchema(baseUrl: string): Promise<BenchDatabase> {
  const schema = `bench_${randomBytes(6).toString('hex')}`
  await withPostgres(baseUrl, (client) => client.query(`create schema ${schema}`))
  const url = new URL(baseUrl)
  url.searchParams.set('options', `-c search_path=${schema}`)
  return {
    kind: 'postgres',
    url: url.toString(),
    description: `PostgreSQL schema ${schema} at ${url.host}${url.pathname}`,
    connect: () => connectPostgres(url.toString()),
    drop: () => withPostgres(baseUrl, (client) => client.query(`drop schema if exists ${schema} cascade`)).then(() => undefined),
  }
}

async function connectPostgres(url: string): Promise<BenchConnection> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  return {
    kind: 'postgres',
    run: async (sql) => {
      await client.query(sql)
    },
    rows: async <T>(sql: string) => (await client.query(sql)).rows as T[],
    close: () => client.end(),
  }
}

async function withPostgres<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

export async function databaseVersion(connection: BenchConnection): Promise<string> {
  if (connection.kind === 'sqlite') {
    const [row] = await connection.rows<{ version: string }>('select sqlite_version() as version')
    return `SQLite ${row?.version ?? '?'}`
  }
  const [row] = await connection.rows<{ server_version: string }>('show server_version')
  return `PostgreSQL ${row?.server_version ?? '?'}`
}
