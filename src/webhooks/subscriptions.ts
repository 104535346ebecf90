import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely'

/**
 * Whether webhook `w` gets a delivery of an event of this type: enabled, and subscribed to the type or to "*".
 * `w.events` is a JSON array of type names; no name holds a LIKE wildcard, so the match is exact. One expression
 * for every place an event is written (events.repository.ts, registration.postgres.ts), in both databases.
 */
export function subscribedTo(type: Expression<string>): RawBuilder<SqlBool> {
  return sql<SqlBool>`(${sql.ref('w.enabled')} and (${sql.ref('w.events')} like '%"*"%' or ${sql.ref('w.events')} like '%"' || ${type} || '"%'))`
}
