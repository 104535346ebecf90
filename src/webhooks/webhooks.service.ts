import { randomBytes } from 'node:crypto'
import type { Db } from '../db/database.js'
import { inTransaction } from '../db/transaction.js'
import { nowIso, toFlag, toIso, toIsoOrNull } from '../db/values.js'
import { InvalidFieldError, NotFoundError } from '../errors.js'
import { checkWebhookTarget, RefusedTargetError } from './target-guard.js'
import * as webhooks from './webhooks.repository.js'
import type { Delivery, DeliveryQuery, Webhook, WebhookCreate, WebhookUpdate, WebhookWithSecret } from './webhooks.schemas.js'

export interface TargetPolicy {
  /** WEBHOOK_ALLOW_PRIVATE_NETWORKS */
  allowPrivate: boolean
}

export function toWebhook(row: webhooks.WebhookRow): Webhook {
  return {
    id: row.id,
    url: row.url,
    events: JSON.parse(row.events) as string[],
    description: row.description,
    enabled: Boolean(row.enabled),
    created_at: toIso(row.created_at),
  }
}

function withSecret(row: webhooks.WebhookRow): WebhookWithSecret {
  return { ...toWebhook(row), secret: row.secret }
}

export function toDelivery(row: webhooks.DeliveryRow): Delivery {
  return {
    id: row.id,
    event_id: row.event_id,
    event_type: row.event_type,
    status: row.status,
    attempts: row.attempts,
    next_attempt_at: row.status === 'pending' ? toIsoOrNull(row.next_attempt_at) : null,
    last_status_code: row.last_status_code,
    last_error: row.last_error,
    created_at: toIso(row.created_at),
    delivered_at: toIsoOrNull(row.delivered_at),
  }
}

/** A Standard Webhooks secret: whsec_ and 24 random bytes in base64. */
function newSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`
}

/** The types once each, sorted; ["*"] alone when it is among them: it already means every one. */
function normalizedEvents(events: string[]): string {
  return JSON.stringify(events.includes('*') ? ['*'] : [...new Set(events)].sort())
}

async function checkTarget(url: string, policy: TargetPolicy): Promise<void> {
  try {
    await checkWebhookTarget(new URL(url), policy)
  } catch (error) {
    if (error instanceof RefusedTargetError) throw new InvalidFieldError(['body', 'url'], error.message, 'address')
    throw error
  }
}

async function findWebhookOr404(db: Db, id: number): Promise<webhooks.WebhookRow> {
  const row = await webhooks.findWebhook(db, id)
  if (!row) throw new NotFoundError('Webhook', id)
  return row
}

export async function createWebhook(db: Db, input: WebhookCreate, policy: TargetPolicy): Promise<WebhookWithSecret> {
  await checkTarget(input.url, policy)
  const row = await webhooks.insertWebhook(db, {
    url: input.url,
    events: normalizedEvents(input.events),
    description: input.description ?? null,
    secret: newSecret(),
    created_at: nowIso(),
  })
  return withSecret(row)
}

export async function listWebhooks(db: Db): Promise<Webhook[]> {
  return (await webhooks.listWebhooks(db)).map(toWebhook)
}

export async function getWebhook(db: Db, id: number): Promise<Webhook> {
  return toWebhook(await findWebhookOr404(db, id))
}

export async function updateWebhook(db: Db, id: number, input: WebhookUpdate, policy: TargetPolicy): Promise<Webhook> {
  if (input.url !== undefined) await checkTarget(input.url, policy)
  const row = await webhooks.updateWebhook(db, id, {
    ...(input.url !== undefined && { url: input.url }),
    ...(input.events !== undefined && { events: normalizedEvents(input.events) }),
    ...(input.description !== undefined && { description: input.description }),
    ...(input.enabled !== undefined && { enabled: toFlag(input.enabled) }),
  })
  if (!row) throw new NotFoundError('Webhook', id)
  return toWebhook(row)
}

const PURGE_BATCH = 1000

/**
 * Deletes a webhook: gone for the API and the fan-out at once; its deliveries are then removed in short
 * transactions of PURGE_BATCH, so neither requests nor events wait behind a long backlog.
 */
export async function deleteWebhook(db: Db, id: number): Promise<void> {
  if (!(await webhooks.markWebhookDeleted(db, id))) throw new NotFoundError('Webhook', id)
  await purgeDeletedWebhook(db, id)
}

/** Finishes the deletions a crash or restart interrupted; the event pruning job calls it. */
export async function purgeDeletedWebhooks(db: Db): Promise<void> {
  for (const id of await webhooks.listDeletedWebhookIds(db)) await purgeDeletedWebhook(db, id)
}

async function purgeDeletedWebhook(db: Db, id: number): Promise<void> {
  while ((await inTransaction(db, (trx) => webhooks.deleteDeliveriesOf(trx, id, PURGE_BATCH))) === PURGE_BATCH);
  await webhooks.deleteMarkedWebhook(db, id)
}

/** A new secret, in force at once: the next attempt of every delivery is signed with it. */
export async function rotateSecret(db: Db, id: number): Promise<WebhookWithSecret> {
  const row = await webhooks.updateWebhook(db, id, { secret: newSecret() })
  if (!row) throw new NotFoundError('Webhook', id)
  return withSecret(row)
}

/** Queues a webhook.test delivery, due at once, to check the receiver and its signature check. */
export async function sendTest(db: Db, id: number): Promise<Delivery> {
  await findWebhookOr404(db, id)
  const now = nowIso()
  const row = await webhooks.insertDelivery(db, {
    webhook_id: id,
    event_id: null,
    event_type: 'webhook.test',
    payload: JSON.stringify({ webhook_id: id, message: 'A test delivery from Mini CRM' }),
    status: 'pending',
    next_attempt_at: now,
    last_status_code: null,
    last_error: null,
    created_at: now,
    delivered_at: null,
  })
  return toDelivery(row)
}

export async function listDeliveries(db: Db, id: number, { status, skip = 0, limit = 100 }: DeliveryQuery): Promise<Delivery[]> {
  await findWebhookOr404(db, id)
  return (await webhooks.listDeliveries(db, id, { status, skip, limit })).map(toDelivery)
}

/**
 * Makes the delivery due now, whatever its status; a failed one that fails again stays failed. A delivery being
 * attempted right now gets no second attempt beside it: that attempt's outcome stands.
 */
export async function retryDelivery(db: Db, id: number, deliveryId: number): Promise<Delivery> {
  await findWebhookOr404(db, id)
  const row = await webhooks.makeDeliveryDue(db, id, deliveryId)
  if (!row) throw new NotFoundError('Delivery', deliveryId)
  return toDelivery(row)
}
