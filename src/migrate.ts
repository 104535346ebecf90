import { loadConfig, readEnvFile } from './config.js'
import { createDb } from './db/database.js'
import { migrateToLatest } from './db/migrate.js'

// `npm run db:migrate`: applies pending migrations and exits (the server also does this at start).
const config = loadConfig({ ...readEnvFile('.env'), ...process.env })
const db = createDb(config.database)
try {
  const applied = await migrateToLatest(db)
  console.log(applied.length > 0 ? `Applied: ${applied.join(', ')}` : 'Database is up to date')
} finally {
  await db.destroy()
}
