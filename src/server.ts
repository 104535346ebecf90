import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.js'
import { prepareAuth } from './auth/auth-startup.js'
import { ConfigError, loadConfig, readEnvFile, type Config } from './config.js'
import { createDb } from './db/database.js'
import { migrateToLatest } from './db/migrate.js'

function loadConfigOrExit(): Config {
  try {
    return loadConfig({ ...readEnvFile('.env'), ...process.env })
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    console.error(error.message)
    process.exit(1)
  }
}

const config = loadConfigOrExit()
const db = createDb(config.database)
const app = await buildApp({ config, db })
app.addHook('onClose', async () => {
  await db.destroy()
})

closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
  if (err) app.log.error({ err }, 'shutting down after an unexpected error')
  else app.log.info({ signal }, 'shutting down: finishing requests in flight')
  await app.close()
})

const applied = await migrateToLatest(db)
if (applied.length > 0) app.log.info({ migrations: applied }, 'database migrated')
const auth = await prepareAuth(db, config, app.log)
if (auth.action === 'refuse') {
  console.error(auth.message)
  await app.close()
  process.exit(1)
}
const address = await app.listen({ host: config.host, port: config.port })
app.log.info(`${config.appName} ${config.appVersion}: interactive API docs at ${address}${config.apiPrefix}/docs`)
