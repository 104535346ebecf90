import { pickOperator, type Candidate, type RandomSource } from './pick-operator.js'

/**
 * Picks an operator among the candidates and has `store` record the contact with it. `store` claims one of the
 * operator's slots by a conditional update, so the limit holds however many requests or instances race, and
 * answers undefined, having written nothing, when the operator filled up since the read: the pick then repeats
 * without it. With nobody left, `store(null)` records the contact unassigned.
 */
export async function assignOperator<T>(
  candidates: readonly Candidate[],
  random: RandomSource,
  store: (operatorId: number | null) => Promise<T | undefined>,
): Promise<T> {
  let remaining = candidates
  for (;;) {
    const choice = pickOperator(remaining, random)
    const stored = await store(choice?.operator_id ?? null)
    if (stored !== undefined) return stored
    if (!choice) throw new Error('an unassigned contact was not stored')
    remaining = remaining.filter((c) => c !== choice)
  }
}
