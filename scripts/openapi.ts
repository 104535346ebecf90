import { mkdir, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { createDb } from '../src/db/database.js'
import { migrateToLatest } from '../src/db/migrate.js'

/**
 * Writes the OpenAPI document as a fresh process serves it (`npm run openapi -- [file]`, default openapi.json),
 * for `redocly lint` and client generators; built without listening, on an in-memory database.
 */
const out = process.argv[2] ?? 'openapi.json'
const config = loadConfig({ DATABASE_URL: 'sqlite:///:memory:' })
const db = createDb(config.database)
await migrateToLatest(db)
const app = await buildApp({ config, db, logger: false })
await app.ready()
const response = await app.inject({ method: 'GET', url: '/openapi.json' })
await mkdir(dirname(out), { recursive: true })
await writeFile(out, `${JSON.stringify(response.json(), null, 2)}\n`)
await app.close()
await db.destroy()
