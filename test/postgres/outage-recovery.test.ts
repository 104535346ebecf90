import { once } from 'node:events'
import { createServer, connect, type Server, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { createDb } from '../../src/db/database.js'
import { migrateToLatest } from '../../src/db/migrate.js'
import { createPostgresSchema } from '../helpers/test-database.js'

/** A TCP proxy to PostgreSQL that the test can cut and restore, as a network or database outage would. */
function databaseProxy(target: URL) {
  let server: Server | undefined
  const sockets = new Set<Socket>()
  return {
    async start(port = 0): Promise<number> {
      server = createServer((client) => {
        const upstream = connect(Number(target.port || 5432), target.hostname)
        for (const socket of [client, upstream]) {
          sockets.add(socket)
          socket.on('close', () => sockets.delete(socket))
          socket.on('error', () => socket.destroy())
        }
        client.pipe(upstream).pipe(client)
      })
      server.listen(port, '127.0.0.1')
      await once(server, 'listening')
      return (server.address() as { port: number }).port
    },
    async stop(): Promise<void> {
      for (const socket of sockets) socket.destroy()
      server?.close()
      if (server) await once(server, 'close')
    },
  }
}

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

describe('when PostgreSQL becomes unreachable', () => {
  it('answers 503 JSON promptly, reports it in /health, and recovers by itself when it returns', async () => {
    const database = await createPostgresSchema()
    cleanups.push(() => database.drop())
    const direct = createDb(loadConfig({ DATABASE_URL: database.url }).database)
    await migrateToLatest(direct)
    await direct.destroy()

    const target = new URL(database.url)
    const proxy = databaseProxy(target)
    const port = await proxy.start()
    cleanups.push(() => proxy.stop())
    const viaProxy = new URL(database.url)
    viaProxy.host = `127.0.0.1:${port}`
    const config = loadConfig({ DATABASE_URL: viaProxy.toString(), DATABASE_CONNECT_TIMEOUT_MS: '1000' })
    const db = createDb(config.database)
    const app = await buildApp({ config, db, logger: false })
    cleanups.push(async () => {
      await app.close()
      await db.destroy()
    })

    const created = await app.inject({ method: 'POST', url: '/operators/', payload: { name: 'Anna' } })
    expect(created.statusCode).toBe(201)

    await proxy.stop()
    const started = Date.now()
    const during = await app.inject({ method: 'GET', url: '/operators/' })
    expect(during.statusCode).toBe(503)
    expect(during.json()).toEqual({ detail: 'The database is unavailable; retry later', code: 'DATABASE_UNAVAILABLE' })
    expect(Date.now() - started).toBeLessThan(5000)
    const health = await app.inject({ method: 'GET', url: '/health' })
    expect(health.statusCode).toBe(503)
    expect(health.json()).toMatchObject({ status: 'unavailable', database: 'unreachable' })
    const rejected = await app.inject({ method: 'POST', url: '/contacts/', payload: { external_id: 'x', source_id: 1 } })
    expect(rejected.statusCode).toBe(503)

    await proxy.start(port)
    let after = await app.inject({ method: 'GET', url: '/operators/' })
    for (let i = 0; i < 20 && after.statusCode !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250))
      after = await app.inject({ method: 'GET', url: '/operators/' })
    }
    expect(after.statusCode).toBe(200)
    expect(after.json().map((o: { name: string }) => o.name)).toEqual(['Anna'])
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200)
  })
})
