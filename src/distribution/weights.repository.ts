import type { Db } from '../db/database.js'
import { preparedQuery } from '../db/prepared-query.js'
import { operatorMayTake } from './eligibility.js'
import type { Candidate } from './pick-operator.js'

/** Operators of the source that may take a contact now: weight > 0, active, not deleted, under max_load. */
export async function findEligibleCandidates(db: Db, sourceId: number): Promise<Candidate[]> {
  return selectEligibleCandidates(db, { sourceId })
}

const selectEligibleCandidates = preparedQuery((db, p: { sourceId: number }) =>
  db
    .selectFrom('source_operator_weights as w')
    .innerJoin('operators as o', 'o.id', 'w.operator_id')
    .select(['w.operator_id', 'w.weight'])
    .where('w.source_id', '=', p.sourceId)
    .where(operatorMayTake)
    .orderBy('w.operator_id'),
)

export async function listWeights(db: Db, sourceId: number) {
  return db
    .selectFrom('source_operator_weights as w')
    .innerJoin('operators as o', 'o.id', 'w.operator_id')
    .select(['w.id', 'w.source_id', 'w.operator_id', 'w.weight', 'o.name as operator_name'])
    .select(['o.is_active', 'o.deleted_at', 'o.current_load', 'o.max_load'])
    .where('w.source_id', '=', sourceId)
    .orderBy('w.operator_id')
    .execute()
}

export type WeightRow = Awaited<ReturnType<typeof listWeights>>[number]

export async function replaceWeights(db: Db, sourceId: number, weights: readonly Candidate[]): Promise<void> {
  await db.deleteFrom('source_operator_weights').where('source_id', '=', sourceId).execute()
  if (weights.length === 0) return
  await db
    .insertInto('source_operator_weights')
    .values(weights.map((w) => ({ source_id: sourceId, operator_id: w.operator_id, weight: w.weight })))
    .execute()
}

export const listAllWeights = preparedQuery((db: Db) =>
  db.selectFrom('source_operator_weights').select(['source_id', 'operator_id', 'weight']),
)
