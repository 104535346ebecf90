import type { FastifyInstance, FastifyServerOptions } from 'fastify'
import { fileURLToPath } from 'node:url'
import { afterEach } from 'vitest'
import { buildApp } from '../../src/app.js'
import { loadConfig, type Config } from '../../src/config.js'
import { createDb, type Db } from '../../src/db/database.js'
import { migrateToLatest } from '../../src/db/migrate.js'
import type { RandomSource } from '../../src/distribution/pick-operator.js'
import { apiClient, type TestClient } from './api-client.js'
import { createTestDatabase } from './test-database.js'

/** A stand-in for the built dashboard, so HTTP tests see the same routes whether or not dist/ui exists. */
export const DASHBOARD_FIXTURE = fileURLToPath(new URL('../fixtures/dashboard/', import.meta.url))

export interface TestApp {
  app: FastifyInstance
  db: Db
  config: Config
  close: () => Promise<void>
}

/** A fresh app on its own empty, migrated database: SQLite in memory, or a new PostgreSQL schema. */
export async function createTestApp(
  options: {
    env?: Record<string, string>
    random?: RandomSource
    authCacheTtlMs?: number
    dashboardDir?: string
    /** Defaults to no logging; tests of what is logged pass a stream (see captureLogs). */
    logger?: FastifyServerOptions['logger']
    webhookRetryDelaysMs?: readonly number[]
  } = {},
): Promise<TestApp> {
  const database = await createTestDatabase('memory')
  // The queue sweep and the webhook dispatcher are off unless a test turns them on: no background change lands
  // between a test's steps.
  const config = loadConfig({ DATABASE_URL: database.url, QUEUE_SWEEP_INTERVAL_MS: '0', WEBHOOK_DISPATCH_INTERVAL_MS: '0', ...options.env })
  const db = createDb(config.database)
  await migrateToLatest(db)
  const app = await buildApp({
    config,
    db,
    logger: options.logger ?? false,
    ...(options.random && { random: options.random }),
    authCacheTtlMs: options.authCacheTtlMs,
    dashboardDir: options.dashboardDir ?? DASHBOARD_FIXTURE,
    ...(options.webhookRetryDelaysMs && { webhookRetryDelaysMs: options.webhookRetryDelaysMs }),
  })
  await app.ready()
  return {
    app,
    db,
    config,
    close: async () => {
      await app.close()
      await db.destroy()
      await database.drop()
    },
  }
}

/**
 * A fresh app for each test of a file, closed after the test: `const setup = appPerTest()` beside the imports, then
 * `const { api } = await setup(sequence(0.3, 0))` in a test. The random source defaults to always the first pick.
 */
export function appPerTest(): (random?: RandomSource) => Promise<TestApp & { api: TestClient }> {
  let current: TestApp | undefined
  afterEach(async () => {
    await current?.close()
    current = undefined
  })
  return async (random = () => 0) => {
    current = await createTestApp({ random })
    return { ...current, api: apiClient(current.app) }
  }
}

/** A deterministic random source (mulberry32), for reproducible picks. */
export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A logger option that keeps every log line, parsed, in `lines`. */
export function captureLogs(level = 'debug') {
  const lines: { level: number; msg?: string; err?: { type?: string; code?: string; message?: string } }[] = []
  return { lines, logger: { level, stream: { write: (line: string) => void lines.push(JSON.parse(line)) } } }
}

/** A test app listening on a free loopback port, for what lives in the HTTP server itself (sockets, timeouts). */
export async function listenTestApp(options: Parameters<typeof createTestApp>[0] = {}): Promise<TestApp & { url: string }> {
  const t = await createTestApp(options)
  const url = await t.app.listen({ host: '127.0.0.1', port: 0 })
  return { ...t, url }
}
