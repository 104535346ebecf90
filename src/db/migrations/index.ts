import type { Migration } from 'kysely'
import * as initialSchema from './0001-initial-schema.js'
import * as apiKeys from './0002-api-keys.js'
import * as idempotencyKeys from './0003-idempotency-keys.js'
import * as idempotencyKeyQuotas from './0004-idempotency-key-quotas.js'
import * as waitingQueue from './0005-waiting-queue.js'
import * as events from './0006-events.js'
import * as webhooks from './0007-webhooks.js'
import * as webhookLeases from './0009-webhook-leases.js'

/** Every migration, in order; a static list so the compiled build and the tests load the same ones. */
export const migrations: Record<string, Migration> = {
  '0001-initial-schema': initialSchema,
  '0002-api-keys': apiKeys,
  '0003-idempotency-keys': idempotencyKeys,
  '0004-idempotency-key-quotas': idempotencyKeyQuotas,
  '0005-waiting-queue': waitingQueue,
  '0006-events': events,
  '0007-webhooks': webhooks,
  '0009-webhook-leases': webhookLeases,
}
