import type { FastifyBaseLogger } from 'fastify'
import { Webhook as Signer } from 'standardwebhooks'
import type { Db } from '../db/database.js'
import { claimDueDeliveries, recordAttempts, type Attempt, type AttemptOutcome, type ClaimedDelivery } from './outbox.repository.js'
import { DELIVERY_TIMEOUT_MS, postDelivery } from './http-post.js'
import { deliveryBody, UndeliverableError } from './payload.js'

/** Standard Webhooks' schedule: after the first attempt fails, retries after these delays; then the delivery fails. */
export const RETRY_DELAYS_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]
/** Deliveries of one webhook in flight at once on one instance: a slow receiver holds only its own. */
const PER_WEBHOOK = 4
/** Deliveries of one webhook claimed at once (a lane), sent PER_WEBHOOK at a time, their outcomes recorded together. */
const LANE_SIZE = 16
/** Webhooks with a lane at once on one instance: at most MAX_LANES × PER_WEBHOOK requests in flight. */
const MAX_LANES = 16
/**
 * A claimed delivery is leased this long: past the longest a lane can take (every attempt timing out), so no other
 * dispatcher retries it meanwhile.
 */
const LEASE_MS = (LANE_SIZE / PER_WEBHOOK + 2) * DELIVERY_TIMEOUT_MS

export interface DispatcherOptions {
  db: Db
  log: FastifyBaseLogger
  allowPrivate: boolean
  userAgent: string
  /** Tests shorten the schedule; production keeps RETRY_DELAYS_MS. */
  retryDelaysMs?: readonly number[]
}

/**
 * Sends due deliveries from the outbox, on every instance. A tick claims what is due for webhooks with nothing in
 * flight here: per webhook a lane of at most PER_WEBHOOK deliveries, sent at once, its outcomes recorded in one
 * transaction; when a lane ends, the dispatcher claims again at once, so a busy webhook is drained continuously
 * rather than once per interval. A slow receiver holds only its own lane; `close` waits for the lanes in flight.
 */
export class WebhookDispatcher {
  readonly #lanes = new Map<number, Promise<void>>()
  readonly #options: DispatcherOptions
  #claiming: Promise<void> | undefined
  #claimAgain = false
  #closed = false
  /** The webhook claimed for last: the next claim starts after it, so every webhook gets its turn. */
  #lastClaimed = 0

  constructor(options: DispatcherOptions) {
    this.#options = options
  }

  /** Claims and starts lanes; a tick while a claim runs makes one more claim after it (a lane may have ended meanwhile). */
  tick(): Promise<void> {
    if (this.#closed) return Promise.resolve()
    if (this.#claiming) {
      this.#claimAgain = true
      return this.#claiming
    }
    this.#claiming = this.#claimLanes().finally(() => {
      this.#claiming = undefined
      if (this.#claimAgain) {
        this.#claimAgain = false
        this.#tickLogged()
      }
    })
    return this.#claiming
  }

  /** A tick nobody awaits: its failure (the database away) is logged, never an unhandled rejection. */
  #tickLogged(): void {
    this.tick().catch((err: unknown) => {
      this.#options.log.warn({ err }, 'webhook dispatch failed; the next interval tries again')
    })
  }

  async close(): Promise<void> {
    this.#closed = true
    await this.#claiming?.catch(() => undefined)
    await Promise.all(this.#lanes.values())
  }

  async #claimLanes(): Promise<void> {
    const room = MAX_LANES - this.#lanes.size
    if (room <= 0) return
    const claimed = await claimDueDeliveries(this.#options.db, {
      leaseMs: LEASE_MS,
      perWebhook: LANE_SIZE,
      limit: room * LANE_SIZE,
      busy: [...this.#lanes.keys()],
      startAfter: this.#lastClaimed,
    })
    const byWebhook = new Map<number, ClaimedDelivery[]>()
    for (const claim of claimed) byWebhook.set(claim.webhook.id, [...(byWebhook.get(claim.webhook.id) ?? []), claim])
    for (const [webhookId, lane] of byWebhook) {
      this.#lastClaimed = webhookId
      const run = this.#runLane(lane)
        .catch((err: unknown) => {
          this.#options.log.error({ err, webhook: webhookId }, 'webhook delivery lane failed')
        })
        .finally(() => {
          this.#lanes.delete(webhookId)
          // More may be due for this webhook (a busy one): claim again now, not at the next interval.
          if (lane.length === LANE_SIZE) this.#tickLogged()
        })
      this.#lanes.set(webhookId, run)
    }
  }

  async #runLane(lane: ClaimedDelivery[]): Promise<void> {
    const attempts: Attempt[] = []
    let next = 0
    const sender = async () => {
      for (let claim = lane[next++]; claim; claim = lane[next++]) attempts.push(await this.#send(claim))
    }
    await Promise.all(Array.from({ length: Math.min(PER_WEBHOOK, lane.length) }, sender))
    await recordAttempts(this.#options.db, attempts)
    for (const { id, attempts: n, outcome } of attempts) {
      this.#options.log.info({ webhook: lane[0]?.webhook.id, delivery: id, attempt: n, status: outcome.status, ok: outcome.ok }, 'webhook delivery attempt')
    }
  }

  async #send(claim: ClaimedDelivery): Promise<Attempt> {
    const { log, allowPrivate, userAgent } = this.#options
    const { delivery, webhook } = claim
    const attempt = (outcome: AttemptOutcome): Attempt => ({ id: delivery.id, attempts: delivery.attempts, outcome })
    let body: string
    try {
      body = deliveryBody(claim)
    } catch (error) {
      const permanent = error instanceof UndeliverableError
      if (!permanent) log.error({ err: error, delivery: delivery.id }, 'webhook delivery could not be prepared')
      const reason = permanent ? error.message : 'the delivery could not be prepared'
      return attempt({ ok: false, status: null, error: reason, retryInMs: permanent ? undefined : this.#retryDelay(delivery.attempts) })
    }
    // The same webhook-id on every attempt, so a receiver drops repeats; signed at each attempt's time.
    const id = `msg_${delivery.id}`
    const at = new Date()
    const signature = new Signer(webhook.secret).sign(id, at, body)
    const headers = { 'user-agent': userAgent, 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature }
    const outcome = await postDelivery(webhook.url, body, headers, { allowPrivate })
    return attempt(outcome.ok ? outcome : { ...outcome, retryInMs: this.#retryDelay(delivery.attempts) })
  }

  /** The wait after the attempt numbered `attempts` failed; undefined after the last: the delivery fails. */
  #retryDelay(attempts: number): number | undefined {
    return (this.#options.retryDelaysMs ?? RETRY_DELAYS_MS)[attempts - 1]
  }
}
