import type { FastifyBaseLogger } from 'fastify'
import { Webhook as Signer } from 'standardwebhooks'
import type { Db } from '../db/database.js'
import { claimDueDeliveries, type ClaimedDelivery } from './outbox.repository.js'
import { DELIVERY_TIMEOUT_MS, postDelivery, type PostOutcome } from './http-post.js'
import { deliveryBody, UndeliverableError } from './payload.js'
import { updateDelivery } from './webhooks.repository.js'

/** Standard Webhooks' schedule: after the first attempt fails, retries after these delays; then the delivery fails. */
export const RETRY_DELAYS_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]
/** Deliveries of one webhook in flight at once on one instance: a slow receiver holds only its own. */
const PER_WEBHOOK = 4
const MAX_IN_FLIGHT = 64
/** A claimed delivery is leased this long: well past the attempt's timeout, so no other dispatcher retries it meanwhile. */
const LEASE_MS = 6 * DELIVERY_TIMEOUT_MS

export interface DispatcherOptions {
  db: Db
  log: FastifyBaseLogger
  allowPrivate: boolean
  userAgent: string
  /** Tests shorten the schedule; production keeps RETRY_DELAYS_MS. */
  retryDelaysMs?: readonly number[]
}

/**
 * Sends due deliveries from the outbox, on every instance. Each `tick` claims what is due for webhooks that have
 * nothing in flight here and starts sending without waiting, so the next tick is not held by a slow receiver;
 * `close` waits for the sends in flight.
 */
export class WebhookDispatcher {
  readonly #inFlight = new Map<number, Set<Promise<void>>>()
  readonly #options: DispatcherOptions
  #claiming: Promise<void> = Promise.resolve()
  #closed = false

  constructor(options: DispatcherOptions) {
    this.#options = options
  }

  tick(): Promise<void> {
    if (this.#closed) return Promise.resolve()
    this.#claiming = this.#claimAndSend()
    return this.#claiming
  }

  async close(): Promise<void> {
    this.#closed = true
    await this.#claiming.catch(() => undefined)
    await Promise.all([...this.#inFlight.values()].flatMap((sends) => [...sends]))
  }

  async #claimAndSend(): Promise<void> {
    const room = MAX_IN_FLIGHT - [...this.#inFlight.values()].reduce((n, sends) => n + sends.size, 0)
    if (room <= 0) return
    const now = Date.now()
    const claimed = await claimDueDeliveries(this.#options.db, {
      now: new Date(now).toISOString(),
      leaseUntil: new Date(now + LEASE_MS).toISOString(),
      perWebhook: PER_WEBHOOK,
      limit: room,
      busy: [...this.#inFlight.keys()],
    })
    for (const claim of claimed) this.#track(claim.webhook.id, this.#send(claim))
  }

  #track(webhookId: number, send: Promise<void>): void {
    const sends = this.#inFlight.get(webhookId) ?? new Set()
    this.#inFlight.set(webhookId, sends)
    sends.add(send)
    void send.finally(() => {
      sends.delete(send)
      if (sends.size === 0) this.#inFlight.delete(webhookId)
    })
  }

  async #send({ delivery, webhook }: ClaimedDelivery): Promise<void> {
    const { db, log, allowPrivate, userAgent } = this.#options
    let outcome: PostOutcome
    let permanent = false
    try {
      const body = await deliveryBody(db, delivery)
      // The same webhook-id on every attempt, so a receiver drops repeats; signed at each attempt's time.
      const id = `msg_${delivery.id}`
      const at = new Date()
      const signature = new Signer(webhook.secret).sign(id, at, body)
      const headers = { 'user-agent': userAgent, 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature }
      outcome = await postDelivery(webhook.url, body, headers, { allowPrivate })
    } catch (error) {
      permanent = error instanceof UndeliverableError
      outcome = { ok: false, status: null, error: permanent ? (error as Error).message : 'the delivery could not be prepared' }
      if (!permanent) log.error({ err: error, delivery: delivery.id }, 'webhook delivery could not be prepared')
    }
    await this.#record(delivery.id, delivery.attempts, outcome, permanent)
    log.info({ webhook: webhook.id, delivery: delivery.id, attempt: delivery.attempts, status: outcome.status, ok: outcome.ok }, 'webhook delivery attempt')
  }

  async #record(id: number, attempts: number, outcome: PostOutcome, permanent: boolean): Promise<void> {
    const now = new Date()
    if (outcome.ok) {
      await updateDelivery(this.#options.db, id, {
        status: 'succeeded',
        next_attempt_at: null,
        last_status_code: outcome.status,
        last_error: null,
        delivered_at: now.toISOString(),
      })
      return
    }
    const delays = this.#options.retryDelaysMs ?? RETRY_DELAYS_MS
    const delay = permanent ? undefined : delays[attempts - 1]
    await updateDelivery(this.#options.db, id, {
      status: delay === undefined ? 'failed' : 'pending',
      next_attempt_at: delay === undefined ? null : new Date(now.getTime() + delay).toISOString(),
      last_status_code: outcome.status,
      last_error: outcome.error.slice(0, 500),
    })
  }
}
