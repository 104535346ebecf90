import type { FastifyBaseLogger } from 'fastify'
import type { Config } from '../config.js'
import type { Db } from '../db/database.js'
import { countActiveApiKeys, ensureBootstrapKey } from './api-keys.service.js'
import { decideStartup, type StartupDecision } from './startup-policy.js'

/** At start, on a migrated database: makes sure ADMIN_API_KEY exists, then decides whether to listen. */
export async function prepareAuth(db: Db, config: Config, log: FastifyBaseLogger): Promise<StartupDecision> {
  if (config.adminApiKey !== undefined) {
    const outcome = await ensureBootstrapKey(db, config.adminApiKey)
    if (outcome === 'created') log.info('ADMIN_API_KEY: stored as the admin key "bootstrap (ADMIN_API_KEY)"')
    if (outcome === 'revoked') log.warn('ADMIN_API_KEY was revoked and stays revoked: it is not accepted; set a new one')
  }
  const decision = decideStartup({ host: config.host, authDisabled: config.authDisabled, activeKeys: await countActiveApiKeys(db) })
  if (decision.action === 'start' && decision.warning !== undefined) log.warn(decision.warning)
  return decision
}
