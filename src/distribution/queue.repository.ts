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
  if (!isPostgres(db)) return selectHead(db, scope).executeTakeFirst()
  // Heads another drain holds are skipped, not waited for; then the contacts behind them are the heads to try.
  let excluded = scope.excludeContactIds ?? []
  for (let attempt = 0; attempt < MAX_LOCKED_HEAD_ROUNDS; attempt++) {
    const locked = await selectHead(db, { ...scope, excludeContactIds: excluded }).forUpdate().skipLocked().executeTakeFirst()
    if (locked) return locked
    const heads = (await selectHeadIds(db, { ...scope, excludeContactIds: excluded }).execute()).flatMap((row) => (row.head_id === null ? [] : [row.head_id]))
    if (heads.length === 0) return undefined
    excluded = [...excluded, ...heads]
  }
  return undefined
}

/** How many times a drain looks past heads locked by other drains (each round passes one contact per source). */
const MAX_LOCKED_HEAD_ROUNDS = 5

/** Each source's oldest waiting contact that an operator in scope may take (null for a source with none). */
function selectHeadIds(db: Db, scope: QueueScope) {
  const { operatorId, sourceId, excludeOperatorId } = scope
  const excluded = scope.excludeContactIds ?? []
  return db
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
}

/** The oldest of the heads, as one statement. */
function selectHead(db: Db, scope: QueueScope) {
  const heads = selectHeadIds(db, scope)
  const query = db
    .selectFrom('contacts as c')
    .select(['c.id', 'c.lead_id', 'c.source_id', 'c.operator_id', 'c.status', 'c.queued_at'])
    // Re-checked on the row as locked (another drain may have given it out meanwhile). Spelled unlike the index's
    // condition, so the planner reaches the heads by their ids instead of walking every waiting contact.
    .where(sql<SqlBool>`(c.status = 'active' and coalesce(c.operator_id, 0) = 0)`)
    .orderBy('c.created_at')
    .orderBy('c.id')
    .limit(1)
  if (!isPostgres(db)) return query.where('c.id', 'in', heads)
  // `= any(array(...))` evaluates the heads first, then reaches (and locks) only them through the primary key.
  return query.where(sql<SqlBool>`c.id = any(array(${heads}))`)
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
