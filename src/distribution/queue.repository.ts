import { sql, type SqlBool } from 'kysely'
import { isPostgres, type Db } from '../db/database.js'
import type { HeldContact } from '../contacts/contact-moves.repository.js'
import { operatorMayTake } from './eligibility.js'

/** Whose room a drain fills. Every field narrows it; none: any operator, any source (the sweep). */
export interface QueueScope {
  /** Only this operator takes contacts (it gained room). */
  operatorId?: number
  /** Only contacts of this source. */
  sourceId?: number
  /** This operator takes nothing (a contact was just taken from it). */
  excludeOperatorId?: number
  /** These contacts are passed over (just unassigned, or nobody could take them). */
  excludeContactIds?: readonly number[]
}

/** A waiting contact, as the partial index contacts_waiting_idx describes it (literals, so SQLite can use it). */
const isWaiting = (alias: 'c' | 'h') => sql<SqlBool>`(${sql.ref(`${alias}.status`)} = 'active' and ${sql.ref(`${alias}.operator_id`)} is null)`

/**
 * The oldest waiting contact that an operator in scope may take now, locked for this transaction. Each source
 * with such an operator (and assign_waiting on) offers its own oldest waiting contact, read through the index; the
 * oldest of those wins. On PostgreSQL a contact locked by another drain is skipped, never waited for
 * (`FOR UPDATE SKIP LOCKED`), and re-checked once locked, so two instances never give out one contact twice.
 */
export async function lockQueueHead(db: Db, scope: QueueScope): Promise<HeldContact | undefined> {
  const { operatorId, sourceId, excludeOperatorId } = scope
  const excluded = scope.excludeContactIds ?? []
  const heads = db
    .selectFrom('sources as s')
    .select((eb) =>
      eb
        .selectFrom('contacts as h')
        .select('h.id')
        .whereRef('h.source_id', '=', 's.id')
        .where(isWaiting('h'))
        .$if(excluded.length > 0, (q) => q.where('h.id', 'not in', excluded))
        .orderBy('h.created_at')
        .orderBy('h.id')
        .limit(1)
        .as('head_id'),
    )
    .where(sql<SqlBool>`s.assign_waiting`)
    .$if(sourceId !== undefined, (q) => q.where('s.id', '=', sourceId ?? 0))
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('source_operator_weights as w')
          .innerJoin('operators as o', 'o.id', 'w.operator_id')
          .select('w.id')
          .whereRef('w.source_id', '=', 's.id')
          .where(operatorMayTake)
          .$if(operatorId !== undefined, (q) => q.where('o.id', '=', operatorId ?? 0))
          .$if(excludeOperatorId !== undefined, (q) => q.where('o.id', '<>', excludeOperatorId ?? 0)),
      ),
    )
  const query = db
    .selectFrom('contacts as c')
    .select(['c.id', 'c.lead_id', 'c.source_id', 'c.operator_id', 'c.status', 'c.queued_at'])
    // Re-checked on the row as locked (another drain may have given it out meanwhile). Spelled unlike the index's
    // condition, so the planner reaches the heads by their ids instead of walking every waiting contact.
    .where(sql<SqlBool>`(c.status = 'active' and coalesce(c.operator_id, 0) = 0)`)
    .orderBy('c.created_at')
    .orderBy('c.id')
    .limit(1)
  if (!isPostgres(db)) return query.where('c.id', 'in', heads).executeTakeFirst()
  // `= any(array(...))` evaluates the heads first, then locks only them through the primary key.
  return query.where(sql<SqlBool>`c.id = any(array(${heads}))`).forUpdate().skipLocked().executeTakeFirst()
}

/** Per source: the created_at of its oldest waiting contact, read through the index (no row: none waits). */
export async function listOldestWaiting(db: Db): Promise<{ source_id: number; oldest: Date | string | null }[]> {
  return db
    .selectFrom('sources as s')
    .select((eb) => [
      's.id as source_id',
      eb.selectFrom('contacts as h').select('h.created_at').whereRef('h.source_id', '=', 's.id').where(isWaiting('h')).orderBy('h.created_at').orderBy('h.id').limit(1).as('oldest'),
    ])
    .execute()
}
