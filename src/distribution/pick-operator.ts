export interface Candidate {
  operator_id: number
  weight: number
}

/** Returns a number in [0, 1), like Math.random; injected so tests can seed it. */
export type RandomSource = () => number

/**
 * Picks one candidate with probability weight / (sum of weights). Candidates with weight <= 0 are never
 * picked; undefined when nobody can be.
 */
export function pickOperator(candidates: readonly Candidate[], random: RandomSource): Candidate | undefined {
  const eligible = candidates.filter((c) => c.weight > 0 && Number.isFinite(c.weight))
  const total = eligible.reduce((sum, c) => sum + c.weight, 0)
  let remaining = random() * total
  for (const candidate of eligible) {
    remaining -= candidate.weight
    if (remaining < 0) return candidate
  }
  // Floating-point rounding can leave a sliver past the last weight.
  return eligible.at(-1)
}
