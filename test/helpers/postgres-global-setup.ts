import pg from 'pg'

/** Fails the PostgreSQL project at once, with the reason, when TEST_DATABASE_URL cannot be reached. */
export default async function checkPostgresReachable(): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL, connectionTimeoutMillis: 5000 })
  try {
    await client.connect()
    await client.query('select 1')
  } catch (error) {
    throw new Error(`TEST_DATABASE_URL is set but PostgreSQL cannot be reached: ${(error as Error).message}`)
  } finally {
    await client.end().catch(() => undefined)
  }
}
