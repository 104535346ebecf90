import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { tempDatabase } from './run-process.js'

/** Which database this test run targets: the `postgres` Vitest project sets TEST_BACKEND (vitest.config.ts). */
export const TEST_BACKEND: 'sqlite' | 'postgres' = process.env.TEST_BACKEND === 'postgres' ? 'postgres' : 'sqlite'

export interface TestDatabase {
  url: string
  drop: () => Promise<void>
}

/** The server's DATABASE_URL for a PostgreSQL schema: every connection's search_path points at it. */
export function urlWithSchema(baseUrl: string, schema: string): string {
  const url = new URL(baseUrl)
  url.searchParams.set('options', `-c search_path=${schema}`)
  return url.toString()
}

async function onPostgres<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

/** A new, empty schema in the TEST_DATABASE_URL database, so runs and tests never see each other's data. */
export async function createPostgresSchema(): Promise<TestDatabase> {
  const baseUrl = process.env.TEST_DATABASE_URL
  if (!baseUrl) throw new Error('TEST_DATABASE_URL is not set')
  const schema = `crm_test_${randomBytes(6).toString('hex')}`
  await onPostgres((client) => client.query(`create schema ${schema}`))
  return {
    url: urlWithSchema(baseUrl, schema),
    drop: () => onPostgres((client) => client.query(`drop schema if exists ${schema} cascade`)).then(() => undefined),
  }
}

/**
 * An empty database of this run's backend: a fresh PostgreSQL schema, or a SQLite database
 * (in memory for in-process tests, a temporary file when a server process must share it).
 */
export async function createTestDatabase(sqlite: 'memory' | 'file'): Promise<TestDatabase> {
  if (TEST_BACKEND === 'postgres') return createPostgresSchema()
  if (sqlite === 'memory') return { url: 'sqlite:///:memory:', drop: () => Promise.resolve() }
  const file = await tempDatabase()
  return { url: file.url, drop: file.cleanup }
}
