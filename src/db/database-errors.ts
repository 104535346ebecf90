/** What a database error means for the caller, whichever database raised it. */
export type DatabaseErrorKind = 'transient' | 'unavailable' | 'constraint'

const KINDS: Record<string, DatabaseErrorKind> = {
  // Worth retrying the whole transaction: PostgreSQL serialization failure and deadlock, SQLite lock.
  '40001': 'transient',
  '40P01': 'transient',
  SQLITE_BUSY: 'transient',
  // The database cannot answer now: connection refused or lost, shutting down, too many clients, timeouts.
  ECONNREFUSED: 'unavailable',
  ECONNRESET: 'unavailable',
  ENOTFOUND: 'unavailable',
  EAI_AGAIN: 'unavailable',
  ETIMEDOUT: 'unavailable',
  EPIPE: 'unavailable',
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

/** pg reports some connection failures only by message. */
const UNAVAILABLE_MESSAGES = [/timeout exceeded when trying to connect/, /Connection terminated/, /connect ECONNREFUSED/]

export function classifyDatabaseError(error: unknown): DatabaseErrorKind | undefined {
  if (!(error instanceof Error)) return undefined
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string') {
    const kind = KINDS[code] ?? (code.startsWith('08') ? 'unavailable' : undefined)
    if (kind) return kind
  }
  if (UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(error.message))) return 'unavailable'
  return undefined
}
