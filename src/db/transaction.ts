import { setTimeout as sleep } from 'node:timers/promises'
import { SqliteAdapter } from 'kysely'
import { ServiceUnavailableError } from '../errors.js'
import { classifyDatabaseError } from './database-errors.js'
import type { Db } from './database.js'
import { GroupCommit } from './group-commit.js'

export const TRANSACTION_ATTEMPTS = 4

const groupCommits = new WeakMap<Db, GroupCommit>()
const beforeCommit = new WeakMap<Db, Map<string, (trx: Db) => Promise<void>>>()

/**
 * Runs `work` once at the end of the transaction, just before its commit, however often it is registered under
 * `key`. Writes to rows every transaction touches (running totals) go there: their locks are then held only for
 * the last moment, always after the other rows of the transaction, so they neither queue nor deadlock the rest.
 */
export function runBeforeCommit(trx: Db, key: string, work: (trx: Db) => Promise<void>): void {
  let hooks = beforeCommit.get(trx)
  if (!hooks) {
    hooks = new Map()
    beforeCommit.set(trx, hooks)
  }
  if (!hooks.has(key)) hooks.set(key, work)
}

/** Transactions opened here; a transaction opened elsewhere that calls inTransaction gets its hooks run at the call's end. */
const owned = new WeakSet<Db>()

async function withBeforeCommit<T>(trx: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  owned.add(trx)
  const result = await work(trx)
  const hooks = beforeCommit.get(trx)
  beforeCommit.delete(trx)
  for (const hook of hooks?.values() ?? []) await hook(trx)
  return result
}

/** SQLite transactions go through one group commit per database; PostgreSQL ones run side by side. */
function runTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return db.transaction().execute((trx) => withBeforeCommit(trx, work))
  let group = groupCommits.get(db)
  if (!group) {
    group = new GroupCommit(db)
    groupCommits.set(db, group)
  }
  return group.run((trx) => withBeforeCommit(trx, work))
}

/**
 * Runs the work in a transaction, retrying it from the start when the database reports a transient
 * conflict (deadlock, serialization failure, busy lock), a bounded number of times, then answers 503.
 * Called inside a transaction, the work joins it (the outer transaction owns the retries), so a service can be
 * used alone or as a step of a larger change.
 */
export function inTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  if (db.isTransaction) return owned.has(db) ? work(db) : withBeforeCommit(db, work)
  return retryTransient(() => runTransaction(db, work))
}

/** Runs the work, retrying it from the start on a transient conflict as `inTransaction` does; for work that is atomic on its own. */
export async function retryTransient<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work()
    } catch (error) {
      if (classifyDatabaseError(error) !== 'transient') throw error
      if (attempt >= TRANSACTION_ATTEMPTS) {
        throw new ServiceUnavailableError('DATABASE_BUSY', 'The database is busy; retry the request', { cause: error })
      }
      await sleep(Math.random() * 10 * 2 ** attempt)
    }
  }
}
