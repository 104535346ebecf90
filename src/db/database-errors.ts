import type { PostgresPool, PostgresPoolClient } from 'kysely'

/** What a database error means for the caller, whichever database raised it. */
export type DatabaseErrorKind = 'transient' | 'unavailable' | 'constraint'

/** SQLSTATE and SQLite codes: only a database driver reports these. */
const KINDS: Record<string, DatabaseErrorKind> = {
  // Worth retrying the whole transaction: PostgreSQL serialization failure and deadlock, SQLite lock.
  '40001': 'transient',
  '40P01': 'transient',
  SQLITE_BUSY: 'transient',
  // The database cannot answer now: shutting down, too many clients, statement timeout.
  '57P01': 'unavailable',
  '57P02': 'unavailable',
  '57P03': 'unavailable',
  '53300': 'unavailable',
  '57014': 'unavailable',
  // A constraint the services did not foresee (a race they lost): a conflict, not a fault.
  '23505': 'constraint',
  '23503': 'constraint',
  SQLITE_CONSTRAINT_UNIQUE: 'constraint',
  SQLITE_CONSTRAINT_FOREIGNKEY: 'constraint',
}

/**
 * Network failures: the database is unreachable when its driver raises them. Any socket raises them too (a
 * client that drops its upload is an ECONNRESET of the request stream), so they count only when marked.
 */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE'])
/** pg reports some connection failures only by message. */
const UNAVAILABLE_MESSAGES = [/timeout exceeded when trying to connect/, /Connection terminated/, /connect ECONNREFUSED/]

const raisedByDriver = new WeakSet<Error>()

export function classifyDatabaseError(error: unknown): DatabaseErrorKind | undefined {
  if (!(error instanceof Error)) return undefined
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string') {
    const kind = KINDS[code] ?? (/^08[0-9A-Z]{3}$/.test(code) ? 'unavailable' : undefined)
    if (kind) return kind
  }
  if (!raisedByDriver.has(error)) return undefined
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return 'unavailable'
  if (UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(error.message))) return 'unavailable'
  return undefined
}

function rethrowMarked(error: unknown): never {
  if (error instanceof Error) raisedByDriver.add(error)
  throw error
}

/**
 * The pg pool as Kysely uses it, with every error of connecting and querying marked as the database's, so
 * that only those network failures answer 503 DATABASE_UNAVAILABLE.
 */
export function markingDriverErrors(pool: PostgresPool): PostgresPool {
  // One wrapper per pooled client: Kysely keeps its connection object per client.
  const wrappers = new WeakMap<PostgresPoolClient, PostgresPoolClient>()
  const wrap = (client: PostgresPoolClient): PostgresPoolClient => ({
    query: ((sqlOrCursor: string, parameters: readonly unknown[]) =>
      typeof sqlOrCursor === 'string' ? client.query(sqlOrCursor, parameters).catch(rethrowMarked) : client.query(sqlOrCursor)) as PostgresPoolClient['query'],
    release: (destroy) => {
      client.release(destroy)
    },
  })
  return {
    connect: async () => {
      const client = await pool.connect().catch(rethrowMarked)
      let wrapper = wrappers.get(client)
      if (!wrapper) {
        wrapper = wrap(client)
        wrappers.set(client, wrapper)
      }
      return wrapper
    },
    end: () => pool.end(),
  }
}

/** Marks an error as raised by the database driver (tests stand in for a driver with it). */
export function markAsDriverError<T extends Error>(error: T): T {
  raisedByDriver.add(error)
  return error
}
