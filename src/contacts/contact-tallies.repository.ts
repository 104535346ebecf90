import type { Selectable } from 'kysely'
import type { ContactTalliesTable, Db } from '../db/database.js'
import { preparedQuery } from '../db/prepared-query.js'

/** The operator_id under which unassigned contacts are counted. */
export const UNASSIGNED = 0

export type TallyRow = Selectable<ContactTalliesTable>

export async function addToTally(
  db: Db,
  sourceId: number,
  operatorId: number | null,
  change: { total: number; active: number },
): Promise<void> {
  await upsertTally(db, { sourceId, operatorId: operatorId ?? UNASSIGNED, ...change })
}

const upsertTally = preparedQuery((db, p: { sourceId: number; operatorId: number; total: number; active: number }) =>
  db
    .insertInto('contact_tallies')
    .values({ source_id: p.sourceId, operator_id: p.operatorId, total: p.total, active: p.active })
    .onConflict((oc) =>
      oc.columns(['source_id', 'operator_id']).doUpdateSet((eb) => ({
        total: eb('contact_tallies.total', '+', p.total),
        active: eb('contact_tallies.active', '+', p.active),
      })),
    ),
)

/** Moves the operator's active contacts, per source, to the unassigned tallies. */
export async function moveActiveTalliesToUnassigned(db: Db, operatorId: number): Promise<void> {
  const rows = await db
    .selectFrom('contact_tallies')
    .select(['source_id', 'active'])
    .where('operator_id', '=', operatorId)
    .where('active', '>', 0)
    .execute()
  for (const { source_id, active } of rows) {
    await addToTally(db, source_id, operatorId, { total: -active, active: -active })
    await addToTally(db, source_id, UNASSIGNED, { total: active, active })
  }
}

export const listTallies: (db: Db) => Promise<TallyRow[]> = preparedQuery((db: Db) => db.selectFrom('contact_tallies').selectAll())
