import type { ControlledTransaction } from 'kysely'
import type { Database, Db } from './database.js'

interface Pending {
  work: (trx: Db) => Promise<unknown>
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown }

const MAX_BATCH = 64

/**
 * Group commit for SQLite. SQLite runs one write transaction at a time and pays an fsync for each commit,
 * which would cap throughput at the disk's fsync rate. Transactions that arrive together are run back to back
 * inside one database transaction, each in its own savepoint (a failing one rolls back alone), and committed
 * together: one fsync for the batch. Nobody is answered before that commit, so nothing acknowledged is lost.
 */
export class GroupCommit {
  readonly #db: Db
  #queue: Pending[] = []
  #draining = false

  constructor(db: Db) {
    this.#db = db
  }

  run<T>(work: (trx: Db) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (value: unknown) => void, reject })
      if (!this.#draining) {
        this.#draining = true
        // Let the requests already read from the sockets queue up behind this one first.
        setImmediate(() => void this.#drain())
      }
    })
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) await this.#commit(this.#queue.splice(0, MAX_BATCH))
    this.#draining = false
  }

  async #commit(batch: Pending[]): Promise<void> {
    let trx: ControlledTransaction<Database>
    try {
      trx = await this.#db.startTransaction().execute()
    } catch (error) {
      for (const pending of batch) pending.reject(error)
      return
    }
    const outcomes: Outcome[] = []
    try {
      for (const pending of batch) outcomes.push(await runInSavepoint(trx, pending.work))
      await trx.commit().execute()
    } catch (error) {
      await trx.rollback().execute().catch(() => undefined)
      for (const pending of batch) pending.reject(error)
      return
    }
    batch.forEach((pending, i) => {
      const outcome = outcomes[i]
      if (outcome?.ok) pending.resolve(outcome.value)
      else pending.reject(outcome?.error)
    })
  }
}

async function runInSavepoint(trx: ControlledTransaction<Database>, work: (trx: Db) => Promise<unknown>): Promise<Outcome> {
  const savepoint = await trx.savepoint('unit').execute()
  try {
    const value = await work(savepoint)
    await savepoint.releaseSavepoint('unit').execute()
    return { ok: true, value }
  } catch (error) {
    await savepoint.rollbackToSavepoint('unit').execute()
    return { ok: false, error }
  }
}
