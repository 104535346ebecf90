import type { Selectable } from 'kysely'
import type { ContactTalliesTable, Db } from '../db/database.js'
import { preparedQuery } from '../db/prepared-query.js'
import { runBeforeCommit } from '../db/transaction.js'

/** The operator_id under which unassigned contacts are counted. */
export const UNASSIGNED = 0

export type TallyRow = Selectable<ContactTalliesTable>

export interface TallyChange {
  total: number
  active: number
  /** Unassigned row only: a contact that waited got an operator after waitSeconds. */
  fromQueue?: { waitSeconds: number }
}

export async function addToTally(db: Db, sourceId: number, operatorId: number | null, change: TallyChange): Promise<void> {
  const { total, active, fromQueue } = change
  await upsertTally(db, {
    sourceId,
    operatorId: operatorId ?? UNASSIGNED,
    total,
    active,
    assignedFromQueue: fromQueue ? 1 : 0,
    waitSeconds: fromQueue?.waitSeconds ?? 0,
  })
}

const pendingChanges = new WeakMap<Db, Map<string, TallyParams>>()

/**
 * Adds to a tally at the end of the transaction (runBeforeCommit): a drain or a move touches its source's
 * unassigned row and several operators' rows; written last and in key order, those hot rows are locked only for
 * the moment before the commit and always in one order.
 */
export async function addToTallyAtCommit(trx: Db, sourceId: number, operatorId: number | null, change: TallyChange): Promise<void> {
  if (!trx.isTransaction) return addToTally(trx, sourceId, operatorId, change)
  let pending = pendingChanges.get(trx)
  if (!pending) {
    pending = new Map()
    pendingChanges.set(trx, pending)
    runBeforeCommit(trx, 'contact-tallies', writePendingTallies)
  }
  const key = `${sourceId}:${operatorId ?? UNASSIGNED}`
  const sum = pending.get(key) ?? { sourceId, operatorId: operatorId ?? UNASSIGNED, total: 0, active: 0, assignedFromQueue: 0, waitSeconds: 0 }
  sum.total += change.total
  sum.active += change.active
  sum.assignedFromQueue += change.fromQueue ? 1 : 0
  sum.waitSeconds += change.fromQueue?.waitSeconds ?? 0
  pending.set(key, sum)
}

async function writePendingTallies(trx: Db): Promise<void> {
  const pending = pendingChanges.get(trx)
  pendingChanges.delete(trx)
  const ordered = [...(pending?.values() ?? [])].sort((a, b) => a.sourceId - b.sourceId || a.operatorId - b.operatorId)
  for (const change of ordered) await upsertTally(trx, change)
}

type TallyParams = { sourceId: number; operatorId: number; total: number; active: number; assignedFromQueue: number; waitSeconds: number }

const upsertTally = preparedQuery((db, p: TallyParams) =>
  db
    .insertInto('contact_tallies')
    .values({
      source_id: p.sourceId,
      operator_id: p.operatorId,
      total: p.total,
      active: p.active,
      assigned_from_queue: p.assignedFromQueue,
      wait_seconds: p.waitSeconds,
    })
    .onConflict((oc) =>
      oc.columns(['source_id', 'operator_id']).doUpdateSet((eb) => ({
        total: eb('contact_tallies.total', '+', eb.ref('excluded.total')),
        active: eb('contact_tallies.active', '+', eb.ref('excluded.active')),
        assigned_from_queue: eb('contact_tallies.assigned_from_queue', '+', eb.ref('excluded.assigned_from_queue')),
        wait_seconds: eb('contact_tallies.wait_seconds', '+', eb.ref('excluded.wait_seconds')),
      })),
    ),
)

export const listTallies: (db: Db) => Promise<TallyRow[]> = preparedQuery((db: Db) => db.selectFrom('contact_tallies').selectAll())

/** Contacts of the source waiting for an operator, from its unassigned tally. */
export async function countWaiting(db: Db, sourceId: number): Promise<number> {
  return (await selectWaiting(db, { sourceId }))[0]?.active ?? 0
}

const selectWaiting = preparedQuery((db, p: { sourceId: number }) =>
  db.selectFrom('contact_tallies').select('active').where('source_id', '=', p.sourceId).where('operator_id', '=', UNASSIGNED),
)
