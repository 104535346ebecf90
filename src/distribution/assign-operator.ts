import type { Db } from '../db/database.js'
import { claimOperatorSlot, type OperatorRow } from '../operators/operators.repository.js'
import { pickOperator, type RandomSource } from './pick-operator.js'
import { findEligibleCandidates } from './weights.repository.js'

/**
 * Picks an operator for a new contact of the source and takes one of its slots, inside the caller's
 * transaction. The slot is claimed by a conditional update, so the limit holds however many requests or
 * instances race; an operator that filled up since the read is dropped and the pick repeats.
 */
export async function assignOperator(db: Db, sourceId: number, random: RandomSource): Promise<OperatorRow | null> {
  let candidates = await findEligibleCandidates(db, sourceId)
  for (;;) {
    const choice = pickOperator(candidates, random)
    if (!choice) return null
    const operator = await claimOperatorSlot(db, choice.operator_id)
    if (operator) return operator
    candidates = candidates.filter((c) => c !== choice)
  }
}
