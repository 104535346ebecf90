import { sql, type RawBuilder } from 'kysely'
import { isPostgres, type Db } from './database.js'

/** Conversions between what the two databases return and what the API promises. */

export function toIso(value: Date | string): string {
  return value instanceof Date ? value.toISOString() : value
}

export function toIsoOrNull(value: Date | string | null): string | null {
  return value === null ? null : toIso(value)
}

export function toFlag(value: boolean): 0 | 1 {
  return value ? 1 : 0
}

export function nowIso(): string {
  return new Date().toISOString()
}

/**
 * The database's clock, `ms` from now, for times that instances compare with each other (leases, when a retry is
 * due): on PostgreSQL the server's `now()`, so instances whose clocks disagree still agree on it; SQLite is one
 * file on one machine, whose clock every instance shares.
 */
export function databaseTimeIn(db: Db, ms = 0): RawBuilder<string> {
  if (isPostgres(db)) return ms === 0 ? sql<string>`now()` : sql<string>`now() + ${ms} * interval '1 millisecond'`
  return sql<string>`${new Date(Date.now() + ms).toISOString()}`
}
