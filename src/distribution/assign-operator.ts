import { pickOperator, type Candidate, type RandomSource } from './pick-operator.js'

/**
 * Picks an operator among the candidates and has `claim` take one of its slots. `claim` is a conditional
 * update, so the limit holds however many requests or instances race, and answers undefined, having written
 * nothing, when the operator filled up since the read: the pick then repeats without it. A `preferred`
 * candidate (sticky routing) is tried first. Answers undefined when nobody could be claimed.
 */
export async function claimWeighted<T>(
  candidates: readonly Candidate[],
  random: RandomSource,
  claim: (operatorId: number) => Promise<T | undefined>,
  preferred?: number | null,
): Promise<T | undefined> {
  let remaining = candidates
  const first = preferred == null ? undefined : remaining.find((c) => c.operator_id === preferred)
  for (let choice = first ?? pickOperator(remaining, random); choice; choice = pickOperator(remaining, random)) {
    const claimed = await claim(choice.operator_id)
    if (claimed !== undefined) return claimed
    const tried = choice
    remaining = remaining.filter((c) => c !== tried)
  }
  return undefined
}
