import type { FastifyInstance } from 'fastify'
import type { Config } from './config.js'
import { expiredKeyCleanup } from './contacts/idempotency.service.js'
import type { Db } from './db/database.js'
import { inTransaction } from './db/transaction.js'
import { drainQueue } from './distribution/drain-queue.js'
import { pruneEvents } from './events/events.service.js'
import { WebhookDispatcher } from './webhooks/dispatcher.js'
import { purgeDeletedWebhooks } from './webhooks/webhooks.service.js'
import type { RandomSource } from './distribution/pick-operator.js'

/** Work that runs beside the requests of one instance, started when the app is ready and stopped when it closes. */
export interface Job {
  name: string
  /** Milliseconds between runs; 0 never runs it on a timer. */
  intervalMs: number
  run: () => Promise<void>
}

/** A job started by `poke()` (at most one run at a time, at most once per interval) rather than by a timer. */
export interface PokedJob {
  poke: () => void
}

/**
 * The one home of background work: timers start on `onReady`, and `onClose` stops them and waits for runs in
 * flight, so the database is never closed under a job. A failed run is logged and the next one tries again.
 */
export class Jobs {
  readonly #periodic: Job[] = []
  /** The run in flight of each job: a job never runs twice at once on one instance. */
  readonly #running = new Map<string, Promise<void>>()
  readonly #timers: NodeJS.Timeout[] = []
  #closed = false

  constructor(private readonly app: FastifyInstance) {
    app.addHook('onReady', async () => {
      for (const job of this.#periodic) {
        if (job.intervalMs > 0) {
          this.#timers.push(
            setInterval(() => {
              this.#start(job)
            }, job.intervalMs).unref(),
          )
        }
      }
    })
    app.addHook('onClose', async () => {
      this.#closed = true
      for (const timer of this.#timers) clearInterval(timer)
      await Promise.all(this.#running.values())
    })
  }

  every(job: Job): void {
    this.#periodic.push(job)
  }

  /** A job run when something calls `poke()`, at most once per `job.intervalMs`. */
  onPoke(job: Job): PokedJob {
    let nextRunAt = 0
    return {
      poke: () => {
        const now = Date.now()
        if (now < nextRunAt) return
        nextRunAt = now + job.intervalMs
        this.#start(job)
      },
    }
  }

  #start(job: Job): void {
    if (this.#closed || this.#running.has(job.name)) return
    const run = job
      .run()
      .catch((err: unknown) => {
        this.app.log.warn({ err, job: job.name }, 'background job failed')
      })
      .finally(() => {
        this.#running.delete(job.name)
      })
    this.#running.set(job.name, run)
  }
}

const SWEEP_BATCH = 100
const SWEEP_MAX_BATCHES = 50

/**
 * Gives out contacts that wait while an operator may take them, in short transactions of SWEEP_BATCH, so requests
 * never wait long behind it. Every change that frees room drains in its own transaction; the sweep catches the race
 * no transaction sees (a contact starts waiting on one instance while room frees on another).
 */
export function queueSweep(db: Db, random: RandomSource, intervalMs: number): Job {
  return {
    name: 'queue-sweep',
    intervalMs,
    run: async () => {
      for (let batch = 0; batch < SWEEP_MAX_BATCHES; batch++) {
        const given = await inTransaction(db, (trx) => drainQueue(trx, random, { limit: SWEEP_BATCH, actor: null }))
        if (given < SWEEP_BATCH) return
      }
    },
  }
}

/** Deletes expired Idempotency-Keys, at most once a minute per instance, poked by requests that carry a key. */
export function idempotencyKeyCleanup(db: Db, ttlHours: number): Job {
  return { name: 'idempotency-key-cleanup', intervalMs: 60_000, run: () => expiredKeyCleanup(db, ttlHours) }
}

/**
 * Deletes events older than the retention, every ten minutes on each instance, in short batches (events.service.ts),
 * and finishes the deletion of webhooks that a restart interrupted.
 */
export function eventPruning(db: Db, retentionDays: number): Job {
  const run = async () => {
    await pruneEvents(db, retentionDays)
    await purgeDeletedWebhooks(db)
  }
  return { name: 'event-pruning', intervalMs: 600_000, run }
}

/**
 * Sends due webhook deliveries from the outbox; the sends outlive a run (a slow receiver never holds the next one)
 * and are waited for when the app closes.
 */
export function webhookDispatch(app: FastifyInstance, dispatcher: WebhookDispatcher, intervalMs: number): Job {
  app.addHook('onClose', () => dispatcher.close())
  return { name: 'webhook-dispatch', intervalMs, run: () => dispatcher.tick() }
}

/** Registers this instance's background jobs; answers the ones requests poke. */
export function registerJobs(
  app: FastifyInstance,
  { config, db, random, webhookRetryDelaysMs }: { config: Config; db: Db; random: RandomSource; webhookRetryDelaysMs?: readonly number[] | undefined },
) {
  const jobs = new Jobs(app)
  jobs.every(queueSweep(db, random, config.queueSweepIntervalMs))
  jobs.every(eventPruning(db, config.eventRetentionDays))
  const dispatcher = new WebhookDispatcher({
    db,
    log: app.log,
    allowPrivate: config.webhookAllowPrivateNetworks,
    userAgent: `${config.appName}/${config.appVersion} (webhooks)`,
    ...(webhookRetryDelaysMs && { retryDelaysMs: webhookRetryDelaysMs }),
  })
  jobs.every(webhookDispatch(app, dispatcher, config.webhookDispatchIntervalMs))
  return { keyCleanup: jobs.onPoke(idempotencyKeyCleanup(db, config.idempotencyKeyTtlHours)) }
}
